"""Settings: read once from the environment, with safe defaults and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, SettingsError


def test_settings_default_to_embedded_sqlite_with_a_generated_secret(tmp_path: Path) -> None:
    settings = Settings.from_env({"STRATWATCH_DATA_DIR": str(tmp_path)})
    again = Settings.from_env({"STRATWATCH_DATA_DIR": str(tmp_path)})
    assert settings.embedded and settings.database_url == f"sqlite:///{tmp_path / 'stratwatch.db'}"
    assert len(settings.secret_key) == 64 and settings.secret_key == again.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert settings.load_demo and settings.scheduler_enabled and settings.redis_url is None


def test_settings_require_a_secret_outside_the_embedded_default(tmp_path: Path) -> None:
    env = {"STRATWATCH_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@h/db"}
    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        Settings.from_env(env)
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env({**env, "SECRET_KEY": "short"})
    settings = Settings.from_env({**env, "SECRET_KEY": "x" * 40})
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert not settings.embedded and not settings.load_demo
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("STRATWATCH_SCHEDULER", "maybe", "STRATWATCH_SCHEDULER must be one of"),
        ("STRATWATCH_DEMO_FEED_SECONDS", "fast", "must be a number"),
        ("STRATWATCH_MAX_UPLOAD_MB", "-1", "must be positive"),
        ("ALPACA_API_KEY_ID__LIVE", "AK1", "set both ALPACA_API_KEY_ID__LIVE and"),
        ("ALPACA_SECRET_KEY__live", "s", "capitals, digits or underscores, not 'live'"),
        ("STRATWATCH_MARKET_DATA", "yahoo", "must be one of auto, massive, alpaca, demo"),
        ("STRATWATCH_MARKET_DATA", "massive", "needs MASSIVE_API_KEY"),
    ],
)
def test_settings_reject_malformed_values(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"STRATWATCH_DATA_DIR": str(tmp_path), name: value})


def test_settings_never_show_secrets_in_repr(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "STRATWATCH_DATA_DIR": str(tmp_path),
            "MASSIVE_API_KEY": "mk-123",
            "ALPACA_SECRET_KEY": "as-9",
            "ALPACA_API_KEY_ID__LIVE": "AKLIVE",
            "ALPACA_SECRET_KEY__LIVE": "as-live",
        }
    )
    text = repr(settings)
    assert settings.secret_key not in text and "mk-123" not in text and "as-9" not in text
    assert "as-live" not in text and "AKLIVE" not in text
    assert settings.alpaca_credentials == (("LIVE", "AKLIVE", "as-live"),)


def test_trusted_proxies_reveal_the_client_address(tmp_path: Path) -> None:
    from flask import Flask, request

    from app.factory import behind_proxies

    assert Settings.from_env({"STRATWATCH_DATA_DIR": str(tmp_path)}).trusted_proxies == 0
    env = {"STRATWATCH_DATA_DIR": str(tmp_path), "STRATWATCH_TRUSTED_PROXIES": "1"}
    assert Settings.from_env(env).trusted_proxies == 1
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    for count, expected in ((0, "127.0.0.1 http"), (1, "203.0.113.7 https")):
        server = Flask(__name__)
        server.get("/")(lambda: f"{request.remote_addr} {request.scheme}")
        behind_proxies(server, count)
        assert server.test_client().get("/", headers=headers).get_data(as_text=True) == expected


def test_the_market_data_provider_can_be_chosen(tmp_path: Path) -> None:
    from data.providers import AuthError, ProviderSettings, market_data_for

    both = {
        "STRATWATCH_DATA_DIR": str(tmp_path),
        "MASSIVE_API_KEY": "mk",
        "ALPACA_API_KEY_ID": "ak",
        "ALPACA_SECRET_KEY": "as",
    }
    picked = {}
    for choice in ("auto", "alpaca", "demo"):
        settings = Settings.from_env({**both, "STRATWATCH_MARKET_DATA": choice})
        picked[choice] = type(market_data_for(ProviderSettings.from_config(settings))).__name__
    assert picked == {
        "auto": "MassiveMarketData",
        "alpaca": "AlpacaMarketData",
        "demo": "DemoMarketData",
    }
    with pytest.raises(AuthError, match="massive needs its API keys"):
        market_data_for(ProviderSettings(market_data="massive"))
