"""The explicit demo flag signs anonymous visitors in as a read-only viewer; nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask.testing import FlaskClient

from app.settings import Settings
from tests.web import bare_app


@contextmanager
def client_for(tmp_path: Path, demo_viewer: bool) -> Iterator[FlaskClient]:
    """The data layer, sign-in and the API on a bare Flask app (Dash allows one app per process)."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'demo.db'}",
        secret_key="d" * 40,
        data_dir=tmp_path,
        embedded=True,
        scheduler_enabled=False,
        load_demo=True,
        demo_viewer=demo_viewer,
    )
    server, store = bare_app(settings)
    try:
        yield server.test_client()
    finally:
        store.close()


def test_demo_flag_signs_visitors_in_as_a_viewer_only(tmp_path: Path) -> None:
    with client_for(tmp_path, demo_viewer=True) as client:
        client.get("/")  # any page visit signs the visitor in as the demo viewer
        assert client.get("/api/v1/me").get_json() == {
            "email": "viewer@demo.local",
            "role": "viewer",
            "teams": [],
        }
        assert len(client.get("/api/v1/strategies").get_json()["strategies"]) == 24
        refused = client.post(
            "/api/v1/strategies/atlas-momentum/performance?source=paper",
            data=b"date,equity\n2031-01-02,1\n",
            content_type="text/csv",
        )
        assert refused.status_code == 403
        assert client.get("/api/v1/audit").status_code == 403


def test_without_the_flag_visitors_must_sign_in(tmp_path: Path) -> None:
    with client_for(tmp_path, demo_viewer=False) as client:
        assert client.get("/").status_code == 302
        assert client.get("/api/v1/me").status_code == 401
