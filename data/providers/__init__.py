"""Market-data and broker providers behind one small interface: Massive, Alpaca, offline demo."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from data.providers.base import (
    AccountInfo,
    AuthError,
    Broker,
    CircuitOpenError,
    Fill,
    IncompleteData,
    MalformedResponse,
    MarketData,
    PermanentError,
    PositionInfo,
    ProviderError,
    TransientError,
)
from data.providers.resilience import RetryPolicy, breaker_states, reset_breakers


@dataclass(frozen=True)
class ProviderSettings:
    """Keys and base URLs of the providers (field names match the app's settings)."""

    market_data: str = "auto"  # "auto": Massive, else Alpaca, else demo, by which keys are set
    massive_api_key: str | None = field(default=None, repr=False)
    massive_base_url: str = "https://api.massive.com"
    alpaca_api_key_id: str | None = field(default=None, repr=False)
    alpaca_secret_key: str | None = field(default=None, repr=False)
    alpaca_paper: bool = True
    alpaca_trading_url: str | None = None
    alpaca_data_url: str | None = None
    alpaca_data_feed: str | None = None  # "iex" on free plans; None: the account's default
    alpaca_credentials: tuple[tuple[str, str, str], ...] = field(default=(), repr=False)
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: object) -> ProviderSettings:
        """Copy the matching attributes of a settings-like object (the app's Settings)."""
        names = [f.name for f in fields(cls) if hasattr(config, f.name)]
        return cls(**{name: getattr(config, name) for name in names})

    @property
    def alpaca(self) -> bool:
        """Whether both Alpaca keys are set."""
        return bool(self.alpaca_api_key_id and self.alpaca_secret_key)


def market_data_for(settings: ProviderSettings, policy: RetryPolicy | None = None) -> MarketData:
    """The chosen provider (`market_data`), or with "auto": Massive when its key is set, else
    Alpaca when its keys are, else the offline demo."""
    # client libraries are imported on demand: the offline default needs neither
    chosen = settings.market_data
    if chosen == "demo":
        from data.providers.demo import DemoMarketData

        return DemoMarketData()
    if settings.massive_api_key and chosen in ("auto", "massive"):
        from data.providers.massive import MassiveMarketData

        return MassiveMarketData(
            settings.massive_api_key,
            settings.massive_base_url,
            timeout=settings.timeout,
            policy=policy,
        )
    if settings.alpaca and chosen in ("auto", "alpaca"):
        from data.providers.alpaca import AlpacaMarketData

        return AlpacaMarketData(
            settings.alpaca_api_key_id,  # type: ignore[arg-type]
            settings.alpaca_secret_key,  # type: ignore[arg-type]
            data_url=settings.alpaca_data_url,
            feed=settings.alpaca_data_feed,
            timeout=settings.timeout,
            policy=policy,
        )
    if chosen != "auto":
        raise AuthError(f"market data from {chosen} needs its API keys")
    from data.providers.demo import DemoMarketData

    return DemoMarketData()


def broker_for(
    provider: str,
    label: str,
    paper: bool,
    settings: ProviderSettings,
    policy: RetryPolicy | None = None,
    credentials: str | None = None,
) -> Broker:
    """The broker for account `label`, or ProviderError saying what configuration is missing.

    An Alpaca account uses the named key pair `credentials` when the mapping gives one (its
    `paper` flag then picks the endpoint), else the default pair, which must be of its kind.
    """
    if provider == "demo":
        from data.providers.demo import DemoBroker

        return DemoBroker(label)
    if provider != "alpaca":
        raise PermanentError(f"account {label}: unknown broker provider {provider!r}")
    key_id, secret = _keys(settings, label, paper, credentials)
    from data.providers.alpaca_broker import AlpacaBroker

    return AlpacaBroker(
        key_id,
        secret,
        paper=paper,
        trading_url=settings.alpaca_trading_url,
        timeout=settings.timeout,
        policy=policy,
    )


def _keys(
    settings: ProviderSettings, label: str, paper: bool, credentials: str | None
) -> tuple[str, str]:
    if credentials is not None:
        named = {name: (key, secret) for name, key, secret in settings.alpaca_credentials}
        if credentials not in named:
            raise AuthError(
                f"account {label}: set ALPACA_API_KEY_ID__{credentials} and "
                f"ALPACA_SECRET_KEY__{credentials} (its credentials in the mapping)"
            )
        return named[credentials]
    if not settings.alpaca:
        raise AuthError(
            f"account {label}: set ALPACA_API_KEY_ID and ALPACA_SECRET_KEY to sync Alpaca accounts"
        )
    if paper != settings.alpaca_paper:
        kind = "paper" if paper else "live"
        raise AuthError(
            f"account {label} is {kind}; the default Alpaca keys (ALPACA_PAPER) are not: give "
            "it named credentials in the mapping"
        )
    return settings.alpaca_api_key_id, settings.alpaca_secret_key  # type: ignore[return-value]


__all__ = [
    "AccountInfo",
    "AuthError",
    "Broker",
    "CircuitOpenError",
    "Fill",
    "IncompleteData",
    "MalformedResponse",
    "MarketData",
    "PermanentError",
    "PositionInfo",
    "ProviderError",
    "ProviderSettings",
    "RetryPolicy",
    "TransientError",
    "breaker_states",
    "broker_for",
    "market_data_for",
    "reset_breakers",
]
