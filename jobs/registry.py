"""The jobs Stratwatch knows: id, function, schedule."""

from __future__ import annotations

from jobs import demo_feed, ingest, sync
from jobs.context import JobConfig, JobSpec

MODULES = (demo_feed, ingest, sync)


def job_specs(config: JobConfig) -> dict[str, JobSpec]:
    """Every job, keyed by id, with schedules taken from `config`."""
    specs = [spec for module in MODULES for spec in module.job_specs(config)]
    return {spec.id: spec for spec in specs}
