"""Reads a hand-made cost CSV: `date,service,resource,cost[,tags][,currency]`, one row a cost.

Made for spreadsheets: the header is required and matched case-insensitively (Russian names
too: дата, сервис, ресурс, стоимость, теги, валюта); `;` is accepted as the delimiter (Excel in
Russian locales), cost may use a decimal comma (`1 234,56`), dates are `YYYY-MM-DD` or
`DD.MM.YYYY`, tags are `team=web;env=prod` (or comma-separated). The first bad cell stops the
import with the line (header = line 1) and column named. Each row is one UTC day.
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
from connectors.safe_io import ReadLimits, RecordGuard, open_text
from core.domain.money import MoneyParseError, parse_decimal

__all__ = ["COLUMNS", "ManualCsvReader", "parse_tag_pairs"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "дата", "день"),
    "service": ("service", "сервис", "услуга"),
    "resource": ("resource", "ресурс"),
    "cost": ("cost", "amount", "стоимость", "сумма"),
    "tags": ("tags", "теги", "метки"),
    "currency": ("currency", "валюта"),
}
REQUIRED = ("date", "service", "resource", "cost")
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

    def _bad(self, line: int | None, column: str | None, message: str) -> InvalidInput:
        where = ", ".join(p for p in (f"line {line}" if line else "",
                                      f"column {column}" if column else "") if p)
        return InvalidInput(f"{where}: {message}" if where else message, provider="manual_csv",
                            row=line, column=column)

    def __iter__(self) -> Iterator[FocusRecord]:
        text = open_text(self.source, self.limits, provider="manual_csv")
        try:
            yield from self._records(RecordGuard(text, self.limits, provider="manual_csv"))
        except UnicodeDecodeError:
            raise self._bad(None, None, "the file is not UTF-8 text (save it as CSV UTF-8)"
                            ) from None
        except csv.Error as exc:
            raise self._bad(None, None, f"not a readable CSV file: {exc}") from None
        finally:
            text.close()

    def _records(self, text: RecordGuard) -> Iterator[FocusRecord]:
        first = next(text, "")  # a header line: bounded by the line limit
        text.held = 0
        if not first.strip():
            raise self._bad(None, None, "the file is empty: expected a header "
                                        "date,service,resource,cost")
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = next(csv.reader([first], delimiter=delimiter))
        names = [h.strip().lstrip("\ufeff").lower() for h in header]
        index: dict[str, int] = {}
        for key, aliases in COLUMNS.items():
            for i, name in enumerate(names):
                if name in aliases:
                    index[key] = i
                    break
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            raise self._bad(1, missing[0], f"required column {missing[0]} is missing; the "
                                           "header must be date,service,resource,cost"
                                           "[,tags][,currency]")
        reader = csv.reader(text, delimiter=delimiter)
        for row in reader:
            text.held = 0
            line = reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            self.rows += 1
            yield self._record(row, index, line)

    def _cell(self, row: list[str], index: dict[str, int], key: str, line: int) -> str:
        i = index.get(key)
        if i is None:
            return ""
        if i >= len(row):
            raise self._bad(line, key, f"missing: the row has {len(row)} fields")
        return row[i].strip()

    def _record(self, row: list[str], index: dict[str, int], line: int) -> FocusRecord:
        column = "date"
        try:
            day = _parse_day(self._cell(row, index, "date", line))
            column = "cost"
            cost = parse_decimal(self._cell(row, index, "cost", line), field="cost")
            column = "tags"
            tags = parse_tag_pairs(self._cell(row, index, "tags", line))
        except (ValueError, MoneyParseError) as exc:
            raise self._bad(line, column, str(exc).removeprefix("cost: ")) from None
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
