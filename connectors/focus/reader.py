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
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

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


# One row: (start, end, lump on the first day?, billed, effective, list, contracted, quantity,
# identity in IDENTITY_FIELDS order with tags as canonical JSON or ""). A plain tuple: the
# reader makes a million of them and a class would cost more than the parsing.
FocusRecord = tuple[datetime, datetime, bool, Decimal, Decimal | None, Decimal | None,
                    Decimal | None, Decimal | None, tuple[str | None, ...]]


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


def _required(cell: str, nulls: frozenset[str], money: Callable[[str], Decimal]) -> Decimal:
    if cell in nulls:
        raise ValueError("empty: every row needs a BilledCost")
    return money(cell)


class FocusReader:
    """Iterate `FocusRecord`s; `rows` counts data rows read so far."""

    def __init__(self, source: str | Path | IO[bytes], *,
                 default_currency: str | None = None) -> None:
        self.source = source
        self.default_currency = default_currency.upper() if default_currency else None
        self.rows = 0
        self._cells = CellCache()
        self._identities: dict[tuple[str, ...], tuple[str | None, ...]] = {}

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

    def _identity(self, raw: tuple[str, ...], slots: list[tuple[int, ...]],
                  line: int) -> tuple[str | None, ...]:
        """Normalise one distinct raw identity (nulls, fallbacks, lengths, tags, currency)."""
        ident: list[str | None] = []
        for candidates in slots:
            value = None
            for i in candidates:
                cell = raw[i]
                if cell not in NULLS:
                    value = cell.strip()
                    break
            ident.append(value)
        tags_pos = IDENTITY_FIELDS.index("tags")
        try:
            ident[tags_pos] = self._cells.tags(ident[tags_pos] or "") if ident[tags_pos] else ""
        except ValueError as exc:
            raise self._bad(line, "Tags", str(exc)) from None
        cur_pos = IDENTITY_FIELDS.index("billing_currency")
        currency = ident[cur_pos]
        if not currency:
            if not self.default_currency:
                raise self._bad(line, "BillingCurrency", "empty: every row needs one")
            currency = self.default_currency
        elif len(currency) != 3 or not currency.isalpha():
            raise self._bad(line, "BillingCurrency",
                            f"{currency!r} is not a 3-letter currency code")
        ident[cur_pos] = currency.upper()
        for pos, field_name in enumerate(IDENTITY_FIELDS):
            limit = _LEN.get(field_name)
            value = ident[pos]
            if limit is not None and value is not None:
                ident[pos] = value[:limit]
        return tuple(ident)

    def _records(self, text: IO[str]) -> Iterator[FocusRecord]:
        """The hot loop: C-level cell picking; identities normalised once per distinct value."""
        reader = csv.reader(text)
        width, index = self._header(reader)

        def col(name: str) -> int:
            return index.get(name.lower(), width)  # `width` is the empty cell appended below

        # raw identity = the primary and fallback cells, picked in one C call per row
        raw_cols: list[int] = []
        slots: list[tuple[int, ...]] = []
        for name in _IDENTITY_COLUMNS:
            slot = []
            for candidate in (name, *FALLBACKS.get(name, ())):
                if candidate.lower() in index:
                    slot.append(len(raw_cols))
                    raw_cols.append(col(candidate))
            slots.append(tuple(slot))
        pick = itemgetter(*raw_cols, width, width)  # two pads: a tuple even for one column
        i_start, i_end, i_freq = col("ChargePeriodStart"), col("ChargePeriodEnd"),\
            col("ChargeFrequency")
        i_billed, i_eff, i_list, i_con, i_qty = (col(n) for n in _MONEY)
        times, nulls, identities = self._cells.time, NULLS, self._identities
        money = parse_money
        for row in reader:
            if len(row) != width:
                if not row or not any(c.strip() for c in row):
                    continue  # blank line (the FOCUS spec examples have them)
                raise self._bad(reader.line_num, None,
                                f"{len(row)} fields where the header has {width}")
            self.rows += 1
            row.append("")
            raw = pick(row)
            ident = identities.get(raw)
            if ident is None:
                ident = self._identity(raw, slots, reader.line_num)
                if len(identities) >= 100_000:
                    identities.clear()
                identities[raw] = ident
            column = "ChargePeriodStart"
            try:
                start = times(row[i_start])
                column = "ChargePeriodEnd"
                end = times(row[i_end])
                column = "BilledCost"
                cell = row[i_billed]
                billed = _required(cell, nulls, money)
                column = "EffectiveCost"
                cell = row[i_eff]
                effective = None if cell in nulls else money(cell)
                column = "ListCost"
                cell = row[i_list]
                list_cost = None if cell in nulls else money(cell)
                column = "ContractedCost"
                cell = row[i_con]
                contracted = None if cell in nulls else money(cell)
                column = "PricingQuantity"
                cell = row[i_qty]
                quantity = None if cell in nulls else money(cell)
            except ValueError as exc:
                raise self._bad(reader.line_num, column, str(exc)) from None
            if end < start:
                raise self._bad(reader.line_num, "ChargePeriodEnd",
                                "ends before ChargePeriodStart")
            freq = row[i_freq]
            yield (start, end, freq == "One-Time" or freq.lower() == "one-time", billed,
                   effective, list_cost, contracted, quantity, ident)
