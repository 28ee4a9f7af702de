"""What a billing-file reader hands the importer: records, a row counter and the file's facts.

Readers live in `connectors` (FOCUS, Yandex Cloud billing detail, manual CSV); the importer in
`core.services.focus_import` stages and swaps what they yield. These are the shapes both sides
agree on, so core never imports a reader (it receives one through `core.ports.BillingFiles`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:  # the CLI starts without NumPy: only the columnar path imports it
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]
    Flags = npt.NDArray[np.bool_]
else:
    Ints = Flags = Any

__all__ = ["IDENTITY_FIELDS", "CodedTexts", "ColumnSource", "DailyColumns", "FastPathUnavailable",
           "FileFacts", "FileKind", "FocusRecord", "NullableUnits", "OpenedFile", "RecordSource",
           "Source"]

Source = str | Path | IO[bytes]
FileKind = Literal["focus", "yandex", "manual"]

# the identity of a cost record besides its period, in this order (core aggregates on it)
IDENTITY_FIELDS = ("resource_id", "resource_name", "resource_type", "service_name",
                   "service_category", "sku_id", "region_id", "sub_account_id",
                   "sub_account_name", "charge_category", "billing_currency", "pricing_unit",
                   "provider_name", "tags")

# One row: (start, end, lump on the first day?, billed, effective, list, contracted, quantity,
# identity in IDENTITY_FIELDS order with tags as canonical JSON or ""). A plain tuple: a reader
# makes a million of them and a class would cost more than the parsing.
FocusRecord = tuple[datetime, datetime, bool, Decimal, Decimal | None, Decimal | None,
                    Decimal | None, Decimal | None, tuple[str | None, ...]]


@dataclass(frozen=True, slots=True)
class NullableUnits:
    """An amount column that may have gaps: integer units per line, `valid` False where the
    file had none (None: every line has one)."""

    values: Ints
    valid: Flags | None = None

    def at(self, n: int) -> int | None:
        return None if self.valid is not None and not self.valid[n] else int(self.values[n])


@dataclass(frozen=True, slots=True)
class CodedTexts:
    """A text column as a code per line into its distinct `texts` (each worked on once)."""

    codes: Ints
    texts: list[str | None]

    def at(self, n: int) -> str | None:
        return self.texts[int(self.codes[n])]


@dataclass(frozen=True, slots=True)
class DailyColumns:
    """Single-day lines already summed per (day, identity), column by column as NumPy arrays:
    what a columnar reader hands the importer so a million lines never become a million
    Python records (nor a million Python values before the driver's own).

    Per line: `number` (its identity's number, the same for the whole read), `day` (a
    date's ordinal), the amounts as integer units of 10**-scale (rounded half to even, as
    `core.db.types.CostMoney` stores them; the optional ones None when no line has one) and
    the quantity as exact decimal text. The identities numbered first in this chunk come
    with their values (`fresh_numbers`, `fresh_idents`): a line's identity was handed out
    with its number in this chunk or an earlier one. `spans`: per (currency, provider name,
    sub-account id) of the lines' identities, the exact billed sum and the first and last
    day (the import's totals and replace scope)."""

    fresh_numbers: list[int]
    fresh_idents: list[tuple[str | None, ...]]  # IDENTITY_FIELDS order, tags JSON or ""
    spans: list[tuple[str | None, str | None, str | None, Decimal, date, date]]
    number: Ints
    day: Ints
    billed: Ints
    effective: Ints
    list_cost: NullableUnits | None
    contracted: NullableUnits | None
    quantity: CodedTexts | None

    def __len__(self) -> int:
        return len(self.day)


@runtime_checkable
class ColumnSource(Protocol):
    """A reader that can also hand out `DailyColumns` (with the multi-day rows, which need
    the importer's daily split, as `FocusRecord`s between them)."""

    def daily_columns(self, scale: int) -> Iterator[DailyColumns | FocusRecord]: ...


class FastPathUnavailable(Exception):  # noqa: N818 - a signal, not an error users see
    """The file needs the row-by-row reader; whatever was read from it so far is void."""


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What an import found out about a file, for its summary: the format (`FOCUS 1.2`,
    `Yandex Cloud billing detail`, `manual CSV`), the encoding and delimiter it was read
    with, and the decimal mark its numbers use (`point`, `comma`, None: none seen)."""

    format: str
    encoding: str
    delimiter: str
    decimal: str | None


class RecordSource(Protocol):
    """An iterable of records that counts the data rows it read and learns the file's facts."""

    rows: int
    facts: FileFacts | None

    def __iter__(self) -> Iterator[FocusRecord]: ...


@dataclass(frozen=True)
class OpenedFile:
    """A billing file ready to read: `records`, and when they are a fast path that may give up
    (`FastPathUnavailable`), `fallback` returns the row-by-row reader of the same file."""

    kind: FileKind
    records: RecordSource
    fallback: Callable[[], RecordSource] | None = None
