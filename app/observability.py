"""/metrics in Prometheus' text format: sync ages, staleness, circuit states, job outcomes."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import func, select

from app import status
from app.auth import requires
from data.freshness import Gauge, gauges
from data.schema import JobRun, Role, Status

bp = Blueprint("observability", __name__)


@bp.get("/metrics")
@requires(Role.ADMIN)
def metrics() -> Response:
    """Gauges for scraping (send an admin's API token as a bearer token)."""
    report = status.report()
    samples = gauges(report.streams, report.providers) + _job_gauges()
    store = current_app.extensions["stratwatch"]
    samples.append(Gauge("stratwatch_db_queries_total", {}, float(store.db.queries.count)))
    return Response(render(samples), mimetype="text/plain; version=0.0.4")


def render(samples: list[Gauge]) -> str:
    """Prometheus exposition: one `# TYPE` line per metric name, then its samples."""
    lines, typed = [], set()
    for sample in samples:
        if sample.name not in typed:
            lines.append(f"# TYPE {sample.name} gauge")
            typed.add(sample.name)
        labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(sample.labels.items()))
        lines.append(
            f"{sample.name}{{{labels}}} {sample.value:g}"
            if labels
            else f"{sample.name} {sample.value:g}"
        )
    return "\n".join(lines) + "\n"


def _job_gauges() -> list[Gauge]:
    store = current_app.extensions["stratwatch"]
    with store.reading() as session:
        latest = (
            select(JobRun.job_id, func.max(JobRun.id).label("id"))
            .group_by(JobRun.job_id)
            .subquery()
        )
        rows = session.execute(
            select(JobRun.job_id, JobRun.status, JobRun.finished_at).join(
                latest, JobRun.id == latest.c.id
            )
        ).all()
    return [
        Gauge("stratwatch_job_last_success", {"job": job}, float(Status(status) == Status.SUCCESS))
        for job, status, _ in rows
    ]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
