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


CALLBACK_ROLES = """
import importlib, json, pkgutil
from dash._callback import GLOBAL_CALLBACK_MAP
import callbacks
for module in pkgutil.iter_modules(callbacks.__path__):
    importlib.import_module(f"callbacks.{module.name}")
found = {k: v["callback"] for k, v in GLOBAL_CALLBACK_MAP.items() if v.get("callback")}
print(json.dumps({k: str(getattr(fn, "required_role", "")) for k, fn in found.items()}))
"""


def test_every_server_callback_names_the_role_it_needs() -> None:
    """Every callback is a POST anyone can send: each one goes through `requires` (app.auth).

    Checked in a fresh interpreter: once an app is built, Dash empties its global registry.
    """
    import json

    out = subprocess.run(
        [sys.executable, "-c", CALLBACK_ROLES], capture_output=True, text=True, check=True, cwd=ROOT
    )
    roles = json.loads(out.stdout)
    assert len(roles) >= 9
    unguarded = [output for output, role in roles.items() if not role]
    assert unguarded == [], f"callbacks without @requires: {unguarded}"
