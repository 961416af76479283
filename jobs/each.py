"""Working through a job's targets (benchmarks, accounts) so one failure cannot starve the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from data.providers import breaker_states
from data.sync_state import mark_failure, record_breakers
from jobs.context import JobContext

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What each target gave: one-line summaries of the done ones, and the failures."""

    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    first_error: Exception | None = None

    def raise_if_failed(self, error: type[Exception], summary: str) -> None:
        """Raise `error` naming every failure (chained to the first), if any target failed."""
        if self.failed:
            raise error(f"{summary}; failed: {'; '.join(self.failed)}") from self.first_error


def run_each(
    ctx: JobContext,
    targets: Iterable[T],
    work: Callable[[T], str],
    label: Callable[[T], str],
    failure_keys: Callable[[T], Iterable[str]],
) -> Outcome[T]:
    """`work(target)` for every target, in turn. A failure is marked on each of the target's
    sync-state keys and the loop goes on; afterwards the providers' breaker states are saved."""
    outcome: Outcome[T] = Outcome()
    for target in targets:
        try:
            outcome.done.append(work(target))
        except Exception as error:  # one target's failure must not starve the others
            with ctx.db.transaction() as session:
                for key in failure_keys(target):
                    mark_failure(session, key, ctx.now(), error)
            outcome.failed.append(f"{label(target)}: {error}")
            outcome.first_error = outcome.first_error or error
    with ctx.db.transaction() as session:
        record_breakers(session, breaker_states(), ctx.now())
    return outcome
