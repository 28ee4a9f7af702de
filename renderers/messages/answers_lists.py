"""List answers as Telegram HTML: resources grouped by provider with badges, open
recommendations, anomalies of a period."""

from __future__ import annotations

from itertools import groupby

from core.domain.providers import PROVIDER_NAMES
from core.services.ask.types import AnomaliesAnswer, RecommendationsAnswer, ResourcesAnswer
from renderers.format import fmt_date
from renderers.i18n import catalogue, t
from renderers.messages.answers_common import esc, filters_line, money, period_label

__all__ = ["recommendation_title", "render_anomalies", "render_recommendations",
           "render_resources"]


def render_resources(answer: ResourcesAnswer, lang: str) -> str:
    if not answer.items:
        return t("answers.resources.none", lang)
    lines = [t("answers.resources.title", lang, count=answer.count, zombies=answer.zombies,
               orphans=answer.orphans)]
    extra = filters_line(answer.question, lang)
    if extra:
        lines.append(extra)
    for provider, items in groupby(answer.items, key=lambda i: i.provider):
        lines += ["", t("answers.resources.provider", lang,
                        provider=esc(PROVIDER_NAMES.get(provider, provider)))]
        for item in items:
            badges = "".join(t(f"answers.resources.{flag}", lang) for flag, on in (
                ("zombie", item.is_zombie), ("orphan", item.is_orphan),
                ("stopped", item.status == "stopped")) if on)
            lines.append(t("answers.resources.row", lang, name=esc(item.name),
                           cost=money(item.monthly_cost, answer.currency, lang), badges=badges))
    if answer.pages > 1:
        lines += ["", t("answers.resources.page", lang, page=answer.page + 1,
                        pages=answer.pages)]
    return "\n".join(lines)


def recommendation_title(kind: str, fallback: str, lang: str) -> str:
    """The translated kind of a recommendation; the stored title for kinds we do not know."""
    return catalogue(lang).get(f"answers.recs.kind.{kind}", fallback)


def render_recommendations(answer: RecommendationsAnswer, lang: str) -> str:
    if not answer.items:
        return t("answers.recs.none", lang)
    cur = answer.currency
    lines = [t("answers.recs.title", lang, count=answer.count,
               saving=money(answer.total_saving, cur, lang))]
    first = answer.question.page * answer.question.limit
    for n, rec in enumerate(answer.items, first + 1):
        lines.append(t("answers.recs.row", lang, n=n,
                       title=esc(recommendation_title(rec.kind, rec.title, lang)),
                       resource=esc(rec.resource),
                       provider=esc(PROVIDER_NAMES.get(rec.provider, rec.provider)),
                       saving=money(rec.monthly_saving, cur, lang)))
    return "\n".join(lines)


def render_anomalies(answer: AnomaliesAnswer, lang: str) -> str:
    q = answer.question
    unchecked = [t("answers.anomalies.unanalysed", lang, series=esc(name),
                   reason=t(f"answers.anomalies.reason.{reason}"
                            if reason in ("short_history", "no_spend")
                            else "answers.anomalies.reason.other", lang, days=days))
                 for name, reason, days in answer.unanalysed]
    if not answer.items:
        return "\n".join([t("answers.anomalies.none", lang), *unchecked])
    cur = answer.currency
    lines = [t("answers.anomalies.title", lang, period=period_label(q.start, q.end, lang))]
    extra = filters_line(q, lang)
    if extra:
        lines.append(extra)
    for a in answer.items:
        when = (fmt_date(a.start, lang) if a.start == a.end
                else period_label(a.start, a.end, lang))
        params = {"when": when, "series": esc(a.series), "delta": money(abs(a.delta), cur, lang),
                  "actual": money(a.actual, cur, lang), "expected": money(a.expected, cur, lang)}
        if a.kind == "growth":
            lines.append(t("answers.anomalies.growth", lang, **{
                **params, "when": fmt_date(a.start, lang), "rate": f"{a.rate * 100:.1f} %",
                "weeks": max(1, ((a.end - a.start).days + 1) // 7)}))
        elif a.kind in ("fee_change", "fee_missing"):
            lines.append(t(f"answers.anomalies.{a.kind}", lang, **params))
        else:
            lines.append(t("answers.anomalies.up" if a.direction > 0
                           else "answers.anomalies.down", lang, **params))
    return "\n".join([*lines, *unchecked])
