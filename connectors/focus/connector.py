"""The FOCUS connector: a file source, so `test()` needs no network and `collect()` reads a path.

Imports normally go through `core.services.focus_import.import_focus` (CLI `import-focus`, a
document sent to the bot), which streams the file straight into daily cost lines. `collect()`
exists for the contract: it reads the file named by the connection option `path`.
"""

from __future__ import annotations

import json
from typing import ClassVar

from pydantic import Field

from connectors.base import BaseConnector, Credentials
from connectors.errors import InvalidInput
from connectors.focus.reader import IDENTITY_FIELDS, FocusReader
from core.domain.collection import AccountInfo, Collection, CostLine, Window

__all__ = ["FocusConnector", "FocusCredentials"]


class FocusCredentials(Credentials):
    """Nothing secret: a label for the billing account and a currency for files without one."""

    account_name: str = Field(default="FOCUS export", max_length=100)
    default_currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$",
                                         json_schema_extra={"wizard": False})


class FocusConnector(BaseConnector[FocusCredentials]):
    kind: ClassVar[str] = "focus"
    display_name: ClassVar[str] = "FOCUS (AWS, Azure, GCP, OCI)"
    credentials_model: ClassVar[type[Credentials]] = FocusCredentials
    file_import: ClassVar[bool] = True

    async def test(self, creds: FocusCredentials) -> AccountInfo:
        return AccountInfo(account_id=creds.account_name, display_name=creds.account_name,
                           currency=(creds.default_currency or "USD").upper())

    async def collect(self, creds: FocusCredentials, window: Window) -> Collection:
        path = self.options.get("path")
        if not path:
            raise InvalidInput("a FOCUS connection is fed by file import (import-focus)",
                               provider=self.kind)
        lines = []
        reader = FocusReader(str(path), default_currency=creds.default_currency)
        for start, end, _lump, billed, effective, list_cost, contracted, qty, identity in reader:
            fields = dict(zip(IDENTITY_FIELDS, identity, strict=True))
            tags = fields.pop("tags")
            lines.append(CostLine(
                charge_period_start=start, charge_period_end=end,
                billed_cost=billed, effective_cost=effective, list_cost=list_cost,
                contracted_cost=contracted, pricing_quantity=qty,
                tags=_tags(tags), **fields))  # type: ignore[arg-type]
        return Collection(account=await self.test(creds), cost_lines=lines,
                          complete_inventory=False)


def _tags(text: str | None) -> dict[str, str]:
    return dict(json.loads(text)) if text else {}
