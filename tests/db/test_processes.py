"""Real processes: one scheduler leader among several, the CLI's exits, gunicorn serving the app."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from data import migrate

ROOT = Path(__file__).resolve().parents[2]


def environment(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    return {
        **env,
        "DATABASE_URL": url,
        "STRATWATCH_DATA_DIR": str(data_dir),
        "SECRET_KEY": "k" * 40,
        "STRATWATCH_DEMO": "0",
        **extra,
    }


def stratwatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def job_hosts(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        hosts = conn.execute(text("SELECT host FROM job_runs ORDER BY id")).scalars().all()
    engine.dispose()
    return hosts


@pytest.fixture
def migrated(fresh_url: str) -> str:
    engine = create_engine(fresh_url)
    migrate.upgrade(engine)
    engine.dispose()
    return fresh_url


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_scheduler_elects_one_leader_and_fails_over(migrated: str, tmp_path: Path) -> None:
    env = environment(
        migrated,
        tmp_path,
        STRATWATCH_DEMO_FEED_SECONDS="0.3",
        STRATWATCH_SCHEDULER_POLL_SECONDS="0.5",
    )
    log = (tmp_path / "jobs.log").open("w")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "jobs"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        for _ in range(2)
    ]
    try:
        assert wait_for(lambda: len(job_hosts(migrated)) >= 6), "no job ran"
        time.sleep(1.0)
        hosts = set(job_hosts(migrated))
        assert len(hosts) == 1, f"several leaders ran jobs: {hosts}"
        leader_pid = int(hosts.pop().rsplit(":", 1)[1])
        leader = next(p for p in procs if p.pid == leader_pid)
        leader.send_signal(signal.SIGTERM)
        assert leader.wait(timeout=20) == 0
        survivor = next(p for p in procs if p is not leader)
        assert wait_for(lambda: any(h.endswith(f":{survivor.pid}") for h in job_hosts(migrated))), (
            "the other process never took over"
        )
        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(timeout=20) == 0, "the new leader did not stop cleanly"
    finally:
        for proc in procs:  # only after a failure above: never leave a process behind
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        log.close()


def test_cli_import_errors_go_to_stderr_and_write_nothing(migrated: str, tmp_path: Path) -> None:
    env = environment(migrated, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("date,equity\n2024-01-02,100\n2024-01-03,-5\n")
    done = stratwatch(
        "import", str(bad), "--strategy", "alpha", "--source", "live", "--create", env=env
    )
    assert done.returncode == 1
    assert "row 2 (line 3): 'equity' must be positive" in done.stderr and done.stdout == ""
    good = tmp_path / "good.csv"
    good.write_text("date,return\n2024-01-02,0.01\n2024-01-03,0.02\n")
    done = stratwatch(
        "import", str(good), "--strategy", "alpha", "--source", "live", "--create", env=env
    )
    assert done.returncode == 0, done.stderr
    assert "imported 2 points, one a day" in done.stdout and "a new strategy" in done.stdout
    again = stratwatch("import", str(good), "--strategy", "alpha", "--source", "live", env=env)
    assert "0 rows new or changed" in again.stdout and "new strategy" not in again.stdout
    engine = create_engine(migrated)
    with engine.connect() as conn:
        actors = (
            conn.execute(text("SELECT actor FROM audit_log WHERE action = 'import'"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert len(actors) == 2 and all(
        a.startswith("cli:") for a in actors
    )  # refused imports log nothing


def test_cli_errors_are_a_message_never_a_traceback(migrated: str, tmp_path: Path) -> None:
    env = environment(migrated, tmp_path)
    folder = stratwatch("import", str(tmp_path), "--strategy", "a", "--source", "live", env=env)
    assert folder.returncode == 1 and "not a file" in folder.stderr
    unreachable = {
        **env,
        "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "SECRET_KEY": "k" * 40,
    }
    down = stratwatch("db", "upgrade", env=unreachable)
    assert down.returncode == 1 and "the database is not answering" in down.stderr
    for failed in (folder, down):
        assert failed.stderr.startswith("Error: ") and "Traceback" not in failed.stderr


def test_cli_jobs_run_records_the_run_and_fails_loudly(migrated: str, tmp_path: Path) -> None:
    env = environment(migrated, tmp_path)
    listed = stratwatch("jobs", "list", env=env)
    assert "demo-feed" in listed.stdout
    ran = stratwatch("jobs", "run", "demo-feed", env=env)
    assert ran.returncode == 0, ran.stderr
    assert len(job_hosts(migrated)) == 1
    unknown = stratwatch("jobs", "run", "no-such-job", env=env)
    assert unknown.returncode == 1 and "unknown job 'no-such-job'" in unknown.stderr


def test_cli_secret_and_schema_rules_per_back_end(
    fresh_url: str, backend: str, tmp_path: Path
) -> None:
    env = environment(fresh_url, tmp_path)
    without_secret = stratwatch("jobs", "run", "demo-feed", env={**env, "SECRET_KEY": ""})
    if backend == "sqlite":  # the embedded default makes and keeps its own key, and migrates itself
        assert without_secret.returncode == 0, without_secret.stderr
        key = (tmp_path / "secret_key").read_text()
        assert len(key) == 64 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
        return
    assert without_secret.returncode == 1 and "SECRET_KEY is required" in without_secret.stderr
    behind = stratwatch("jobs", "run", "demo-feed", env=env)
    assert behind.returncode == 1 and "stratwatch db upgrade" in behind.stderr
    upgraded = stratwatch("db", "upgrade", env=env)
    head = ScriptDirectory(str(migrate.MIGRATIONS)).get_current_head()
    assert upgraded.returncode == 0 and f"schema at {head}" in upgraded.stdout
    assert stratwatch("jobs", "run", "demo-feed", env=env).returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[str, str]]:
    port = free_port()
    url = f"sqlite:///{tmp_path / 'gunicorn.db'}"
    env = environment(url, tmp_path, STRATWATCH_DEMO="1", STRATWATCH_DEMO_FEED_SECONDS="0.5")
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "app.wsgi:server",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


@pytest.mark.slow
def test_gunicorn_serves_the_app_with_one_scheduler(gunicorn: tuple[str, str]) -> None:
    base, url = gunicorn
    assert wait_for(lambda: fetch(base + "/healthz")[0] == 200, timeout=90), (
        "gunicorn never answered"
    )
    status, page = fetch(base + "/")
    assert status == 200 and b"Sign in to Stratwatch" in page  # / redirects anonymous visitors
    assert wait_for(lambda: len(job_hosts(url)) >= 4, timeout=30)
    assert len({h for h in job_hosts(url)}) == 1
