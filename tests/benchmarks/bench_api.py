"""API latency under gunicorn: cold 10-year reads, then N users each asking once a second.

Run: `.venv/bin/python -m tests.benchmarks.bench_api [--users 100] [--seconds 20] [--workers 2]
[--threads 8] [--database-url URL] [--redis-url URL] [--feed-seconds 5]`. Not a test: it prints medians and p95 to
compare between runs (the requirement: p95 < 200 ms; the goals: ≤ 30 ms warm, ≤ 100 ms cold).

The app runs as production runs it (gunicorn, `app.wsgi:server`) in its own processes, on a
fresh database with the demo book; the load comes from this process, one thread per user, a new
connection per request (no keep-alive: the pessimistic case).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUTES = [
    "/api/v1/strategies",
    "/api/v1/strategies/{slug}/performance",
    "/api/v1/strategies/{slug}/performance?source=backtest&start=2024-01-01",
    "/api/v1/benchmarks/SPY?start=2020-01-01",
    "/api/v1/preferences",
]


def timed_get(url: str, token: str) -> float:
    """Milliseconds for one GET, the body read in full; raises on anything but a 200."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def summary(name: str, samples: list[float]) -> str:
    """'name: n=…, median …, p95 …, max … ms'."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"{name:<48} n={len(ordered):>5}  median {statistics.median(ordered):7.1f} ms  "
        f"p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms"
    )


def user_loop(base: str, token: str, urls: list[str], until: float, out: list[float]) -> None:
    """One user: a request a second, round-robin over the routes, until `until`."""
    i = secrets.randbelow(len(urls))
    while time.monotonic() < until:
        tick = time.monotonic()
        out.append(timed_get(base + urls[i % len(urls)], token))
        i += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))


def stratwatch(env: dict[str, str], *args: str) -> str:
    """Run the CLI; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"stratwatch {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited; see its log")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--redis-url", help="shared cache and versions (default: none)")
    parser.add_argument(
        "--feed-seconds",
        type=float,
        default=5.0,
        help="how often the demo feed writes live points (each write invalidates that strategy)",
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "DATABASE_URL": args.database_url or f"sqlite:///{data_dir / 'bench.db'}",
        "STRATWATCH_DATA_DIR": str(data_dir),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "STRATWATCH_DEMO": "1",
        "STRATWATCH_DEMO_FEED_SECONDS": str(args.feed_seconds),
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    stratwatch(env, "db", "upgrade")
    stratwatch(env, "demo", "load")
    email = f"bench-{secrets.token_hex(4)}@example.com"
    stratwatch(env, "users", "create", email, "--role", "viewer", "--generate")
    token = stratwatch(env, "users", "token", email, "--name", "bench").rsplit(": ", 1)[1].strip()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data_dir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "app.wsgi:server",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        wait_until_up(base, server)
        request = urllib.request.Request(
            base + "/api/v1/strategies", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            slugs = [s["slug"] for s in json.loads(response.read())["strategies"]]
        print(
            f"gunicorn -w {args.workers} --threads {args.threads}; "
            f"{'PostgreSQL' if 'postgres' in env['DATABASE_URL'] else 'SQLite'}"
            f"{' + Redis' if args.redis_url else ''}; {len(slugs)} strategies; "
            f"live points every {args.feed_seconds:g} s; {os.cpu_count()} CPUs"
        )
        cold = [
            timed_get(f"{base}/api/v1/strategies/{slug}/performance?source=backtest", token)
            for slug in slugs
        ]
        print(summary("cold: performance, whole backtest (≤ 10 y daily)", cold))
        urls = [r.format(slug=slug) for slug in slugs for r in ROUTES]
        for url in urls:  # each worker's first look is cold; the load measures the warm path
            timed_get(base + url, token)
        warm: list[float] = []
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=user_loop, args=(base, token, urls, until, warm))
            for _ in range(args.users)
        ]
        for thread in threads:
            thread.start()
            time.sleep(1.0 / args.users)  # the users arrive over the first second
        for thread in threads:
            thread.join()
        rate = len(warm) / args.seconds
        print(summary(f"warm: {args.users} users x 1 req/s ({rate:.0f} req/s)", warm))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
