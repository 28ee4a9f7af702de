"""Follow-up questions in a chat: "а в сентябре?", "а по Selectel?", "почему?", "подробнее".

A follow-up modifies the previous question instead of standing alone: a new period or filter
replaces the old one, the intent stays; "а по сервисам?" ranks the same question by services.
"почему?" asks for the anomalies and drivers of the previous period, "подробнее" for its
breakdown by resource. Pure code: the bot keeps the
previous question (`encode` / `decode`) and decides how old is too old.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from core.query.lexicon import normalize
from core.query.model import Filters, GroupBy, Intent, ParsedQuery, Period, PeriodSource

__all__ = ["FollowUp", "FollowUpKind", "decode", "encode", "follow_up"]

MAX_WORDS = 7
"""A follow-up is short; a long sentence without an intent is a new (unclear) question."""

_WHY = re.compile(r"^(?:а\s+|and\s+|so\s+)?(?:почему|отчего|с\s+чего\s+(?:бы\s+)?(?:это|так)?"
                  r"|из-за\s+чего|why(?:\s+(?:is\s+that|so))?|how\s+come)\s*[?!.]*$")
_MORE = re.compile(r"^(?:а\s+|and\s+)?(?:(?:а\s+)?(?:по)?подробн[а-я]*|детальн[а-я]*"
                   r"|детал[а-я]*|расшифр[а-я]*|по\s+ресурсам|more(?:\s+details?)?"
                   r"|(?:in\s+)?(?:more\s+)?details?|drill\s+down|break\s*it\s+down)"
                   r"(?:\s+(?:please|пожалуйста|плиз))?\s*[?!.]*$")
_CUE = re.compile(r"^(?:а|и|ну\s+а|а\s+если|and|what\s+about|how\s+about|same\s+for|now)"
                  r"(?![\w])")
_WORDS = re.compile(r"[^\W_]+")


class FollowUpKind(StrEnum):
    MODIFY = "modify"
    WHY = "why"
    MORE = "more"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What the follow-up asks; `query` is the previous question with the changes applied."""

    kind: FollowUpKind
    query: ParsedQuery


def _merge_filters(old: Filters, new: Filters) -> Filters:
    """Filters named now replace the same kind; a new provider drops an old connection."""
    values = {name: getattr(old, name) for name in ("provider", "connection", "service",
                                                     "region", "project", "team", "resource")}
    for name in values:
        value = getattr(new, name)
        if value is not None:
            values[name] = value
    if new.provider is not None and new.connection is None:
        values["connection"] = None
    if new.connection is not None and new.provider is None:
        values["provider"] = None
    tags = dict(old.tags)
    tags.update(dict(new.tags))
    return Filters(**values, tags=tuple(tags.items()))


def follow_up(text: str, parsed: ParsedQuery, previous: ParsedQuery | None) -> FollowUp | None:
    """The follow-up `text` makes to `previous`, or None when it stands alone."""
    if previous is None or previous.intent is Intent.UNKNOWN:
        return None
    norm = normalize(text)
    if _WHY.match(norm):
        return FollowUp(FollowUpKind.WHY, replace(previous, intent=Intent.ANOMALIES,
                                                  unparsed=(), reading=None))
    if _MORE.match(norm):
        return FollowUp(FollowUpKind.MORE, replace(previous, intent=Intent.TOP, unparsed=(),
                                                   reading=None, group_by=None))
    changes_period = parsed.period_source is PeriodSource.TEXT
    changes_filters = not parsed.filters.is_empty
    changes_group = parsed.group_by is not None  # "а по сервисам?": the same, ranked anew
    if not (changes_period or changes_filters or changes_group):
        return None
    if parsed.understood and not _CUE.match(norm):
        return None  # a complete question of its own ("прогноз на декабрь")
    if len(_WORDS.findall(norm)) > MAX_WORDS:
        return None
    intent = parsed.intent if parsed.understood else previous.intent
    merged = replace(
        previous, intent=intent,
        period=parsed.period if changes_period else previous.period,
        period_source=PeriodSource.TEXT if changes_period else previous.period_source,
        filters=_merge_filters(previous.filters, parsed.filters),
        unparsed=parsed.unparsed, reading=parsed.reading if changes_period else None,
        lang=parsed.lang,
        group_by=(parsed.group_by or previous.group_by) if intent is Intent.TOP else None,
    )
    return FollowUp(FollowUpKind.MODIFY, merged)


def encode(parsed: ParsedQuery) -> dict[str, Any]:
    """A plain-JSON copy to keep in the chat's state (names and dates only)."""
    out = parsed.to_dict()
    out["filters"] = {**out["filters"], "tags": [list(t) for t in parsed.filters.tags]}
    return out


def decode(raw: dict[str, Any]) -> ParsedQuery | None:
    """Back from `encode`; None for anything malformed (old or tampered state)."""
    try:
        f = dict(raw["filters"])
        tags = tuple((str(k), str(v)) for k, v in f.pop("tags", []))
        filters = Filters(**{k: (str(v) if v is not None else None) for k, v in f.items()},
                          tags=tags)
        return ParsedQuery(
            intent=Intent(raw["intent"]),
            period=Period(date.fromisoformat(raw["period"]["start"]),
                          date.fromisoformat(raw["period"]["end"])),
            period_source=PeriodSource(raw["period_source"]), filters=filters,
            top_n=int(raw["top_n"]) if raw.get("top_n") else None,
            lang=str(raw.get("lang", "ru")),
            group_by=GroupBy(raw["group_by"]) if raw.get("group_by") else None,
        )
    except (KeyError, TypeError, ValueError):
        return None
