"""Which credential values are secret, and masking them where a provider echoed one back.

Pure pydantic: core masks a failed sync's message before storing it, connectors and the bot's
wizard ask which fields are secret; both import it from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

from core.domain.connector_errors import ConnectorError

__all__ = ["MIN_MASKED", "mask_secrets", "secret_fields", "secret_values"]

MIN_MASKED = 4  # shorter values would mask ordinary words


def secret_values(creds: BaseModel) -> list[str]:
    """Every `SecretStr` value anywhere in `creds`, longest first (for masking echoes)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(creds)
    return sorted({v for v in found if len(v) >= MIN_MASKED}, key=len, reverse=True)


def mask_secrets(error: ConnectorError, creds: BaseModel | None) -> ConnectorError:
    """The same error with any secret of `creds` the provider echoed back replaced by ***:
    its detail is shown in the chat, printed by the CLI and stored as the sync error."""
    if creds is None:
        return error
    detail = error.detail
    for value in secret_values(creds):
        detail = detail.replace(value, "***")
    if detail != error.detail:
        error.detail = detail
        error.args = (detail or error.code,)
    return error


def _field_is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or (
        hasattr(annotation, "__args__") and SecretStr in getattr(annotation, "__args__", ()))


def secret_fields(model: type[BaseModel]) -> list[str]:
    """Names of the fields whose values must never be logged, echoed or left in a chat."""
    return [name for name, f in model.model_fields.items() if _field_is_secret(f.annotation)]


