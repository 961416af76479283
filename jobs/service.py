"""The scheduler service: campaign for leadership, run APScheduler while leader, stop when not."""

from __future__ import annotations

import logging
import threading

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from jobs.context import JobContext, JobSpec
from jobs.leader import Elector
from jobs.runner import run_job

log = logging.getLogger(__name__)


class SchedulerService:
    """One per process; only the process holding the lock runs jobs. Others wait to take over."""

    def __init__(
        self,
        ctx: JobContext,
        specs: dict[str, JobSpec],
        elector: Elector,
        poll_seconds: float = 5.0,
    ) -> None:
        self.ctx = ctx
        self.specs = specs
        self.elector = elector
        self.poll_seconds = poll_seconds
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        """Whether this process is running the jobs."""
        return self.scheduler is not None

    def start(self) -> None:
        """Campaign in a background thread."""
        self._thread = threading.Thread(
            target=self.run_forever, name="scheduler-election", daemon=True
        )
        self._thread.start()

    def run_forever(self) -> None:
        """Campaign in this thread until stop() is called."""
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # a database away for a moment must not end the campaign
                log.warning(
                    "scheduler election failed; trying again in %s s",
                    self.poll_seconds,
                    exc_info=True,
                )
            self._stop.wait(self.poll_seconds)
        self._resign()

    def step(self) -> None:
        """One round: become leader if we can, or resign if the lock was lost."""
        if self.scheduler is None and self.elector.try_acquire():
            self._lead()
        elif self.scheduler is not None and not self.elector.still_leader():
            self._resign()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop campaigning; the loop lets running jobs finish, then releases the lock. Waits up
        to `timeout` for that (from any thread but the loop's own)."""
        self._stop.set()
        if self._thread is None:  # never started: nothing runs but what we hold
            self._resign()
        elif self._thread is not threading.current_thread():
            self._thread.join(timeout=timeout)
            if self._thread.is_alive():
                log.warning("the scheduler is still finishing its jobs; it resigns when done")

    def _lead(self) -> None:
        scheduler = BackgroundScheduler(
            timezone="UTC",
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )
        for spec in self.specs.values():
            scheduler.add_job(
                self._run, args=[spec], id=spec.id, name=spec.description, **spec.trigger
            )
        scheduler.start()
        self.scheduler = scheduler
        log.info("this process leads the scheduler: %s", ", ".join(self.specs))

    def _resign(self) -> None:
        # Running jobs finish before the lock is released, so no other process starts the same
        # job while one still runs here.
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        self.elector.release()

    def _run(self, spec: JobSpec) -> None:
        try:
            run_job(spec, self.ctx)
        except Exception:  # recorded in job_runs by run_job; the schedule carries on
            log.exception("scheduled job %s failed", spec.id)
