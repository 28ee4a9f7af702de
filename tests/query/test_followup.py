"""Follow-ups modify the previous question: a new period or filter replaces the old one, the
intent stays; "почему?" asks for anomalies, "подробнее" for the breakdown."""

from __future__ import annotations

from datetime import date

import pytest

from core.query import Intent, parse
from core.query.followup import FollowUpKind, decode, encode, follow_up

TODAY = date(2026, 11, 18)


def _after(previous: str, text: str) -> tuple[str, str, str, dict[str, str]] | None:
    prev = parse(previous, today=TODAY)
    found = follow_up(text, parse(text, today=TODAY), prev)
    if found is None:
        return None
    q = found.query
    return found.kind.value, q.intent.value, f"{q.period.start}..{q.period.end}", \
        q.filters.to_dict()


@pytest.mark.parametrize(("text", "expected"), [
    ("а в сентябре?", ("modify", "spend", "2026-09-01..2026-09-30", {"provider": "beget"})),
    ("а по Selectel?", ("modify", "spend", "2026-10-01..2026-10-31", {"provider": "selectel"})),
    ("а за прошлый год?", ("modify", "spend", "2025-01-01..2025-12-31", {"provider": "beget"})),
    ("and last month?", ("modify", "spend", "2026-10-01..2026-10-31", {"provider": "beget"})),
    ("what about yandex?", ("modify", "spend", "2026-10-01..2026-10-31",
                            {"provider": "yandex"})),
    ("почему?", ("why", "anomalies", "2026-10-01..2026-10-31", {"provider": "beget"})),
    ("Why?", ("why", "anomalies", "2026-10-01..2026-10-31", {"provider": "beget"})),
    ("с чего это?", ("why", "anomalies", "2026-10-01..2026-10-31", {"provider": "beget"})),
    ("подробнее", ("more", "top", "2026-10-01..2026-10-31", {"provider": "beget"})),
    ("more detail please", ("more", "top", "2026-10-01..2026-10-31", {"provider": "beget"})),
])
def test_follow_ups_after_a_spend_question(text: str,
                                           expected: tuple[str, str, str, dict[str, str]]
                                           ) -> None:
    assert _after("сколько потратили на beget в октябре", text) == expected


def test_a_complete_question_stands_alone() -> None:
    assert _after("сколько потратили в октябре", "прогноз на декабрь") is None
    assert _after("сколько потратили в октябре", "расходы на селектеле за сентябрь") is None


def test_a_cued_question_with_its_own_intent_keeps_the_previous_filters() -> None:
    got = _after("сколько потратили на beget в октябре", "а топ за сентябрь?")
    assert got == ("modify", "top", "2026-09-01..2026-09-30", {"provider": "beget"})


def test_nothing_to_follow() -> None:
    assert follow_up("почему?", parse("почему?", today=TODAY), None) is None
    unknown = parse("привет", today=TODAY)
    assert follow_up("а в сентябре?", parse("а в сентябре?", today=TODAY), unknown) is None


def test_a_long_sentence_without_an_intent_is_not_a_follow_up() -> None:
    text = "а вот интересно что там было в сентябре у соседей по офису вообще"
    assert _after("сколько потратили в октябре", text) is None


def test_the_kept_question_survives_the_chat_state() -> None:
    parsed = parse("топ-5 проекта api на селектеле в октябре, тег env=prod", today=TODAY)
    assert decode(encode(parsed)) == parsed.__class__(
        intent=parsed.intent, period=parsed.period, period_source=parsed.period_source,
        filters=parsed.filters, top_n=parsed.top_n, lang=parsed.lang)
    assert decode({"intent": "nonsense"}) is None
    assert decode({}) is None


def test_why_keeps_the_kind() -> None:
    prev = parse("расходы за прошлую неделю", today=TODAY)
    found = follow_up("почему?", parse("почему?", today=TODAY), prev)
    assert found is not None
    assert found.kind is FollowUpKind.WHY
    assert found.query.intent is Intent.ANOMALIES
    assert (found.query.period.start, found.query.period.end) == (date(2026, 11, 9),
                                                                   date(2026, 11, 15))
