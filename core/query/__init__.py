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

Readings chosen for ambiguous phrases (reported in `ParsedQuery.reading`, said in the answer):
- `weekday`: "в прошлую пятницу" / "last Friday" is that day of the previous ISO week;
  "в пятницу" / "on Friday" the latest one on or before today; "с понедельника" / "since
  Monday" runs from the latest Monday to today;
- `week_days`: "первая неделя ноября" is days 1–7, then 8–14, 15–21, 22–28; "последняя
  неделя октября" the month's last seven days;
- `lone_day`: "3-го" / "on the 3rd" is this month's 3rd if it has come, else last month's.
Any period takes an explicit or relative year ("в марте 2025", "Q2 last year", "второй
квартал прошлого года"); "позапрошлый квартал/год" and "the quarter/year before last" count
back two. Requests and remarks about money ("дай денег", "pay the invoice") are not
questions (`unknown`). Follow-ups are `core.query.followup`.
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
