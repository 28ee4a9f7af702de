"""Typed connector errors (defined in `core.domain.connector_errors`, where core can use them)."""

from __future__ import annotations

from core.domain.connector_errors import (
    BadCredentials,
    ConnectorError,
    InvalidInput,
    NoPermission,
    ProviderError,
    RateLimited,
    Unreachable,
)

__all__ = [
    "BadCredentials",
    "ConnectorError",
    "InvalidInput",
    "NoPermission",
    "ProviderError",
    "RateLimited",
    "Unreachable",
]
