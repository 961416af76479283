"""Settings: one frozen object, read once from the environment (and an optional .env file)."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

ROLES = ("viewer", "analyst", "trader", "admin")  # as data.schema.Role; settings import nothing
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Everything the app, the jobs and the CLI need to know about their environment."""

    database_url: str
    secret_key: str = field(repr=False)
    data_dir: Path = Path("var")
    redis_url: str | None = None
    embedded: bool = True
    scheduler_enabled: bool = True
    scheduler_poll_seconds: float = 5.0
    load_demo: bool = True
    warm_on_start: bool = False  # compute the book's verdicts in the background at start
    demo_viewer: bool = False
    secure_cookies: bool = False
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-* headers are believed
    demo_feed_seconds: float = 5.0
    cache_timeout: int = 3600
    max_upload_bytes: int = 50 * 1024 * 1024
    max_upload_rows: int = 1_000_000  # rows of one upload through the API (the CLI takes any)
    market_data: str = "auto"  # benchmark bars from: auto (first with keys), massive, alpaca, demo
    massive_api_key: str | None = field(default=None, repr=False)
    massive_base_url: str = "https://api.massive.com"
    alpaca_api_key_id: str | None = field(default=None, repr=False)
    alpaca_secret_key: str | None = field(default=None, repr=False)
    alpaca_paper: bool = True
    alpaca_trading_url: str | None = None
    alpaca_data_url: str | None = None
    alpaca_data_feed: str | None = None
    # further key pairs by name (ALPACA_API_KEY_ID__<NAME>, ALPACA_SECRET_KEY__<NAME>)
    alpaca_credentials: tuple[tuple[str, str, str], ...] = field(default=(), repr=False)
    benchmarks: tuple[str, ...] = ("SPY", "AGG")
    backfill_years: int = 10
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_role_claim: str = "groups"
    oidc_role_map: tuple[tuple[str, str], ...] = ()
    oidc_default_role: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `environ` (default: os.environ over an optional ./.env file)."""
        env = dict(environ) if environ is not None else {**dotenv_values(".env"), **os.environ}
        env = {k: v for k, v in env.items() if v not in (None, "")}
        data_dir = Path(env.get("STRATWATCH_DATA_DIR", "var")).resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'stratwatch.db'}"
        embedded = database_url.startswith("sqlite")
        return cls(
            database_url=normalise_database_url(database_url),
            secret_key=_secret_key(env, data_dir, embedded),
            data_dir=data_dir,
            redis_url=env.get("REDIS_URL"),
            embedded=embedded,
            scheduler_enabled=_flag(env, "STRATWATCH_SCHEDULER", True),
            scheduler_poll_seconds=_number(env, "STRATWATCH_SCHEDULER_POLL_SECONDS", 5.0),
            load_demo=_flag(env, "STRATWATCH_DEMO", embedded),
            warm_on_start=_flag(env, "STRATWATCH_WARM_ON_START", embedded),
            demo_viewer=_flag(env, "STRATWATCH_DEMO_VIEWER", False),
            secure_cookies=_flag(env, "STRATWATCH_SECURE_COOKIES", not embedded),
            trusted_proxies=int(_number(env, "STRATWATCH_TRUSTED_PROXIES", 0, allow_zero=True)),
            demo_feed_seconds=_number(env, "STRATWATCH_DEMO_FEED_SECONDS", 5.0),
            cache_timeout=int(_number(env, "STRATWATCH_CACHE_TIMEOUT", 3600)),
            max_upload_bytes=int(_number(env, "STRATWATCH_MAX_UPLOAD_MB", 50) * 1024 * 1024),
            max_upload_rows=int(_number(env, "STRATWATCH_MAX_UPLOAD_ROWS", 1_000_000)),
            market_data=_market_data(env),
            massive_api_key=env.get("MASSIVE_API_KEY"),
            massive_base_url=env.get("MASSIVE_BASE_URL", "https://api.massive.com"),
            alpaca_api_key_id=env.get("ALPACA_API_KEY_ID"),
            alpaca_secret_key=env.get("ALPACA_SECRET_KEY"),
            alpaca_paper=_flag(env, "ALPACA_PAPER", True),
            alpaca_trading_url=env.get("ALPACA_TRADING_URL"),
            alpaca_data_url=env.get("ALPACA_DATA_URL"),
            alpaca_data_feed=env.get("ALPACA_DATA_FEED"),
            alpaca_credentials=_alpaca_credentials(env),
            benchmarks=_list(env, "STRATWATCH_BENCHMARKS", ("SPY", "AGG")),
            backfill_years=int(_number(env, "STRATWATCH_BACKFILL_YEARS", 10)),
            oidc_issuer=env.get("OIDC_ISSUER"),
            oidc_client_id=env.get("OIDC_CLIENT_ID"),
            oidc_client_secret=env.get("OIDC_CLIENT_SECRET"),
            oidc_role_claim=env.get("OIDC_ROLE_CLAIM", "groups"),
            oidc_role_map=_role_map(env.get("OIDC_ROLE_MAP", "")),
            oidc_default_role=_role(env.get("OIDC_DEFAULT_ROLE")),
        )

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests and the CLI use it)."""
        return replace(self, **changes)


