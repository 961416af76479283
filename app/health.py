"""/healthz: is the process up, can it reach its database (and Redis), who leads the scheduler."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with component states when the database answers; 503 otherwise."""
    store = current_app.extensions["stratwatch"]
    checks: dict[str, str] = {}
    try:
        with store.reading() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    if store.redis is not None:
        try:
            store.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    service = current_app.extensions.get("stratwatch.scheduler")
    checks["scheduler"] = (
        "leader" if service and service.is_leader else "follower" if service else "off"
    )
    healthy = all(not v.startswith("error") for v in checks.values())
    return jsonify(status="ok" if healthy else "degraded", checks=checks), 200 if healthy else 503
