"""`parse(text, today=...)`: one question → `ParsedQuery`. Never raises, never guesses silently.

Order: intent first (it decides whether "в декабре" means the last December or the next),
then the period, tags, organisation names and providers; whatever is left is reported as
`unparsed` so the bot can say what it did understand.
"""

from __future__ import annotations

import re
from datetime import date

from core.query.amounts import find_amounts, mask_amounts
from core.query.calendar import month_range
from core.query.context import NEEDS_CONTEXT, about_our_costs
from core.query.fallback import dateparser_period
from core.query.grouping import find_group_by
from core.query.intents import IntentHit, detect_intent, find_top_n, is_keyword
from core.query.lexicon import correct_day_words, correct_months, normalize
from core.query.model import (
    Filters,
    Intent,
    Lean,
    ParsedQuery,
    Period,
    PeriodSource,
    Vocabulary,
)
from core.query.names import find_names, find_tag_values, find_tags
from core.query.periods import find_period
from core.query.providers import find_providers

__all__ = ["MAX_CHARS", "parse"]

MAX_CHARS = 1000
"""Longer input is cut: no real question is longer, and the cost stays bounded."""

_LEAN: dict[Intent, Lean] = {Intent.FORECAST: Lean.FUTURE, Intent.BUDGET: Lean.NEAREST}
_BUDGET_SPENT = re.compile(
    r"(?<![\w])(?:исполн[а-я]*|уложил[а-я]*|вписал[а-я]*|влезл[а-я]*|превысил[а-я]*"
    r"|перерасходова[а-я]*|израсходова[а-я]*|потратил[а-я]*|факт[а-я]*|actuals?|did|were|was"
    r"|stayed|exceeded|overran|went\s+over|blew)(?![\w])")
"""How a budget went ("исполнение бюджета за первое полугодие", "did we stay within budget
in Q1"): its period is the latest of that name begun, this year's half even in November;
other budget questions take the nearest ("бюджет на январь" in December is next January)."""
_WHOLE_PERIOD = frozenset({Intent.FORECAST, Intent.BUDGET})
"""Intents about a whole period (the month's forecast, budget); others stop at today."""

_AHEAD = frozenset({"until_month_end", "until_quarter_end", "until_year_end", "rest_of_month"})
"""Phrases from today to a period's end ("до конца года"): the days they name are ahead."""
_WORD = re.compile(r"[^\W_]+(?:[-.'][^\W_]+)*")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_STOP_TEXT = """
в во на за по с со к ко у о об от до из и а но ли же бы мы нам нас наш наша наше наши мне меня
я ты вы все всё всего это этот эта эти этого том тот та те что чего как где какой какая какое
какие каков был была было были есть будет покажи показать пришли пришлите сделай дай дайте
скажи подскажи пожалуйста плиз нужно нужен нужна можно у ну вот там тут для про при через
the a an in on for of to and or is are was were be been have has had do does did we our us
me my i you it its this that these those with by from at so far what which how much many any
all there can could would show give tell please about per vs
весь вся целиком инфраструктура инфраструктуру инфраструктуры облака
whole entire everything infrastructure infra clouds
"""  # the last two lines: words for the whole organisation, which every unfiltered answer is
_STOPWORDS = frozenset(_STOP_TEXT.split())


def _detect_lang(text: str) -> str:
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    return "en" if latin > cyrillic else "ru"


def _default_period(intent: Intent, today: date) -> Period:
    first, last = month_range(today.year, today.month)
    return Period(first, last if intent in _WHOLE_PERIOD else today)


def _period_length(text: str, today: date) -> int:
    found = find_period(mask_amounts(text), today, Lean.PAST)
    return found[0].span[1] - found[0].span[0] if found else 0


def _with_months_corrected(norm: str, today: date) -> str:
    """Misspelt months ("в сетнябре", "feburary 2026") corrected when that reads a longer
    period phrase than the text as written: "сентябое 2025" is September 2025, not the year
    2025 alone; a text whose period reads as well without the correction is left alone."""
    corrected = correct_months(norm)
    if corrected != norm and _period_length(corrected, today) > _period_length(norm, today):
        return corrected
    return norm


def _unparsed(text: str, spans: list[tuple[int, int]]) -> tuple[str, ...]:
    words = []
    for m in _WORD.finditer(text):
        if any(s[0] <= m.start() and m.end() <= s[1] for s in spans):
            continue
        if m.group() not in _STOPWORDS:
            words.append(m.group())
    return tuple(words[:30])


