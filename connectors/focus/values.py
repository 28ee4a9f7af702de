"""Cell parsers for billing files: nulls, date/times and tags, strict but forgiving.

Exports in the wild write nulls as empty, `NULL` or `null`; date/times as ISO 8601 with or
without `T`/`Z`, or US `5/1/25`; tags as a JSON object, with or without its braces. (Money is
read by `connectors.parsing.NumberReader`, the one rule of every file.) Anything else is
refused with a `ValueError` the reader turns into a row-and-column message. `CellCache` keeps
date/time and tag results per distinct string: exports repeat the same hours and tag sets.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

__all__ = ["NULLS", "CellCache", "parse_tags", "parse_time"]

NULLS = frozenset({"", "NULL", "null", "Null", "None", "N/A"})
_US_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_CACHE_LIMIT = 200_000


class CellCache:
    """Per-reader memo of parsed date/times and tags (bounded)."""

    def __init__(self) -> None:
        self._times: dict[str, datetime] = {}
        self._tags: dict[str, str] = {}

    def time(self, text: str) -> datetime:
        cached = self._times.get(text)
        if cached is None:
            cached = parse_time(text)
            if len(self._times) >= _CACHE_LIMIT:
                self._times.clear()
            self._times[text] = cached
        return cached

    def tags(self, text: str) -> str:
        cached = self._tags.get(text)
        if cached is None:
            cached = parse_tags(text)
            if len(self._tags) >= _CACHE_LIMIT:
                self._tags.clear()
            self._tags[text] = cached
        return cached


def parse_time(text: str) -> datetime:
    """ISO 8601 (`2024-09-18 23:00:00`, `...T...Z`, offsets) or US `M/D/YY`; naive means UTC."""
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        match = _US_DATE.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a date/time (expected YYYY-MM-DDTHH:MM:SSZ)"
                             ) from None
        month, day, year, hour, minute, second = match.groups()
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        try:
            value = datetime(full_year, int(month), int(day), int(hour or 0), int(minute or 0),
                             int(second or 0), tzinfo=UTC)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid date/time") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_tags(text: str) -> str:
    """A JSON object of tags → canonical JSON (sorted keys, string values), `""` when empty.

    Azure cost exports write the object without its braces (`"team": "web","env": "prod"`):
    read as if they were there."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.strip()
        if stripped.startswith('"'):
            try:
                data = json.loads("{" + stripped + "}")
            except json.JSONDecodeError:
                data = None
            if isinstance(data, dict):
                return _canonical(data)
        raise ValueError(f"not valid JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object such as {\"team\": \"web\"}")  # noqa: TRY004
    return _canonical(data)


def _canonical(data: dict[object, object]) -> str:
    tags = {str(k).strip(): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k, v in data.items() if str(k).strip()}
    return json.dumps(tags, sort_keys=True, ensure_ascii=False) if tags else ""
