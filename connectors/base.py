"""The connector contract: one small protocol, one registry line per provider.

A connector is pure I/O: it turns credentials and a window into a `Collection` of normalised
records and never touches the database or the bot. Partial failures inside `collect` become
`Collection.warnings`; failures that stop it raise a `connectors.errors.ConnectorError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast, runtime_checkable

import httpx
from pydantic import BaseModel, ConfigDict

from connectors.http import ProviderHttp, RetryPolicy, Timeouts
from core.domain.collection import AccountInfo, Collection, Window
from core.domain.secrets import mask_secrets, secret_fields, secret_values

__all__ = ["BaseConnector", "Connector", "Credentials", "mask_secrets", "secret_fields",
           "secret_values", "wizard_fields"]

class Credentials(BaseModel):
    """Base of every connector's credential model; secrets are `SecretStr`.

    Fields marked `json_schema_extra={"wizard": False}` are not asked by the bot's wizard
    (they have defaults or come from a file/CLI, e.g. a price list).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


C = TypeVar("C", bound=Credentials)


@runtime_checkable
class Connector(Protocol):
    """What core and the bot rely on."""

    kind: ClassVar[str]
    display_name: ClassVar[str]
    credentials_model: ClassVar[type[Credentials]]
    has_balance: ClassVar[bool]

    async def test(self, creds: Any) -> AccountInfo: ...

    async def collect(self, creds: Any, window: Window) -> Collection: ...


class BaseConnector(Generic[C]):
    """Shared plumbing: the injected HTTP client, the endpoint override, per-connection options
    (the option `timeout` becomes the `Timeouts` of every request this connector sends)."""

    kind: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    credentials_model: ClassVar[type[Credentials]] = Credentials
    has_balance: ClassVar[bool] = False
    default_endpoint: ClassVar[str] = ""

    def __init__(self, client: httpx.AsyncClient, *, endpoint: str | None = None,
                 options: Mapping[str, Any] | None = None,
                 retry: RetryPolicy | None = None) -> None:
        self.options: Mapping[str, Any] = options or {}
        self.http = ProviderHttp(client, self.kind, retry,
                                 timeouts=Timeouts.from_options(self.options, provider=self.kind))
        self.endpoint = (endpoint or self.default_endpoint).rstrip("/")

    def parse_credentials(self, raw: Mapping[str, Any] | C) -> C:
        """Validate raw JSON (from the vault or a wizard) into this connector's model."""
        if isinstance(raw, Credentials):
            return raw
        return cast(C, self.credentials_model.model_validate(dict(raw)))

    async def test(self, creds: C) -> AccountInfo:
        raise NotImplementedError

    async def collect(self, creds: C, window: Window) -> Collection:
        raise NotImplementedError


def wizard_fields(model: type[BaseModel]) -> list[str]:
    """Fields the bot asks for, in declaration order (skips `wizard: False` fields)."""
    names = []
    for name, f in model.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        if extra.get("wizard", True):
            names.append(name)
    return names