def parse(text: str, *, today: date, lang: str | None = None,
          known: Vocabulary | None = None) -> ParsedQuery:
    """Read one question relative to `today` (the caller's date in the org's time zone)."""
    raw = text if isinstance(text, str) else ""
    norm = _with_months_corrected(correct_day_words(normalize(raw[:MAX_CHARS])), today)
    hit = detect_intent(norm)
    spans: list[tuple[int, int]] = list(hit.spans)
    amounts = find_amounts(norm)  # "лимит 100 тыс": an amount, never a day of the month
    taken: list[tuple[int, int]] = list(amounts)
    dated = mask_amounts(norm)

    period = _default_period(hit.intent, today)
    source = PeriodSource.DEFAULT
    lean = _LEAN.get(hit.intent, Lean.PAST)
    if hit.intent is Intent.BUDGET and _BUDGET_SPENT.search(norm):
        lean = Lean.PAST
    found = find_period(dated, today, lean)
    reading = found[0].rule.reading if found else None
    fallback = None if found else dateparser_period(dated, today)
    resolved = (found[0].spans, found[1]) if found else (
        ((fallback[0],), fallback[1]) if fallback else None)
    if resolved is not None and hit.intent is Intent.SPEND and today < resolved[1][1] and (
            today < resolved[1][0] or (found is not None and found[0].rule.name in _AHEAD)):
        # "сколько уйдёт до конца года": money over days still to come is a forecast
        hit = IntentHit(Intent.FORECAST, hit.spans)
    if resolved is not None:
        period_spans, (start, end) = resolved
        if hit.intent not in _WHOLE_PERIOD and start <= today < end:
            end = today
        period, source = Period(start, end), PeriodSource.TEXT
        taken.extend(period_spans)

    tags = find_tags(norm, known, taken)
    names = {h.category: h.value for h in find_names(norm, known, taken)}
    tags += [t for t in find_tag_values(norm, known, taken) if t[0] not in {k for k, *_ in tags}]
    providers = find_providers(norm)
    spans += taken + [span for _key, span in providers]

    top = find_top_n(norm) if hit.intent is Intent.TOP else None
    if top is not None:
        spans.append(top[1])
    # what the top ranks: a word the filters, periods or providers took is not it
    group = find_group_by(norm, taken + [span for _key, span in providers]) if (
        hit.intent is Intent.TOP and not hit.command) else None
    if group is not None:
        spans.append(group[1])

    # the words a long intent pattern spans ("how much did project zzqx cost") are not read
    # by it: only its keywords are; the others count as not understood, so an answer that
    # filters on none of them says so instead of passing the org's total off as theirs
    spanned = [s for s in hit.spans if len(norm[s[0]:s[1]].split()) > 3]
    unparsed = _unparsed(norm, spans) if not spanned else tuple(
        w for w in _unparsed(norm, [s for s in spans if s not in spanned]) if not is_keyword(w))
    if hit.command:  # an order to operate is refused whole: its names filter nothing
        providers, names, tags = [], {}, []
    filters = Filters(
        provider=providers[0][0] if providers else None,
        connection=names.get("connection"), service=names.get("service"),
        region=names.get("region"), project=names.get("project"), team=names.get("team"),
        resource=names.get("resource"), tags=tuple((k, v) for k, v, _span in tags),
    )
    intent = hit.intent
    heard: Period | None = None
    if intent in NEEDS_CONTEXT:
        # keywords count as read, but not the words a long pattern spans ("how much does a
        # tesla cost"): those may be the thing priced
        words = [s for s in hit.spans if len(norm[s[0]:s[1]].split()) <= 3]
        leftovers = tuple(w for w in _unparsed(norm, taken + words + [s for _k, s in providers])
                          if not is_keyword(w))
        if not about_our_costs(norm, filters, leftovers):
            intent = Intent.UNKNOWN  # "сколько стоит айфон 16": a price, not our costs
            if source is PeriodSource.DEFAULT:
                period = _default_period(intent, today)
    if intent is Intent.UNKNOWN and unparsed and source is PeriodSource.TEXT:
        # "кто сегодня дежурит": a sentence about something else, so its "сегодня" is no
        # period; only a bare fragment ("а за прошлую неделю?") keeps it, for a follow-up.
        # What the words named is kept apart, for the reply that says what was understood.
        heard = period
        period, source, reading = _default_period(intent, today), PeriodSource.DEFAULT, None
    return ParsedQuery(
        intent=intent, period=period, period_source=source, filters=filters,
        top_n=top[0] if top else None,
        lang=lang if lang in ("ru", "en") else _detect_lang(norm),
        unparsed=unparsed, reading=reading, heard_period=heard,
        group_by=group[0] if group and intent is Intent.TOP else None,
    )
