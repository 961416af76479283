"""The cache: flask-caching (SimpleCache, or RedisCache with REDIS_URL) keyed by data versions."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import pandas as pd
from flask import current_app
from flask_caching import Cache

from app.settings import Settings

cache = Cache()
P = ParamSpec("P")
R = TypeVar("R")
ScopeFn = Callable[..., list[str]]


def cache_config(settings: Settings) -> dict[str, Any]:
    """flask-caching configuration for these settings."""
    config: dict[str, Any] = {
        "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout,
        "CACHE_KEY_PREFIX": "stratwatch:",
    }
    if settings.redis_url:
        return {**config, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url}
    return {**config, "CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 5000}


def count(key: str, seconds: int) -> int:
    """Add one to the counter `key` and return it; it lapses `seconds` after this call.

    Atomic on Redis (INCR); in one process's SimpleCache a lost update is possible but only
    under a race. The expiry is set anew each time, so a counter lapses after its latest use.
    """
    counted = cache.cache.inc(key) or 1
    cache.cache.set(key, counted, timeout=seconds)
    return counted


def versioned(scopes: ScopeFn) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Memoize a read under a key that carries the versions of the scopes it depends on.

    `scopes(*args, **kwargs)` names them; a pattern ending in '*' (e.g. 'strategy:*') stands for
    every scope with that prefix. Arguments must be plain values (ids, strings, dates), never
    frames: flask-caching-style keys are built from repr(), which pandas truncates.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            _refuse_frames(args, kwargs)
            store = current_app.extensions["stratwatch"]
            token = _token(store.clock.versions(), scopes(*args, **kwargs))
            raw = f"{name}|{args!r}|{sorted(kwargs.items())!r}|{token}"
            key = "r:" + hashlib.sha1(raw.encode()).hexdigest()
            hit = cache.get(key)
            if hit is not None:
                return hit[0]
            with _single_flight(key):  # one thread computes a missing key; the others wait
                hit = cache.get(key)
                if hit is not None:
                    return hit[0]
                value = fn(*args, **kwargs)
                cache.set(key, (value,))  # boxed, so a cached None is still a hit
            return value

        return wrapper

    return decorate


_flights: dict[str, threading.Lock] = {}
_flights_guard = threading.Lock()


@contextmanager
def _single_flight(key: str) -> Iterator[None]:
    """Hold the process-wide lock of `key`: after a write, the many requests that miss the same
    entry at once compute it once per process instead of each (a cache stampede)."""
    with _flights_guard:
        lock = _flights.setdefault(key, threading.Lock())
    with lock:
        yield
    with _flights_guard:
        if _flights.get(key) is lock and not lock.locked():
            del _flights[key]


def _token(versions: dict[str, int], scopes: list[str]) -> str:
    parts = []
    for scope in scopes:
        if scope.endswith("*"):
            prefix = scope[:-1]
            matched = sorted((k, v) for k, v in versions.items() if k.startswith(prefix))
            parts.append(hashlib.sha1(repr(matched).encode()).hexdigest()[:16])
        else:
            parts.append(str(versions.get(scope, 0)))
    return ",".join(parts)


def _refuse_frames(args: tuple, kwargs: dict) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, pd.DataFrame | pd.Series):
            raise TypeError("cached reads take ids and dates, not pandas objects")
