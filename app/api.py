"""The JSON API (/api/v1): the same reads and rules as the pages, for scripts and other tools."""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from app import accounts, openapi, reads
from app import preferences as user_preferences
from app.api_args import as_json, date_arg, int_arg, points
from app.auth import current_principal, json_error, requires
from app.cache import versioned
from app.scopes import can_see, visible
from app.tearsheet import series_metrics
from data import audit
from data.importer import ImportRefused, parse_series, store
from data.schema import Resolution, Role, Source
from data.versions import series_scope
from data.writes import WriteError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    response = jsonify(error=exc.description, status=exc.code)
    response.status_code = exc.code or 500
    return response


def refuse_unknown_paths() -> Any:
    """A JSON 404 (or 405) for /api paths no API route serves, not the page shell Dash
    serves for any path; runs after the sign-in gate, so strangers still get a 401."""
    path = request.path
    if path != "/api" and not path.startswith("/api/"):
        return None
    if request.url_rule is not None and request.url_rule.endpoint.startswith("api."):
        return None
    allowed = _api_methods()
    status = 405 if allowed else 404
    response = json_error(status, f"no API endpoint {request.method} {path}")
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _api_methods() -> list[str]:
    """The methods an API route answers at this path (none: the path is unknown)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in METHODS:
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint.startswith("api."):
            allowed.append(method)
    return allowed


@bp.get("/me")
@requires(Role.VIEWER)
def me() -> Any:
    """Who the caller is."""
    principal = current_principal()
    return jsonify(email=principal.email, role=principal.role.value, teams=sorted(principal.teams))


@bp.get("/strategies")
@requires(Role.VIEWER)
def strategies() -> Any:
    """The strategies the caller may see."""
    book = visible(reads.strategies(), current_principal())
    columns = ["slug", "name", "stage", "style", "tags", "benchmark"]
    return jsonify(strategies=book[columns].to_dict("records"))


@bp.post("/strategies/<slug>/performance")
@requires(Role.ANALYST)
def import_performance(slug: str) -> Any:
    """Import a series (CSV or Parquet body; ?source=backtest|paper|live): all rows or none."""
    strategy = reads.strategy(slug)
    if not can_see(strategy, current_principal()):
        abort(404, f"no strategy {slug!r}")
    source = request.args.get("source", "")
    if source not in {s.value for s in Source}:
        abort(400, "source must be one of backtest, paper, live")
    settings = current_app.extensions["stratwatch"].settings
    name = "upload.parquet" if "parquet" in (request.content_type or "") else "upload.csv"
    try:
        parsed = parse_series(
            request.get_data(),
            name,
            max_bytes=settings.max_upload_bytes,
            strategy=slug,
            max_rows=settings.max_upload_rows,
        )
    except ImportRefused as refused:
        return jsonify(error="import refused, nothing written", problems=refused.problems), 422
    principal = current_principal()

    def write(session):
        result = store(session, parsed, strategy=slug, source=Source(source))
        audit.record(
            session,
            "import",
            actor=principal.email,
            user_id=principal.id,
            target_type="strategy",
            target_id=slug,
            ip=accounts.client_address(),
            detail={"source": source, "rows": result.rows},
        )
        return result, result.change

    try:  # what only shows chained onto the stored points (the transaction is rolled back)
        result = current_app.extensions["stratwatch"].write(write)
    except ImportRefused as refused:
        return jsonify(error="import refused, nothing written", problems=refused.problems), 422
    except WriteError as refused:
        return jsonify(error="import refused, nothing written", problems=[str(refused)]), 422
    return jsonify(
        rows=result.rows,
        changed=result.change.rows,
        first=result.first.isoformat(),
        last=result.last.isoformat(),
    ), 201


@bp.get("/audit")
@requires(Role.ADMIN)
def audit_log() -> Any:
    """The latest audit entries."""
    limit = min(max(request.args.get("limit", 100, type=int), 1), 1000)
    entries = reads.audit_log(limit)
    entries["ts"] = entries["ts"].map(lambda t: t.isoformat())
    return jsonify(entries=entries.to_dict("records"))


@bp.get("/strategies/<slug>/performance")
@requires(Role.VIEWER)
def performance(slug: str) -> Any:
    """A series (bucketed to ?max_points) and its registry metrics over ?start..?end."""
    strategy = reads.strategy(slug)
    if not can_see(strategy, current_principal()):
        abort(404, f"no strategy {slug!r}")
    extents = reads.series_extents(int(strategy["id"]))
    source = request.args.get("source") or _primary(extents["source"].tolist())
    if source not in {s.value for s in Source}:
        abort(400, "source must be one of backtest, paper, live")
    resolution = request.args.get("resolution", "daily")
    if resolution not in {r.value for r in Resolution}:
        abort(400, f"resolution must be one of {', '.join(r.value for r in Resolution)}")
    start, end = date_arg("start"), date_arg("end")
    if start is not None and end is not None and start > end:
        abort(400, "start must not be after end")
    max_points = int_arg("max_points", 2000, 2, 20_000)
    benchmark = str(strategy["benchmark"] or reads.benchmark_pair()[0])
    body = _performance_body(
        int(strategy["id"]), slug, source, resolution, benchmark, start, end, max_points
    )
    return current_app.response_class(body, mimetype="application/json")


def _performance_scopes(strategy_id: int, _slug: str, source: str, _r: str, benchmark: str, *_a):
    return [series_scope(strategy_id, source), f"benchmark:{benchmark}"]


@versioned(_performance_scopes)
def _performance_body(
    strategy_id: int,
    slug: str,
    source: str,
    resolution: str,
    benchmark: str,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    max_points: int,
) -> str:
    """The performance answer, serialised once per data version (repeat reads cost a lookup)."""
    frame = reads.performance(strategy_id, source, resolution, start, end, max_points)
    return as_json(
        strategy=slug,
        source=source,
        resolution=resolution,
        benchmark=benchmark,
        series=points(frame),
        metrics=series_metrics(strategy_id, source, benchmark, start, end),
    )


@bp.get("/benchmarks")
@requires(Role.VIEWER)
def benchmarks() -> Any:
    """The stored benchmarks."""
    book = reads.benchmarks()[["symbol", "name", "asset_class", "weights"]]
    return jsonify(benchmarks=book.astype(object).where(book.notna(), None).to_dict("records"))


@bp.get("/benchmarks/<symbol>")
@requires(Role.VIEWER)
def benchmark(symbol: str) -> Any:
    """A benchmark's closes over ?start..?end, bucketed to ?max_points."""
    if symbol not in set(reads.benchmarks()["symbol"]):
        abort(404, f"no benchmark {symbol!r}")
    start, end = date_arg("start"), date_arg("end")
    if start is not None and end is not None and start > end:
        abort(400, "start must not be after end")
    body = _benchmark_body(symbol, start, end, int_arg("max_points", 2000, 2, 20_000))
    return current_app.response_class(body, mimetype="application/json")


