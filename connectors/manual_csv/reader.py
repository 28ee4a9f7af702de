"""Reads a hand-made cost CSV: `date,service,resource,cost[,tags][,currency]`, one row a cost.

Made for spreadsheets: the header is required and matched case-insensitively (Russian names
too: дата, сервис, ресурс, стоимость, теги, валюта; a unit after a comma or in brackets, as in
`Стоимость, руб`, is ignored). The encoding (UTF-8, with a BOM or not, Windows-1251 as Russian
Excel saves "CSV") and the delimiter (`,` `;` tab) are detected from the first bytes
(`connectors.safe_io.open_text_detected`); cost may use a decimal comma and grouped thousands
(`1 234,56`), one decimal mark per file (`connectors.parsing.NumberReader`); dates are
`YYYY-MM-DD` or `DD.MM.YYYY`, tags are `team=web;env=prod` (or comma-separated). The first
bad cell stops the import with the line (header = line 1) and column named. Each row is one
UTC day.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO

from connectors.errors import InvalidInput
from connectors.focus.reader import FocusRecord
from connectors.parsing import NumberReader
from connectors.safe_io import (
    FileFacts,
    ReadLimits,
    RecordGuard,
    TextFormat,
    open_text_detected,
    sample_rows,
)

__all__ = ["COLUMNS", "ManualCsvReader", "column_key", "parse_tag_pairs"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "дата", "день"),
    "service": ("service", "сервис", "услуга"),
    "resource": ("resource", "ресурс"),
    "cost": ("cost", "amount", "стоимость", "сумма"),
    "tags": ("tags", "теги", "метки"),
    "currency": ("currency", "валюта"),
}
REQUIRED = ("date", "service", "resource", "cost")
FORMAT = "manual CSV"
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DAY = timedelta(days=1)


def parse_tag_pairs(text: str) -> dict[str, str]:
    """`team=web;env=prod` → {"team": "web", "env": "prod"}; ValueError names a bad pair."""
    tags: dict[str, str] = {}
    for pair in re.split(r"[;,]", text):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{pair.strip()!r} is not key=value (write team=web;env=prod)")
        tags[key.strip()] = value.strip()
    return tags


def column_key(name: str) -> str | None:
    """`Стоимость, руб` → `cost`: which of COLUMNS a header cell names (None: none)."""
    base = re.split(r"[,(]", name.strip().lstrip("\ufeff"))[0].strip().lower()
    return next((key for key, aliases in COLUMNS.items() if base in aliases), None)


def _parse_day(text: str) -> date:
    text = text.strip()
    match = _RU_DATE.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{text!r} is not a date (write 2026-11-05 or 05.11.2026)") from None


class ManualCsvReader:
    """Iterate rows as `FocusRecord`s (one day each); `rows` counts data rows read."""

    def __init__(self, source: str | Path | IO[bytes], *, currency: str = "RUB",
                 provider_name: str | None = None, limits: ReadLimits | None = None) -> None:
        self.source = source
        self.limits = limits or ReadLimits()
        self.currency = currency.upper()
        self.provider_name = provider_name
        self.rows = 0
        self.facts: FileFacts | None = None

    def _bad(self, line: int | None, column: str | None, message: str) -> InvalidInput:
        where = ", ".join(p for p in (f"line {line}" if line else "",
                                      f"column {column}" if column else "") if p)
        return InvalidInput(f"{where}: {message}" if where else message, provider="manual_csv",
                            row=line, column=column)

    def __iter__(self) -> Iterator[FocusRecord]:
        text, fmt = open_text_detected(self.source, self.limits, provider="manual_csv")
        try:
            yield from self._records(RecordGuard(text, self.limits, provider="manual_csv"), fmt)
        except UnicodeDecodeError as exc:
            raise self._bad(None, None, f"the file is not {fmt.encoding_label} text after all "
                                        f"(byte {exc.object[exc.start:exc.start + 1]!r}; "
                                        f"{fmt.describe()} from its first bytes): save it as "
                                        "CSV UTF-8") from None
        except csv.Error as exc:
            raise self._bad(None, None, f"not a readable CSV file: {exc} ({fmt.describe()})"
                            ) from None
        finally:
            text.close()

    def _records(self, text: RecordGuard, fmt: TextFormat) -> Iterator[FocusRecord]:
        reader = csv.reader(text, delimiter=fmt.delimiter)
        header = next(reader, None)
        text.held = 0
        if header is None or not any(h.strip() for h in header):
            raise self._bad(None, None, "the file is empty: expected a header "
                                        "date,service,resource,cost")
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            key = column_key(name)
            if key is not None:
                index.setdefault(key, i)
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            raise self._bad(1, missing[0], f"required column {missing[0]} is missing; the "
                                           "header must be date,service,resource,cost"
                                           "[,tags][,currency] (or Дата;Сервис;Ресурс;Стоимость;"
                                           f"…); {fmt.describe()}")
        cost = index["cost"]
        numbers = NumberReader.from_sample(
            row[cost] for row in sample_rows(fmt)[1:] if cost < len(row) and row[cost].strip())
        self.facts = fmt.facts(FORMAT, numbers.style)
        for row in reader:
            text.held = 0
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            self.rows += 1
            yield self._record(row, index, line, numbers)
        self.facts = fmt.facts(FORMAT, numbers.style)

    def _cell(self, row: list[str], index: dict[str, int], key: str, line: int) -> str:
        i = index.get(key)
        if i is None:
            return ""
        if i >= len(row):
            raise self._bad(line, key, f"missing: the row has {len(row)} fields")
        return row[i].strip()

    def _record(self, row: list[str], index: dict[str, int], line: int,
                numbers: NumberReader) -> FocusRecord:
        column = "date"
        try:
            day = _parse_day(self._cell(row, index, "date", line))
            column = "cost"
            cost = numbers(self._cell(row, index, "cost", line))
            column = "tags"
            tags = parse_tag_pairs(self._cell(row, index, "tags", line))
        except ValueError as exc:
            raise self._bad(line, column, str(exc)) from None
        service = self._cell(row, index, "service", line)
        resource = self._cell(row, index, "resource", line)
        if not service and not resource:
            raise self._bad(line, "service", "empty: name the service or the resource")
        currency = (self._cell(row, index, "currency", line) or self.currency).upper()
        if len(currency) != 3 or not currency.isalpha():
            raise self._bad(line, "currency", f"{currency!r} is not a 3-letter code like RUB")
        start = datetime.combine(day, time(), UTC)
        identity = (resource[:255] or None, resource[:255] or None, None,
                    service[:128] or None, None, None, None, None, None, "Usage", currency,
                    None, self.provider_name,
                    json.dumps(tags, sort_keys=True, ensure_ascii=False) if tags else "")
        return (start, start + _DAY, False, cost, None, None, None, None, identity)
