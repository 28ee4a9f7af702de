"""Where a FOCUS export keeps what we need, and how one record's identity is normalised.

Shared by the row-by-row reader (`reader.py`) and the columnar one (`arrow_reader.py`) so both
accept the same headers (case-insensitive, FOCUS 1.0–1.2 variants, the first of duplicated
names) and build the same identity from the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connectors.errors import InvalidInput
from connectors.focus.values import CellCache
from core.domain.billing_files import IDENTITY_FIELDS

__all__ = ["FALLBACKS", "IDENTITY_COLUMNS", "IDENTITY_FIELDS", "MONEY_COLUMNS", "REQUIRED",
           "CellError", "FocusLayout", "bad", "finish_identity"]

REQUIRED = ("BilledCost", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency")
IDENTITY_COLUMNS = ("ResourceId", "ResourceName", "ResourceType", "ServiceName",
                    "ServiceCategory", "SkuId", "RegionId", "SubAccountId", "SubAccountName",
                    "ChargeCategory", "BillingCurrency", "PricingUnit", "ProviderName", "Tags")
# when a column is absent or null, the first present alternative is used
FALLBACKS: dict[str, tuple[str, ...]] = {
    "RegionId": ("RegionName", "x_Region", "AvailabilityZone"),
    "ProviderName": ("ServiceProviderName", "PublisherName", "InvoiceIssuerName", "x_Provider"),
    "ServiceName": ("x_ServiceName", "x_ServiceCode"),
    "SubAccountName": ("x_AccountName",),
    "SkuId": ("SkuPriceId",),
}
# FOCUS before 1.0 (0.5) named some columns differently: read them as their 1.0 names
PRE_1_0 = {"providername": "provider", "publishername": "publisher",
           "invoiceissuername": "invoiceissuer", "effectivecost": "amortizedcost",
           "chargecategory": "chargetype", "regionid": "region"}
# columns a version added (the newest found names the file's version)
_VERSIONS = (("1.3", ("serviceprovidername", "hostprovidername", "contractapplied",
                      "allocatedmethodid")),
             ("1.2", ("invoiceid", "pricingcurrency", "billingaccounttype",
                      "capacityreservationid")),
             ("1.1", ("servicesubcategory", "skumeter", "skupricedetails",
                      "commitmentdiscountquantity")),
             ("1.0", ("chargecategory", "effectivecost", "providername")))
MONEY_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity")
_LEN = (255, 255, 64, 128, 64, 128, 64, 255, 255, 32, None, 64, 64, None)  # per identity field
_TAGS = IDENTITY_FIELDS.index("tags")
_CURRENCY = IDENTITY_FIELDS.index("billing_currency")


class CellError(ValueError):
    """A cell that cannot be used, with the column it came from (the caller adds the line)."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def bad(line: int | None, column: str | None, message: str) -> InvalidInput:
    """The import error users see: `line 3, column BilledCost: 'abc' is not a number`."""
    where = ", ".join(p for p in (f"line {line}" if line else "",
                                  f"column {column}" if column else "") if p)
    return InvalidInput(f"{where}: {message}" if where else message, provider="focus",
                        row=line, column=column)


@dataclass(frozen=True)
class FocusLayout:
    """Column positions of one header; `slots` lists each identity field's candidates in order."""

    width: int
    index: dict[str, int]
    version: str = "1.0"

    @classmethod
    def from_header(cls, header: Sequence[str], default_currency: str | None,
                    described: str = "") -> FocusLayout:
        """Raises `InvalidInput` (line 1) when a required column is missing; `described`
        (how the file was read) goes into that message."""
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            index.setdefault(name.strip().lstrip("\ufeff").lower(), i)
        version = next((v for v, marks in _VERSIONS if any(m in index for m in marks)),
                       "0.5")
        for new, old in PRE_1_0.items():
            if new not in index and old in index:
                index[new] = index[old]
        missing = [c for c in REQUIRED if c.lower() not in index
                   and not (c == "BillingCurrency" and default_currency)]
        if missing:
            hint = " (or give a default currency)" if missing == ["BillingCurrency"] else ""
            seen = ", ".join(h.strip() for h in header[:6]) + (", …" if len(header) > 6 else "")
            how = f"; {described}" if described else ""
            raise bad(1, missing[0], f"required column {missing[0]} is missing{hint}; "
                                     f"this does not look like a FOCUS export (header: {seen}"
                                     f"{how})")
        return cls(len(header), index, version)

    def position(self, name: str) -> int | None:
        return self.index.get(name.lower())

    def slots(self) -> list[tuple[int, ...]]:
        """Per identity field, the positions of its present column and fallbacks, in order."""
        return [tuple(pos for candidate in (name, *FALLBACKS.get(name, ()))
                      if (pos := self.position(candidate)) is not None)
                for name in IDENTITY_COLUMNS]


def finish_identity(values: Sequence[str | None], cells: CellCache,
                    default_currency: str | None) -> tuple[str | None, ...]:
    """Identity from each field's first non-null cell (stripped, None when all were null).

    Tags become canonical JSON (or ""), the currency upper case (or the default), long texts
    are cut to the column sizes. Raises `CellError` naming the column at fault.
    """
    ident = list(values)
    tags = ident[_TAGS]
    try:
        ident[_TAGS] = cells.tags(tags) if tags else ""
    except ValueError as exc:
        raise CellError("Tags", str(exc)) from None
    currency = ident[_CURRENCY]
    if not currency:
        if not default_currency:
            raise CellError("BillingCurrency", "empty: every row needs one")
        currency = default_currency
    elif len(currency) != 3 or not currency.isalpha():
        raise CellError("BillingCurrency", f"{currency!r} is not a 3-letter currency code")
    ident[_CURRENCY] = currency.upper()
    for pos, limit in enumerate(_LEN):
        value = ident[pos]
        if limit is not None and value is not None:
            ident[pos] = value[:limit]
    return tuple(ident)
