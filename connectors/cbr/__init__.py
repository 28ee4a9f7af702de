"""The Bank of Russia's official daily exchange rates (not a cost connector: rates only)."""

from collections.abc import Awaitable, Callable
from datetime import date

import httpx

from connectors.cbr.client import DEFAULT_ENDPOINT, CbrClient, DailyRates, parse_daily
from connectors.http import ProviderHttp
from core.domain.currency import DailyRates as _Rates

__all__ = ["DEFAULT_ENDPOINT", "CbrClient", "DailyRates", "official_rates", "parse_daily"]


def official_rates(http: httpx.AsyncClient,
                   endpoint: str | None) -> Callable[[date], Awaitable[_Rates]]:
    """`core.ports.RatesFactory`: the daily fetch over the shared client."""
    return CbrClient(ProviderHttp(http, "cbr"), endpoint or DEFAULT_ENDPOINT).daily
