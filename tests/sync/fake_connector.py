"""A tiny in-process connector for tests: the test queues what `collect` returns or raises."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import SecretStr

from connectors.base import BaseConnector, Credentials
from connectors.errors import BadCredentials, ConnectorError
from core.domain.collection import AccountInfo, Collection, Window


class FakeCredentials(Credentials):
    account: str
    token: SecretStr


class FakeConnector(BaseConnector[FakeCredentials]):
    kind = "fake"
    display_name = "Fake"
    credentials_model = FakeCredentials
    has_balance = True
    queue: ClassVar[list[Collection | ConnectorError]] = []
    seen_windows: ClassVar[list[Window]] = []

    async def test(self, creds: FakeCredentials) -> AccountInfo:
        if creds.token.get_secret_value() == "bad":
            raise BadCredentials("token rejected", provider=self.kind)
        return AccountInfo(account_id=creds.account, display_name="Fake account")

    async def collect(self, creds: FakeCredentials, window: Window) -> Collection:
        self.seen_windows.append(window)
        item: Any = self.queue.pop(0)
        if isinstance(item, ConnectorError):
            raise item
        assert isinstance(item, Collection)
        return item
