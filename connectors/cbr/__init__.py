"""The Bank of Russia's official daily exchange rates (not a cost connector: rates only)."""

from connectors.cbr.client import DEFAULT_ENDPOINT, CbrClient, DailyRates, parse_daily

__all__ = ["DEFAULT_ENDPOINT", "CbrClient", "DailyRates", "parse_daily"]
