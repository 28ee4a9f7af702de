"""The last question of a chat, kept in FSM data so a chart button reuses its filters and a
follow-up ("а в сентябре?", "почему?") can modify it.

Only names and dates are stored (no secrets); a button whose period does not match the stored
question falls back to the unfiltered question of that period. A follow-up counts only within
`FOLLOW_UP_WINDOW` of the question it follows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from aiogram.fsm.context import FSMContext

from core.query.followup import decode, encode
from core.query.model import ParsedQuery
from core.services.ask.types import Intent, Question
from core.services.costs import CostFilters, Dimension

__all__ = ["FOLLOW_UP_WINDOW", "recall", "recall_parsed", "remember", "remember_parsed"]

KEY = "last_question"
PARSED_KEY = "last_parsed"
FOLLOW_UP_WINDOW = timedelta(minutes=30)
_LISTS = ("providers", "services", "regions", "projects", "teams", "environments",
          "resource_names")


def _encode(q: Question) -> dict[str, Any]:
    f = q.filters
    return {"start": q.start.isoformat(), "end": q.end.isoformat(),
            "filters": {name: list(getattr(f, name)) for name in _LISTS},
            "tags": [list(tag) for tag in f.tags], "connections": list(q.connection_names),
            "by": q.by.value if q.by else None}


async def remember(state: FSMContext, question: Question) -> None:
    if not question.filters.is_empty() or question.connection_names or question.by:
        await state.update_data({KEY: _encode(question)})
    else:
        await state.update_data({KEY: None})


async def recall(state: FSMContext, intent: Intent, start: date, end: date) -> Question:
    """The remembered question for this period with `intent`, else an unfiltered one."""
    raw = (await state.get_data()).get(KEY)
    if not raw or (raw["start"], raw["end"]) != (start.isoformat(), end.isoformat()):
        return Question(intent, start, end)
    filters = CostFilters(**{name: tuple(raw["filters"].get(name, ())) for name in _LISTS},
                          tags=tuple((str(k), str(v)) for k, v in raw["tags"]))
    by = Dimension(raw["by"]) if raw.get("by") else None  # a top of services charts services
    return Question(intent, start, end, filters, connection_names=tuple(raw["connections"]),
                    by=by)


async def remember_parsed(state: FSMContext, parsed: ParsedQuery, now: datetime) -> None:
    """Keep the understood question (names and dates) for follow-ups."""
    await state.update_data({PARSED_KEY: {"query": encode(parsed), "at": now.isoformat()}})


async def recall_parsed(state: FSMContext, now: datetime) -> ParsedQuery | None:
    """The previous question of this chat if asked within the window, else None."""
    raw = (await state.get_data()).get(PARSED_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        asked = datetime.fromisoformat(str(raw["at"]))
    except (KeyError, ValueError):
        return None
    if not timedelta(0) <= now - asked <= FOLLOW_UP_WINDOW:
        return None
    query = raw.get("query")
    return decode(query) if isinstance(query, dict) else None
