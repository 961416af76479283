"""Run one job once, recording the run (start, end, status, error) in job_runs."""

from __future__ import annotations

import logging
import socket
import traceback

from data.schema import JobRun, Status
from jobs.context import JobContext, JobSpec

log = logging.getLogger(__name__)


def run_job(spec: JobSpec, ctx: JobContext) -> str:
    """Run `spec` now and return its summary; the run is recorded whatever happens."""
    with ctx.db.transaction() as session:
        run = JobRun(job_id=spec.id, status=Status.RUNNING, host=_host(), started_at=ctx.now())
        session.add(run)
    try:
        detail = spec.func(ctx)
    except Exception as exc:
        _finish(
            ctx,
            run.id,
            Status.FAILED,
            "",
            f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}",
        )
        log.warning("job %s failed: %s", spec.id, exc)
        raise
    _finish(ctx, run.id, Status.SUCCESS, detail, None)
    return detail


def _finish(ctx: JobContext, run_id: int, status: Status, detail: str, error: str | None) -> None:
    with ctx.db.transaction() as session:
        run = session.get(JobRun, run_id)
        run.status, run.detail, run.error, run.finished_at = status, detail[:2000], error, ctx.now()


def _host() -> str:
    import os

    return f"{socket.gethostname()}:{os.getpid()}"
