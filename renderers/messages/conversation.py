"""The header of a free-text answer: what the bot understood (intent, period, filters), the
reading it chose for an ambiguous phrase, and the words it did not use — never silently wrong.
"""

from __future__ import annotations

from core.query.model import ParsedQuery, PeriodSource
from renderers.i18n import t
from renderers.messages.answers_common import esc, period_label

__all__ = ["filter_parts", "understood_header", "unparsed_words"]


def filter_parts(parsed: ParsedQuery, lang: str) -> list[str]:
    """"провайдер selectel", "тег env=prod" … for every filter the question was narrowed to."""
    parts: list[str] = []
    for name, value in parsed.filters.to_dict().items():
        if name == "tags":
            parts.extend(t("answers.filter.tag", lang, key=esc(k), value=esc(v))
                         for k, v in value.items())
        else:
            parts.append(t(f"answers.filter.{name}", lang, value=esc(value)))
    return parts


def unparsed_words(parsed: ParsedQuery) -> str:
    return ", ".join(f"«{esc(w)}»" for w in parsed.unparsed[:10])


def understood_header(parsed: ParsedQuery, lang: str, *, follow_up: str | None = None) -> str:
    """Lines above the answer: follow-up note, "🔎 Понял: …" (intent, what a ranking ranks,
    period, filters), reading, words not used."""
    period = period_label(parsed.period.start, parsed.period.end, lang)
    if parsed.period_source is PeriodSource.DEFAULT:
        period = t("conversation.default_period", lang, period=period)
    parts = [t(f"conversation.intent.{parsed.intent.value}", lang), period,
             *filter_parts(parsed, lang)]
    if parsed.group_by is not None:  # what a ranking ranks: "самые дорогие · по сервисам"
        parts.insert(1, t(f"conversation.group_by.{parsed.group_by.value}", lang))
    lines = [t(f"conversation.follow_up.{follow_up}", lang)] if follow_up else []
    lines.append(t("conversation.understood", lang, parts=" · ".join(parts)))
    if parsed.reading:
        lines.append(t(f"conversation.reading.{parsed.reading}", lang))
    if parsed.unparsed:
        lines.append(t("conversation.unparsed", lang, words=unparsed_words(parsed)))
    return "\n".join(lines)
