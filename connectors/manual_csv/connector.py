"""The manual CSV connector: costs typed into a spreadsheet for a provider without an API.

Nothing to test against and nothing secret; imports go through
`core.services.focus_import.import_manual_csv`. `collect()` reads the option `path`.
"""

from __future__ import annotations

import json
from typing import ClassVar

from pydantic import Field

from connectors.base import BaseConnector, Credentials
from connectors.errors import InvalidInput
from connectors.focus.reader import IDENTITY_FIELDS
from connectors.manual_csv.reader import ManualCsvReader
from core.domain.collection import AccountInfo, Collection, CostLine, Window

__all__ = ["ManualCsvConnector", "ManualCsvCredentials"]


class ManualCsvCredentials(Credentials):
    """Only labels: which provider these costs are from."""

    provider_name: str = Field(default="Other", min_length=1, max_length=64)


class ManualCsvConnector(BaseConnector[ManualCsvCredentials]):
    kind: ClassVar[str] = "manual_csv"
    display_name: ClassVar[str] = "Manual CSV"
    credentials_model: ClassVar[type[Credentials]] = ManualCsvCredentials
    file_import: ClassVar[bool] = True

    async def test(self, creds: ManualCsvCredentials) -> AccountInfo:
        return AccountInfo(account_id=creds.provider_name, display_name=creds.provider_name,
                           currency=str(self.options.get("currency") or "RUB"))

    async def collect(self, creds: ManualCsvCredentials, window: Window) -> Collection:
        path = self.options.get("path")
        if not path:
            raise InvalidInput("a manual CSV connection is fed by file import (import-focus)",
                               provider=self.kind)
        reader = ManualCsvReader(str(path), currency=str(self.options.get("currency") or "RUB"),
                                 provider_name=creds.provider_name)
        lines = []
        for start, end, _lump, billed, *_amounts, identity in reader:
            fields = dict(zip(IDENTITY_FIELDS, identity, strict=True))
            tags = fields.pop("tags")
            lines.append(CostLine(charge_period_start=start, charge_period_end=end,
                                  billed_cost=billed,
                                  tags=json.loads(tags) if tags else {},
                                  **fields))  # type: ignore[arg-type]
        return Collection(account=await self.test(creds), cost_lines=lines,
                          complete_inventory=False)