@versioned(lambda symbol, *_a: [f"benchmark:{symbol}"])
def _benchmark_body(
    symbol: str, start: pd.Timestamp | None, end: pd.Timestamp | None, max_points: int
) -> str:
    closes = reads.benchmark_closes(symbol, start, end, max_points)
    return as_json(symbol=symbol, series=points(closes.to_frame("close")))


@bp.get("/openapi.json")
def openapi_document() -> Any:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.DOCUMENT)


def _primary(sources: list[str]) -> str:
    return next((s for s in ("live", "paper", "backtest") if s in sources), "backtest")


@bp.get("/preferences")
@requires(Role.VIEWER)
def get_preferences() -> Any:
    """The caller's preferences (defaults for anything never saved)."""
    return jsonify(preferences=user_preferences.of_user(current_principal().id))


@bp.put("/preferences")
@requires(Role.VIEWER)
def put_preferences() -> Any:
    """Change some preferences (a JSON object of fields): all valid and saved, or a 422."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # json gives up past ~1000 levels; preferences nest two
        abort(400, "the JSON body nests too deeply: send a flat object of preferences")
    if not isinstance(body, dict):
        abort(400, 'send a JSON object of preferences, e.g. {"theme": "dark"}')
    try:
        saved = user_preferences.update(current_principal().id, body)
    except user_preferences.PreferencesRefused as refused:
        return jsonify(error="preferences refused, nothing saved", problems=refused.problems), 422
    return jsonify(preferences=saved)
