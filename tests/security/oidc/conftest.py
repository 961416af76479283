"""Fixtures of the OIDC tests: the fake provider, reset before each test, and a bare app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.oidc import init_oidc
from app.settings import Settings
from app.store import Store
from tests.security.fake_oidc import FakeProvider
from tests.security.oidc.harness import CLIENT_ID, CLIENT_SECRET, QUANT, ROLE_MAP
from tests.web import bare_app


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    with FakeProvider(CLIENT_ID, CLIENT_SECRET) as fake:
        yield fake


@pytest.fixture(autouse=True)
def reset(provider: FakeProvider) -> None:
    provider.user = dict(QUANT)
    provider.id_token_claims = {}
    provider.mangle = lambda token: token
    provider.signing_key = provider.key


@pytest.fixture
def make_app(tmp_path: Path, provider: FakeProvider) -> Iterator[Callable[..., Flask]]:
    """The data layer, sign-in, OIDC and the API on a bare Flask app (Dash: one app per process)."""
    stores: list[Store] = []

    def make(**changes: object) -> Flask:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'oidc.db'}",
            secret_key="o" * 40,
            data_dir=tmp_path,
            scheduler_enabled=False,
            load_demo=False,
            oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_role_map=ROLE_MAP,
        ).with_(**changes)
        server, store = bare_app(settings)
        stores.append(store)
        init_oidc(server, settings)
        return server

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def server(make_app: Callable[..., Flask]) -> Flask:
    return make_app()
