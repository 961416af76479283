"""Live (else paper) against backtest: the verdict and its tests, cached on the data it compares.

The strategy page computes a comparison when it is missing; the overview never waits for one:
it shows what is cached and queues the rest for the background warmer (app/warming.py).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import pandas as pd
from flask import current_app

from app.cache import cache, versioned
from app.reads import in_source_order, performance, series_extents
from app.store import Store
from app.warming import warmer
from data import queries
from data.comparison import compare
from data.versions import CATALOG

log = logging.getLogger(__name__)


def _store() -> Store:
    return current_app.extensions["stratwatch"]


PENDING = {"verdict": "pending"}  # what comparison(compute=False) says of a cold result


def comparison(strategy_id: int, *, compute: bool = True) -> dict[str, object] | None:
    """Live (else paper) against the backtest over whole records, JSON-ready; None if absent.

    Cached on the daily series' extents, so intraday points (the live feed) do not recompute
    it; with `compute` False a result not yet cached is PENDING, and computed in the background.
    """
    found = _comparison_key(strategy_id, series_extents(strategy_id))
    if found is None:
        return None
    key, traded = found
    hit = cache.get(key)
    if hit is not None:
        return hit
    if not compute:
        return _in_background(key, strategy_id)
    live = performance(strategy_id, traded, "daily", None, None, None)["ret"].dropna()
    backtest = performance(strategy_id, "backtest", "daily", None, None, None)["ret"].dropna()
    result = {"source": traded, **compare(live, backtest, periods_per_year=None).to_dict()}
    cache.set(key, result)
    return result


def verdicts(strategy_ids: Sequence[int]) -> dict[int, str | None]:
    """The cached verdict of each strategy (None: nothing to compare), in one cache round trip;
    one not cached yet is 'pending' and queued for the background."""
    keys = {i: k for i in strategy_ids if (k := _comparison_keys().get(i)) is not None}
    found = dict(zip(keys, cache.get_many(*keys.values()), strict=True)) if keys else {}
    out: dict[int, str | None] = {}
    for strategy_id in strategy_ids:
        if strategy_id not in keys:
            out[strategy_id] = None
            continue
        result = found[strategy_id] or _in_background(keys[strategy_id], strategy_id)
        out[strategy_id] = str(result["verdict"]) if result else None
    return out


def warm_book() -> int:
    """Queue every comparable strategy's verdict not cached yet (at start, before anyone asks);
    returns how many are coming. A failure only logs: the overview queues them on view."""
    try:
        ids = list(_comparison_keys())
        return sum(v == PENDING["verdict"] for v in verdicts(ids).values())
    except Exception:
        log.warning("could not queue the book's verdicts at start", exc_info=True)
        return 0


def _in_background(key: str, strategy_id: int) -> dict[str, object] | None:
    """PENDING, with the comparison queued for the warmer; None if it failed lately."""
    if warmer.failed(key):
        return None
    warmer.submit(key, lambda: comparison(strategy_id))
    return PENDING


@versioned(lambda: [CATALOG, "strategy:*"])
def _comparison_keys() -> dict[int, str]:
    """Every comparable strategy's comparison cache key, from one query over the book."""
    with _store().reading() as session:
        series = queries.list_series(session)
    daily = series[series["resolution"].eq("daily")]
    keys = {}
    for strategy_id, extents in daily.groupby("strategy_id"):
        found = _comparison_key(int(strategy_id), in_source_order(extents))
        if found is not None:
            keys[int(strategy_id)] = found[0]
    return keys


def _comparison_key(strategy_id: int, extents: pd.DataFrame) -> tuple[str, str] | None:
    """(cache key, traded source) of a strategy's comparison, or None without a traded and a
    backtest series. The key moves with the daily series' extents and past values, not with
    intraday points or today's value updated in place."""
    sources = set(extents["source"])
    traded = next((s for s in ("live", "paper") if s in sources), None)
    if traded is None or "backtest" not in sources:
        return None
    shape = [
        (r.source, str(r.last), int(r.points), round(float(r.history), 9))
        for r in extents.itertuples(index=False)
    ]
    return "cmp:" + hashlib.sha1(repr((strategy_id, traded, shape)).encode()).hexdigest(), traded
