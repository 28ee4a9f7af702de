"""Last resort for dates the rule table does not know: "2 недели назад", "3 days ago",
"10/3/2026". Handed to `dateparser`, which knows these in many languages.

Only consulted when no period rule matched and a cheap pattern says a date may be there,
so ordinary questions never pay dateparser's cost (its first call loads language data).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from core.query.calendar import DateRange
from core.query.lexicon import NUM, UNIT

__all__ = ["dateparser_period"]

_CANDIDATE = re.compile(
    rf"(?<![\w])(?:(?:{NUM}|an?)\s+)?{UNIT}\s+(?:назад|ago)(?![\w])"
    r"|(?<![\w/])(?:\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})|\d{4}/\d{1,2}/\d{1,2})(?![\w/])"
)


def dateparser_period(text: str, today: date) -> tuple[tuple[int, int], DateRange] | None:
    """One day named in a way only dateparser reads, with the span it came from."""
    m = _CANDIDATE.search(text)
    if m is None:
        return None
    import dateparser  # lazy: importing costs ~0.2 s and most runs never get here

    order = "YMD" if re.match(r"\d{4}/", m.group()) else "DMY"
    settings = {"RELATIVE_BASE": datetime.combine(today, time()), "PREFER_DATES_FROM": "past",
                "DATE_ORDER": order, "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        parsed = dateparser.parse(m.group(), languages=["ru", "en"], settings=settings)
    except Exception:  # a third-party parser must not break the bot on odd input
        return None
    if parsed is None:
        return None
    day = parsed.date()
    return m.span(), (day, day)
