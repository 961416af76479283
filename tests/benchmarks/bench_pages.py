"""Page speed with a large book: the overview's callback and the preferences read, cold and warm,
and in headless Chromium the time from opening a page until its content is drawn.

Run: `.venv/bin/python -m tests.benchmarks.bench_pages [--strategies 60] [--repeat 7]`. Not a
test: it prints medians (the issue's marks: 50+ strategies without lag; preferences applied
within 200 ms, goal 20 ms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import g
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from app import preferences, reads
from app.cache import cache
from app.warming import warmer
from callbacks import overview
from data import demo, users
from data.schema import Role
from tests import web as web_module
from tests.browser.conftest import new_chromium, sign_in


def timed(fn: Callable[[], object], repeat: int, before: Callable[[], object] | None = None):
    """Milliseconds of `fn()` over `repeat` runs (each after `before()`, untimed)."""
    samples = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def settle(timeout: float = 600.0) -> None:
    """Wait until the background warmer has computed every queued verdict."""
    deadline = time.monotonic() + timeout
    while warmer.pending() and time.monotonic() < deadline:
        time.sleep(0.5)


def line(name: str, samples: list[float]) -> str:
    return (
        f"{name:<58} median {statistics.median(samples):8.1f} ms   "
        f"min {min(samples):8.1f} ms   max {max(samples):8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strategies", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    running = web_module.start(Path(tempfile.mkdtemp(prefix="bench-pages-")))
    try:
        running.app.server.extensions["stratwatch.scheduler"].stop()  # nothing writes meanwhile
        book = demo.generate(strategies=args.strategies)
        running.store.write(lambda session: demo.load(session, book))
        email = running.emails[Role.ANALYST]
        with running.store.reading() as session:
            principal = users.principal(session, users.find(session, email).id)
        server = running.app.server
        print(f"{args.strategies} strategies, SQLite, in-process cache")
        with server.test_request_context("/"):
            g.principal = principal
            draw = lambda: overview.update_overview_table([], "", [], "name", 0)  # noqa: E731
            clear = lambda: cache.clear()  # noqa: E731
            print(line("overview table callback, cold (empty cache)", timed(draw, 3, clear)))
            settle()
            print(line("overview table callback, warm (verdicts cached)", timed(draw, args.repeat)))
            search = lambda: overview.update_overview_table(  # noqa: E731
                ["live", "paper"], "mom", [], "sharpe", 0
            )
            print(line("  … filtered, searched and sorted, warm", timed(search, args.repeat)))
            prefs = lambda: preferences.current()  # noqa: E731
            print(line("preferences, cold (empty cache)", timed(prefs, args.repeat, clear)))
            print(line("preferences, warm", timed(prefs, args.repeat)))
            reads.overview()
        browser = new_chromium(Path(tempfile.mkdtemp(prefix="bench-chromium-")))
        try:
            sign_in(browser, running.base, email, web_module.PASSWORD)
            WebDriverWait(browser, 30).until(lambda b: "/login" not in b.current_url)

            def overview_page() -> None:
                browser.get(running.base + "/")
                WebDriverWait(browser, 30).until(
                    lambda b: (
                        len(b.find_elements(By.CSS_SELECTOR, "#overview-table tbody tr"))
                        == args.strategies
                    )
                )

            def settings_page() -> None:
                browser.get(running.base + "/settings")
                WebDriverWait(browser, 30).until(
                    lambda b: b.find_elements(By.CSS_SELECTOR, "#settings-decimals")
                )

            overview_page()  # queues every verdict: measured while they are computed
            print(
                line(
                    f"browser: open / until all {args.strategies} rows drawn",
                    timed(overview_page, args.repeat),
                )
            )
            settle()
            print(line("  … again, every verdict cached", timed(overview_page, args.repeat)))
            settings_page()
            print(
                line(
                    "browser: open /settings until the form shows",
                    timed(settings_page, args.repeat),
                )
            )
        finally:
            browser.quit()
    finally:
        web_module.stop(running)


if __name__ == "__main__":
    main()
