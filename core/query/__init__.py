"""Free-text questions → `ParsedQuery` (intent, period, filters), Russian and English.

Pure code: no database, no bot, no clock — the caller passes `today` (in the organisation's
time zone). The bot builds a `Vocabulary` from the organisation's names and calls
`parse(text, today=..., known=vocabulary)`.

Period conventions (end inclusive):
- calendar periods ("в октябре", "this week", "Q3") stop at today unless the intent is a
  forecast or budget, which look at the whole period;
- a month or quarter without a year is the latest one that has begun; for a forecast the
  next one not yet over; for a budget the closest;
- "за 2 недели", "last 30 days", "за квартал", "за год" are rolling windows ending today
  (quarter = 3 months, year = 12 months); "на прошлой неделе" is the previous ISO week;
- "за выходные" is the latest weekend that has begun;
- no period in the text: this month to date (whole month for forecast and budget),
  with `period_source = "default"`.
"""

from core.query.model import (
    Filters,
    Intent,
    ParsedQuery,
    Period,
    PeriodSource,
    Vocabulary,
)
from core.query.parser import parse

__all__ = ["Filters", "Intent", "ParsedQuery", "Period", "PeriodSource", "Vocabulary", "parse"]
