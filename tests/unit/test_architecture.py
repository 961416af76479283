"""The layers point down (pages/callbacks -> app -> jobs -> data), checked by import-linter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_nothing_reads_the_environment_outside_settings() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("app", "data", "jobs", "pages", "callbacks")
        for path in (ROOT / folder).rglob("*.py")
        if "os.environ" in path.read_text() and path != ROOT / "app" / "settings.py"
    ]
    assert offenders == []