def normalise_database_url(url: str) -> str:
    """Map the plain `postgresql://` scheme onto the psycopg 3 driver SQLAlchemy should use."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(env: Mapping[str, str], data_dir: Path, embedded: bool) -> str:
    if key := env.get("SECRET_KEY"):
        if len(key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long.")
        return key
    if not embedded:
        raise SettingsError(
            "SECRET_KEY is required outside the embedded SQLite default; "
            'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
        )
    return _persisted_secret(data_dir / "secret_key")


def _persisted_secret(path: Path) -> str:
    """The embedded default generates its own key once and keeps it, readable by its owner only."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)  # atomic: of two processes starting together, exactly one key wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    if raw.lower() in TRUE | FALSE:
        return raw.lower() in TRUE
    raise SettingsError(f"{name} must be one of {sorted(TRUE | FALSE)}, not {raw!r}.")


MARKET_DATA = ("auto", "massive", "alpaca", "demo")


def _market_data(env: Mapping[str, str]) -> str:
    """The benchmark data provider; a named one must have its keys."""
    chosen = env.get("STRATWATCH_MARKET_DATA", "auto").strip().lower()
    if chosen not in MARKET_DATA:
        raise SettingsError(f"STRATWATCH_MARKET_DATA must be one of {', '.join(MARKET_DATA)}")
    if chosen == "massive" and not env.get("MASSIVE_API_KEY"):
        raise SettingsError("STRATWATCH_MARKET_DATA=massive needs MASSIVE_API_KEY")
    if chosen == "alpaca" and not (env.get("ALPACA_API_KEY_ID") and env.get("ALPACA_SECRET_KEY")):
        raise SettingsError(
            "STRATWATCH_MARKET_DATA=alpaca needs ALPACA_API_KEY_ID and ALPACA_SECRET_KEY"
        )
    return chosen


KEY_ID, SECRET = "ALPACA_API_KEY_ID__", "ALPACA_SECRET_KEY__"


def _alpaca_credentials(env: Mapping[str, str]) -> tuple[tuple[str, str, str], ...]:
    """Named Alpaca key pairs: ((NAME, key id, secret), ...), each half required with the other."""
    names = {k[len(KEY_ID) :] for k in env if k.startswith(KEY_ID)}
    names |= {k[len(SECRET) :] for k in env if k.startswith(SECRET)}
    pairs = []
    for name in sorted(names):
        if not re.fullmatch(r"[A-Z0-9_]{1,32}", name):
            raise SettingsError(
                f"Alpaca key names are 1-32 capitals, digits or underscores, not {name!r}"
            )
        key_id, secret = env.get(KEY_ID + name), env.get(SECRET + name)
        if not key_id or not secret:
            raise SettingsError(f"set both {KEY_ID}{name} and {SECRET}{name}, or neither")
        pairs.append((name, key_id, secret))
    return tuple(pairs)


def _role_map(raw: str) -> tuple[tuple[str, str], ...]:
    """'stratwatch-admins=admin,quants=analyst' -> ((claim value, role), ...), roles checked."""
    pairs = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        value, sep, role = item.rpartition("=")
        if not sep or not value:
            raise SettingsError(f"OIDC_ROLE_MAP entries look like group=role, not {item!r}")
        pairs.append((value.strip(), _role(role.strip()) or ""))
    return tuple(pairs)


def _role(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw not in ROLES:
        raise SettingsError(f"unknown role {raw!r}: one of {', '.join(ROLES)}")
    return raw


def _list(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    items = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not items:
        raise SettingsError(f"{name} must list at least one benchmark, e.g. SPY,AGG,60/40")
    return items


def _number(
    env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False
) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}.") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise SettingsError(f"{name} must be positive, not {raw!r}.")
    return value
