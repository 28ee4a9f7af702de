"""Which billing file is this? FOCUS, a Yandex Cloud billing detail or a manual cost CSV.

Every file path (the CLI's `import` / `import-focus`, a document sent to the bot) asks here
instead of trusting the connection's kind: the header decides, read with the file's own
encoding and delimiter (`connectors.safe_io.open_text_detected`, within the read limits).
A header that is none of them is refused with what was read, so the user sees why.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from connectors.errors import InvalidInput
from connectors.focus.layout import PRE_1_0
from connectors.manual_csv.reader import column_key
from connectors.safe_io import ReadLimits, open_text_detected, sample_rows
from connectors.yandex.export import REQUIRED_COLUMNS as YANDEX_COLUMNS
from core.domain.billing_files import FileKind, OpenedFile, RecordSource

__all__ = ["BILLING_FILES", "FOCUS", "MANUAL", "YANDEX", "BillingFileReaders", "detect_format",
           "format_of_header"]

FOCUS, YANDEX, MANUAL = "focus", "yandex", "manual_csv"
_FOCUS_MARKS = frozenset({"billedcost", "chargeperiodstart", *PRE_1_0.values()} - {"region"})


def format_of_header(header: list[str]) -> str | None:
    """`focus`, `yandex`, `manual_csv` or None, from a header row."""
    names = [h.strip().lstrip("\ufeff") for h in header]
    lowered = {n.lower() for n in names}
    if all(c in names for c in YANDEX_COLUMNS):
        return YANDEX
    if {"billedcost", "chargeperiodstart"} <= lowered or (
            "chargeperiodstart" in lowered and lowered & _FOCUS_MARKS):
        return FOCUS
    keys = {column_key(n) for n in names}
    if {"date", "cost"} <= keys and keys & {"service", "resource"}:
        return MANUAL
    return None


def detect_format(source: str | Path | IO[bytes], limits: ReadLimits | None = None) -> str:
    """The format of a path or a seekable stream (put back where it was); InvalidInput when
    the header is none we read, naming what was read."""
    start = None if isinstance(source, str | Path) else source.tell()
    text, fmt = open_text_detected(source, limits, provider="file")
    text.close()  # a caller's stream is not closed with it (`safe_io.open_binary`)
    if start is not None:
        source.seek(start)  # type: ignore[union-attr]
    rows = sample_rows(fmt, limit=2) or [[]]
    header = next((row for row in rows if any(c.strip() for c in row)), [])
    if not header:
        raise InvalidInput("the file is empty: expected a FOCUS export, a Yandex Cloud billing "
                           "detail or a cost CSV with a header date,service,resource,cost",
                           provider="file")
    found = format_of_header(header)
    if found is None:
        seen = ", ".join(h.strip() for h in header[:6]) + (", …" if len(header) > 6 else "")
        raise InvalidInput(
            "line 1: this is not a FOCUS export, a Yandex Cloud billing detail or a cost CSV "
            f"with date, service, resource and cost columns (header: {seen}; "
            f"{fmt.describe()})", provider="file", row=1)
    return found


_KINDS: dict[str, FileKind] = {FOCUS: "focus", YANDEX: "yandex", MANUAL: "manual"}


class BillingFileReaders:
    """`core.ports.BillingFiles` over this package's readers; given to core at the composition
    root, so the importer never imports a reader."""

    def detect(self, source: str | Path | IO[bytes], limits: ReadLimits | None) -> FileKind:
        return _KINDS[detect_format(source, limits)]

    def open(self, source: str | Path | IO[bytes], kind: FileKind, *, currency: str | None,
             provider_name: str | None, limits: ReadLimits | None) -> OpenedFile:
        if kind == "yandex":
            from connectors.yandex.export import BillingFileReader
            return OpenedFile(kind, BillingFileReader(source, limits=limits))
        if kind == "manual":
            from connectors.manual_csv.reader import ManualCsvReader
            return OpenedFile(kind, ManualCsvReader(source, currency=currency or "RUB",
                                                    provider_name=provider_name,
                                                    limits=limits))
        from connectors.focus.arrow_reader import ArrowFocusReader
        from connectors.focus.reader import FocusReader
        rows = FocusReader(source, default_currency=currency, limits=limits)
        if not ArrowFocusReader.usable(source):
            return OpenedFile(kind, rows)
        fast = ArrowFocusReader(source, default_currency=currency, limits=limits)

        def row_by_row() -> RecordSource:
            fast.rewind()  # a caller's stream back to where the file began
            return rows

        return OpenedFile(kind, fast, fallback=row_by_row)


BILLING_FILES = BillingFileReaders()
