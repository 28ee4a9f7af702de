"""Free-text questions → `ParsedQuery` (intent, period, filters), Russian and English.

Pure code: no database, no bot. The bot builds a `Vocabulary` from the organisation's names
and calls `parse(text, today=..., known=vocabulary)`.
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
