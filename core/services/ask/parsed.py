"""A parsed free-text question (`core.query`) turned into an executable `Question`.

The parser names a connection, a provider, a service … as single values; a `Question`
holds tuples, so a command with several filters and a sentence look the same to `ask`.
What a top ranks ("топ сервисов") becomes `Question.by`; unnamed, the answer ranks resources.
"""

from __future__ import annotations

from core.query.model import Intent, ParsedQuery
from core.services.ask.types import Question
from core.services.costs import CostFilters, Dimension

__all__ = ["question_from_parsed"]

DEFAULT_TOP = 10


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def question_from_parsed(parsed: ParsedQuery) -> Question | None:
    """The question to run, or None when the parser did not understand the intent."""
    if parsed.intent is Intent.UNKNOWN:
        return None
    f = parsed.filters
    filters = CostFilters(providers=_one(f.provider), services=_one(f.service),
                          regions=_one(f.region), projects=_one(f.project),
                          teams=_one(f.team), resource_names=_one(f.resource),
                          tags=tuple(f.tags))
    by = Dimension(parsed.group_by.value) if parsed.group_by is not None else None
    return Question(parsed.intent, parsed.period.start, parsed.period.end,
                    filters, connection_names=_one(f.connection), by=by,
                    limit=parsed.top_n or DEFAULT_TOP)
