"""Typed connector errors, each one a thing a user can act on.

They live in the domain because core records and shows them (a sync's failure, a file refused)
while connectors raise them; `connectors.errors` re-exports them for the connectors' own use.

    ConnectorError                  anything that stopped a connector call
    ├── BadCredentials              the provider rejected the credentials (fix them)
    ├── NoPermission                credentials work but lack a role/permission (grant it)
    ├── Unreachable                 network, DNS, TLS or timeout (check the endpoint, retry later)
    ├── RateLimited(retry_after)    the provider asked us to slow down (retried automatically)
    ├── ProviderError               the provider answered 5xx or something we cannot read
    └── InvalidInput                a file or a parameter we were given is malformed

`code` is stable and maps to a translated message in `renderers/locales/*/connectors.json`
(`connectors.error.<code>`); `detail` is the provider's own words, safe to show (never secrets).
`retryable` separates "try again later" from "needs the user" (Home Assistant's
ConfigEntryNotReady vs ConfigEntryError).
"""

from __future__ import annotations

__all__ = [
    "BadCredentials",
    "ConnectorError",
    "InvalidInput",
    "NoPermission",
    "ProviderError",
    "RateLimited",
    "Unreachable",
]


class ConnectorError(Exception):
    """Base of every error a connector raises."""

    code = "provider_error"
    retryable = False

    def __init__(self, detail: str = "", *, provider: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.provider = provider


class BadCredentials(ConnectorError):
    code = "bad_credentials"


class NoPermission(ConnectorError):
    code = "no_permission"


class Unreachable(ConnectorError):
    code = "unreachable"
    retryable = True


class ProviderError(ConnectorError):
    code = "provider_error"
    retryable = True


class RateLimited(ConnectorError):
    code = "rate_limited"
    retryable = True

    def __init__(self, detail: str = "", *, provider: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(detail, provider=provider)
        self.retry_after = retry_after


class InvalidInput(ConnectorError):
    """Malformed input we were handed (a file, a price list): fix the input, not the provider."""

    code = "invalid_input"

    def __init__(self, detail: str = "", *, provider: str = "", row: int | None = None,
                 column: str | None = None) -> None:
        super().__init__(detail, provider=provider)
        self.row = row
        self.column = column
