"""Streams a FOCUS 1.0–1.2 export (CSV or gzipped CSV) as compact cost records.

Memory stays bounded: the file is read through `gzip` (when the magic bytes say so) and a text
stream into the `csv` module one row at a time; nothing but the current row is held.

Required columns (the minimum to place money in time): BilledCost, ChargePeriodStart,
ChargePeriodEnd, and BillingCurrency unless the caller supplies a default currency (the FOCUS
spec examples omit it). Every other FOCUS column is optional and used when present; header
names match case-insensitively (`SkuPriceid`); custom `x_` columns are ignored except as the
fallbacks in `FALLBACKS`. The first bad row stops the import with an `InvalidInput` naming the
line (as an editor counts it, header = line 1) and the column.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple

from connectors.errors import InvalidInput
from connectors.focus.values import NULLS, CellCache, parse_money

__all__ = ["FALLBACKS", "IDENTITY_FIELDS", "REQUIRED", "FocusReader", "FocusRecord", "open_text"]

csv.field_size_limit(16 * 1024 * 1024)

REQUIRED = ("BilledCost", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency")
# the identity of a cost record besides its period, in this order (core aggregates on it)
IDENTITY_FIELDS = ("resource_id", "resource_name", "resource_type", "service_name",
                   "service_category", "sku_id", "region_id", "sub_account_id",
                   "sub_account_name", "charge_category", "billing_currency", "pricing_unit",
                   "provider_name", "tags")
_IDENTITY_COLUMNS = ("ResourceId", "ResourceName", "ResourceType", "ServiceName",
                     "ServiceCategory", "SkuId", "RegionId", "SubAccountId", "SubAccountName",
                     "ChargeCategory", "BillingCurrency", "PricingUnit", "ProviderName", "Tags")
# when a column is absent or null, the first present alternative is used
FALLBACKS: dict[str, tuple[str, ...]] = {
    "RegionId": ("RegionName", "x_Region", "AvailabilityZone"),
    "ProviderName": ("PublisherName", "InvoiceIssuerName", "x_Provider"),
    "ServiceName": ("x_ServiceName", "x_ServiceCode"),
    "SubAccountName": ("x_AccountName",),
    "SkuId": ("SkuPriceId",),
}
_MONEY = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity")
_LEN = {"resource_id": 255, "resource_name": 255, "resource_type": 64, "service_name": 128,
        "service_category": 64, "sku_id": 128, "region_id": 64, "sub_account_id": 255,
        "sub_account_name": 255, "charge_category": 32, "pricing_unit": 64,
        "provider_name": 64}


class FocusRecord(NamedTuple):
    """One row: its period, whether to lump it on the first day, amounts and identity."""

    start: datetime
    end: datetime
    lump: bool
    billed: Decimal
    effective: Decimal | None
    list_cost: Decimal | None
    contracted: Decimal | None
    quantity: Decimal | None
    identity: tuple[str | None, ...]  # IDENTITY_FIELDS; tags as canonical JSON or ""


def open_text(source: str | Path | IO[bytes]) -> IO[str]:
    """A text stream over a path or binary stream, gunzipped when it starts with gzip magic."""
    raw: IO[bytes]
    if isinstance(source, str | Path):
        try:
            raw = open(source, "rb")  # noqa: SIM115 - handed to the caller, closed with it
        except OSError as exc:
            raise InvalidInput(f"cannot open {source}: {exc.strerror}", provider="focus") from None
    else:
        raw = source
    buffered: Any = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    binary: Any = gzip.GzipFile(fileobj=buffered) if buffered.peek(2)[:2] == b"\x1f\x8b" \
        else buffered
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


class FocusReader:
    """Iterate `FocusRecord`s; `rows` counts data rows read so far."""

    def __init__(self, source: str | Path | IO[bytes], *,
                 default_currency: str | None = None) -> None:
        self.source = source
        self.default_currency = default_currency.upper() if default_currency else None
        self.rows = 0
        self._cells = CellCache()

    def __iter__(self) -> Iterator[FocusRecord]:
        text = open_text(self.source)
        try:
            yield from self._records(text)
        except UnicodeDecodeError:
            raise self._bad(None, None, "the file is not UTF-8 text (save the export as UTF-8 "
                                        "CSV)") from None
        except (gzip.BadGzipFile, EOFError, OSError) as exc:
            raise self._bad(None, None, f"the file cannot be decompressed: {exc}") from None
        except csv.Error as exc:
            raise self._bad(None, None, f"not a readable CSV file: {exc}") from None
        finally:
            text.close()

    @staticmethod
    def _bad(line: int | None, column: str | None, message: str) -> InvalidInput:
        where = ", ".join(p for p in (f"line {line}" if line else "",
                                      f"column {column}" if column else "") if p)
        return InvalidInput(f"{where}: {message}" if where else message, provider="focus",
                            row=line, column=column)

    def _header(self, reader: Iterator[list[str]]) -> tuple[int, dict[str, int]]:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise self._bad(None, None, "the file is empty: expected a FOCUS CSV with a header")
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            index.setdefault(name.strip().lstrip("\ufeff").lower(), i)
        missing = [c for c in REQUIRED if c.lower() not in index
                   and not (c == "BillingCurrency" and self.default_currency)]
        if missing:
            hint = " (or give a default currency)" if missing == ["BillingCurrency"] else ""
            raise self._bad(1, missing[0], f"required column {missing[0]} is missing{hint}; "
                                           f"this does not look like a FOCUS export")
        return len(header), index

    def _records(self, text: IO[str]) -> Iterator[FocusRecord]:
        reader = csv.reader(text)
        width, index = self._header(reader)

        def col(name: str) -> int | None:
            return index.get(name.lower())

        def pick(name: str) -> tuple[int, ...]:
            found = [col(n) for n in (name, *FALLBACKS.get(name, ()))]
            return tuple(i for i in found if i is not None)

        ident_cols = [pick(name) for name in _IDENTITY_COLUMNS]
        tags_pos = _IDENTITY_COLUMNS.index("Tags")
        cur_pos = _IDENTITY_COLUMNS.index("BillingCurrency")
        money_cols = [(name, col(name)) for name in _MONEY]
        i_start, i_end = col("ChargePeriodStart"), col("ChargePeriodEnd")
        i_freq = col("ChargeFrequency")
        if i_start is None or i_end is None:  # pragma: no cover - checked by _header
            raise self._bad(1, "ChargePeriodStart", "missing")
        limits = [_LEN.get(f) for f in IDENTITY_FIELDS]
        cells, nulls, default_cur = self._cells, NULLS, self.default_currency
        for row in reader:
            if len(row) != width:
                if not row or not any(c.strip() for c in row):
                    continue  # blank line (the FOCUS spec examples have them)
                raise self._bad(reader.line_num, None,
                                f"{len(row)} fields where the header has {width}")
            self.rows += 1
            line = reader.line_num
            try:
                column = "ChargePeriodStart"
                start = cells.time(row[i_start])
                column = "ChargePeriodEnd"
                end = cells.time(row[i_end])
                amounts: list[Decimal | None] = []
                for column, i in money_cols:  # noqa: B007 - `column` names the failing cell
                    cell = row[i] if i is not None else ""
                    amounts.append(None if cell in nulls else parse_money(cell))
                ident: list[str | None] = []
                for pos, candidates in enumerate(ident_cols):
                    value = None
                    for i in candidates:
                        cell = row[i]
                        if cell not in nulls:
                            value = cell.strip()
                            break
                    if pos == tags_pos:
                        column = "Tags"
                        value = cells.tags(value) if value else ""
                    elif value is not None and limits[pos] is not None:
                        value = value[:limits[pos]]
                    ident.append(value)
            except ValueError as exc:
                raise self._bad(line, column, str(exc)) from None
            if amounts[0] is None:
                raise self._bad(line, "BilledCost", "empty: every row needs a BilledCost")
            currency = ident[cur_pos]
            if not currency:
                if not default_cur:
                    raise self._bad(line, "BillingCurrency", "empty: every row needs one")
                ident[cur_pos] = default_cur
            elif len(currency) != 3 or not currency.isalpha():
                raise self._bad(line, "BillingCurrency",
                                f"{currency!r} is not a 3-letter currency code")
            elif not currency.isupper():
                ident[cur_pos] = currency.upper()
            if end < start:
                raise self._bad(line, "ChargePeriodEnd", "ends before ChargePeriodStart")
            lump = i_freq is not None and row[i_freq].strip().lower() == "one-time"
            yield FocusRecord(start, end, lump, amounts[0], amounts[1], amounts[2], amounts[3],
                              amounts[4], tuple(ident))
