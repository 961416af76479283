"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any


def _param(name: str, where: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": description,
    }


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        },
        **ERRORS,
    }


ERROR = {"$ref": "#/components/schemas/Error"}
PREFS = "#/components/schemas/Preferences"
ERRORS = {
    str(code): {"description": text, "content": {"application/json": {"schema": ERROR}}}
    for code, text in (
        (400, "Invalid parameter; the body says which and why."),
        (401, "Not signed in and no valid bearer token."),
        (403, "The caller's role does not allow this."),
        (404, "No such strategy or benchmark (or not visible to the caller)."),
    )
}
DATE = {"type": "string", "format": "date", "examples": ["2024-01-31"]}
RANGE = [
    _param("start", "query", DATE, "First date (inclusive, UTC); default: the first point."),
    _param("end", "query", DATE, "Last date (inclusive, UTC); default: the last point."),
    _param(
        "max_points",
        "query",
        {"type": "integer", "minimum": 2, "maximum": 20000, "default": 2000},
        "At most this many points; longer ranges are bucketed (last value per bucket).",
    ),
]
POINT = {
    "type": "object",
    "properties": {"ts": {"type": "string", "format": "date-time"}},
    "additionalProperties": {"type": ["number", "null"]},
}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Stratwatch API",
        "version": "1",
        "description": "Strategies, their performance and metrics, and benchmarks. Send a "
        "bearer token (`stratwatch tokens create`) or a session cookie. Metric "
        "definitions are in the metric registry (docs/metrics.md).",
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error", "status"],
                "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
            },
            "Strategies": {
                "type": "object",
                "properties": {"strategies": {"type": "array", "items": {"type": "object"}}},
            },
            "Performance": {
                "type": "object",
                "required": ["strategy", "source", "resolution", "series", "metrics"],
                "properties": {
                    "strategy": {"type": "string"},
                    "source": {"enum": ["backtest", "paper", "live"]},
                    "resolution": {"enum": ["daily", "intraday"]},
                    "benchmark": {"type": "string"},
                    "series": {"type": "array", "items": POINT},
                    "metrics": {
                        "type": "object",
                        "description": "Metric key → value (fractions for percentages; null "
                        "when undefined), computed on daily returns over the range.",
                    },
                },
            },
            "Benchmarks": {
                "type": "object",
                "properties": {"benchmarks": {"type": "array", "items": {"type": "object"}}},
            },
            "Closes": {
                "type": "object",
                "properties": {
                    "symbol": {"type": "string"},
                    "series": {"type": "array", "items": POINT},
                },
            },
            "Me": {
                "type": "object",
                "properties": {
                    "email": {"type": "string"},
                    "role": {"type": "string"},
                    "teams": {"type": "array", "items": {"type": "integer"}},
                },
            },
            "Preferences": {
                "type": "object",
                "properties": {
                    "theme": {"enum": ["light", "dark"]},
                    "benchmarks": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "date_range": {"enum": ["1M", "3M", "YTD", "1Y", "3Y", "5Y", "All"]},
                    "panels": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "decimals": {"type": "integer", "minimum": 0, "maximum": 4},
                    "alerts_in_app": {"type": "boolean"},
                    "alerts_email": {"type": "boolean"},
                    "alert_severity": {"enum": ["info", "warning", "critical"]},
                    "overview_sort": {"type": "string"},
                    "overview_tags": {"type": "array", "items": {"type": "string"}},
                },
                "additionalProperties": False,
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/me": {"get": {"summary": "Who the caller is", "responses": _ok("The caller", "Me")}},
        "/strategies": {
            "get": {"summary": "Strategies the caller may see", "responses": _ok("", "Strategies")}
        },
        "/strategies/{slug}/performance": {
            "get": {
                "summary": "A strategy's series and its metrics over a range",
                "parameters": [
                    _param("slug", "path", {"type": "string"}, "The strategy's slug."),
                    _param(
                        "source",
                        "query",
                        {"enum": ["backtest", "paper", "live"]},
                        "Default: live, else paper, else backtest.",
                    ),
                    _param(
                        "resolution",
                        "query",
                        {"enum": ["daily", "intraday"], "default": "daily"},
                        "Series resolution (metrics always use daily returns).",
                    ),
                    *RANGE,
                ],
                "responses": _ok("Series and metrics", "Performance"),
            },
            "post": {
                "summary": "Import a series (CSV or Parquet body; analysts and up)",
                "parameters": [
                    _param("slug", "path", {"type": "string"}, "The strategy's slug."),
                    _param("source", "query", {"enum": ["backtest", "paper", "live"]}, "Required."),
                ],
                "responses": {"201": {"description": "Imported"}, **ERRORS},
            },
        },
        "/preferences": {
            "get": {"summary": "The caller's preferences", "responses": _ok("", "Preferences")},
            "put": {
                "summary": "Change some preferences (all valid, or 422 with every problem)",
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": PREFS}}},
                },
                "responses": {**_ok("Saved", "Preferences"), "422": {"description": "Invalid"}},
            },
        },
        "/audit": {
            "get": {
                "summary": "The latest audit entries (admins)",
                "parameters": [
                    _param("limit", "query", {"type": "integer", "maximum": 1000}, "Default 100.")
                ],
                "responses": {"200": {"description": "Entries"}, **ERRORS},
            }
        },
        "/benchmarks": {
            "get": {"summary": "Stored benchmarks", "responses": _ok("", "Benchmarks")}
        },
        "/benchmarks/{symbol}": {
            "get": {
                "summary": "A benchmark's adjusted closes over a range",
                "parameters": [_param("symbol", "path", {"type": "string"}, "e.g. SPY"), *RANGE],
                "responses": _ok("Closes", "Closes"),
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1"}},
            }
        },
    },
}
