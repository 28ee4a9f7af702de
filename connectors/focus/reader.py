"""Streams a FOCUS 1.0–1.3 export (CSV or gzipped CSV; also pre-1.0 column names) as compact
cost records.

Memory stays bounded: the file is read through `gzip` (when the magic bytes say so) and a text
stream into the `csv` module one row at a time; nothing but the current row is held, and
`connectors.safe_io` refuses a line or record, a file or a decompression ratio past its limits.
The encoding (UTF-8, with a BOM or not, Windows-1251), the delimiter (`,` `;` tab) and the
decimal mark of the money columns are decided once from the first bytes
(`safe_io.open_text_detected`, `connectors.parsing.NumberReader`); a money cell that
contradicts the file's decimal mark is refused with its line and column.

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
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import IO

from connectors import safe_io
from connectors.errors import InvalidInput
from connectors.focus.layout import (
    FALLBACKS,
    IDENTITY_FIELDS,
    MONEY_COLUMNS,
    REQUIRED,
    CellError,
    FocusLayout,
    bad,
    finish_identity,
)
from connectors.focus.values import NULLS, CellCache
from connectors.parsing import NumberReader
from connectors.safe_io import FileFacts, ReadLimits, RecordGuard, TextFormat, sample_rows
from core.domain.billing_files import FocusRecord

__all__ = ["FALLBACKS", "IDENTITY_FIELDS", "REQUIRED", "FocusReader", "FocusRecord", "open_text",
           "sample_numbers"]

csv.field_size_limit(16 * 1024 * 1024)



def open_text(source: str | Path | IO[bytes], limits: ReadLimits | None = None) -> IO[str]:
    """A text stream over a path or binary stream, gunzipped when it starts with gzip magic,
    read within `limits` (line length, decompressed size and ratio: `connectors.safe_io`)."""
    return safe_io.open_text(source, limits, provider="focus")


def sample_numbers(fmt: TextFormat, columns: Iterable[str]) -> NumberReader:
    """The file's number style, decided from the money cells of its sampled rows."""
    rows = sample_rows(fmt)
    if not rows:
        return NumberReader()
    names = [h.strip().lstrip("\ufeff").lower() for h in rows[0]]
    wanted = {c.lower() for c in columns}
    positions = [i for i, name in enumerate(names) if name in wanted]
    return NumberReader.from_sample(row[i] for row in rows[1:] for i in positions
                                    if i < len(row) and row[i].strip() not in NULLS)


def _required(cell: str, nulls: frozenset[str], money: Callable[[str], Decimal]) -> Decimal:
    if cell in nulls:
        raise ValueError("empty: every row needs a BilledCost")
    return money(cell)


class FocusReader:
    """Iterate `FocusRecord`s; `rows` counts data rows read so far."""

    def __init__(self, source: str | Path | IO[bytes], *,
                 default_currency: str | None = None, limits: ReadLimits | None = None) -> None:
        self.source = source
        self.limits = limits or ReadLimits()
        self.default_currency = default_currency.upper() if default_currency else None
        self.rows = 0
        self.facts: FileFacts | None = None
        self._cells = CellCache()
        self._identities: dict[tuple[str, ...], tuple[str | None, ...]] = {}

    def __iter__(self) -> Iterator[FocusRecord]:
        text, fmt = safe_io.open_text_detected(self.source, self.limits, provider="focus")
        numbers = sample_numbers(fmt, (*MONEY_COLUMNS, "AmortizedCost"))
        try:
            yield from self._records(RecordGuard(text, self.limits, provider="focus"), fmt,
                                     numbers)
        except UnicodeDecodeError as exc:
            raise self._bad(None, None, f"the file is not {fmt.encoding_label} text after all "
                                        f"(byte {exc.object[exc.start:exc.start + 1]!r}; "
                                        f"{fmt.describe()} from its first bytes): save the "
                                        "export as CSV UTF-8") from None
        except (gzip.BadGzipFile, EOFError, OSError) as exc:
            raise self._bad(None, None, f"the file cannot be decompressed: {exc}") from None
        except csv.Error as exc:
            raise self._bad(None, None, f"not a readable CSV file: {exc}") from None
        finally:
            text.close()

    @staticmethod
    def _bad(line: int | None, column: str | None, message: str) -> InvalidInput:
        return bad(line, column, message)

    def _header(self, reader: Iterator[list[str]], guard: RecordGuard,
                fmt: TextFormat) -> FocusLayout:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            guard.held = 0
            header = next(reader, None)
        guard.held = 0
        if header is None:
            raise self._bad(None, None, "the file is empty: expected a FOCUS CSV with a header")
        return FocusLayout.from_header(header, self.default_currency, fmt.describe())

    def _identity(self, raw: tuple[str, ...], slots: list[tuple[int, ...]],
                  line: int) -> tuple[str | None, ...]:
        """Normalise one distinct raw identity (nulls, fallbacks, lengths, tags, currency)."""
        values: list[str | None] = []
        for candidates in slots:
            value = None
            for i in candidates:
                cell = raw[i]
                if cell not in NULLS:
                    value = cell.strip()
                    break
            values.append(value)
        try:
            return finish_identity(values, self._cells, self.default_currency)
        except CellError as exc:
            raise self._bad(line, exc.column, str(exc)) from None

    def _records(self, guard: RecordGuard, fmt: TextFormat,
                 numbers: NumberReader) -> Iterator[FocusRecord]:
        """The hot loop: C-level cell picking; identities normalised once per distinct value."""
        reader = csv.reader(guard, delimiter=fmt.delimiter)
        layout = self._header(reader, guard, fmt)
        self.facts = fmt.facts(f"FOCUS {layout.version}", numbers.style)
        width = layout.width

        def col(name: str) -> int:
            pos = layout.position(name)
            return width if pos is None else pos  # `width` is the empty cell appended below

        # raw identity = the primary and fallback cells, picked in one C call per row
        raw_cols: list[int] = []
        slots: list[tuple[int, ...]] = []
        for positions in layout.slots():
            slots.append(tuple(range(len(raw_cols), len(raw_cols) + len(positions))))
            raw_cols.extend(positions)
        pick = itemgetter(*raw_cols, width, width)  # two pads: a tuple even for one column
        i_start, i_end, i_freq = col("ChargePeriodStart"), col("ChargePeriodEnd"),\
            col("ChargeFrequency")
        i_billed, i_eff, i_list, i_con, i_qty = (col(n) for n in MONEY_COLUMNS)
        times, nulls, identities = self._cells.time, NULLS, self._identities
        money = numbers
        for row in reader:
            guard.held = 0
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
        self.facts = fmt.facts(f"FOCUS {layout.version}", numbers.style)
