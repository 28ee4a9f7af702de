"""Allocation texts for the chat: coverage, rules and suggestions, one rule's card."""

from __future__ import annotations

from collections.abc import Sequence

from core.db.models import AllocationRule
from core.domain.reports import UpdatingDays
from core.services.allocation import FIELDS, Coverage
from renderers.format import fmt_money, fmt_percent
from renderers.i18n import t
from renderers.messages.answers_common import esc, updating_lines

__all__ = ["match_text", "render_overview", "render_rule", "target_text"]


def match_text(match: dict[str, object], lang: str) -> str:
    """`имя web-*, тег env=prod`; regular expressions are shown as written."""
    parts = []
    for key, value in match.items():
        if key == "tags" and isinstance(value, dict):
            parts += [t("allocation.match.tag", lang, value=esc(f"{k}={v}"))
                      for k, v in value.items()]
        elif key in ("name", "provider", "connection_id", "service", "region"):
            parts.append(t(f"allocation.match.{key}", lang, value=esc(value)))
    return ", ".join(parts) or "—"


def target_text(rule: AllocationRule, lang: str) -> str:
    return ", ".join(t(f"allocation.target.{f}", lang, value=esc(getattr(rule, f)))
                     for f in FIELDS if getattr(rule, f)) or "—"


def render_overview(cov: Coverage, rules: Sequence[AllocationRule],
                    suggestions: Sequence[AllocationRule], currency: str, lang: str,
                    days: int, updating: Sequence[UpdatingDays] = ()) -> str:
    """Coverage first (the figure that moves, with the days a file import is switching
    right now, if any), then the rules and the suggestions, numbered as their buttons are."""
    lines = [t("allocation.title", lang, days=days)]
    if cov.total > 0:
        lines.append(t("allocation.coverage", lang, share=fmt_percent(cov.share / 100, lang),
                       allocated=fmt_money(cov.allocated, currency, lang),
                       total=fmt_money(cov.total, currency, lang)))
        lines.append(t("allocation.coverage_fields", lang,
                       project=fmt_percent(cov.by_field["project"] / 100, lang),
                       environment=fmt_percent(cov.by_field["environment"] / 100, lang)))
        if cov.unallocated_top:
            items = ", ".join(f"{esc(r.label or r.key)} ({fmt_money(r.amount, currency, lang)})"
                              for r in cov.unallocated_top[:3])
            lines.append(t("allocation.unallocated", lang, items=items))
    else:
        lines.append(t("allocation.no_spend", lang))
    lines.extend(line or "" for line in updating_lines(updating, lang))
    lines.append("")
    lines.append(t("allocation.rules", lang))
    if not rules:
        lines.append(t("allocation.no_rules", lang))
    for n, rule in enumerate(rules, 1):
        lines.append(t("allocation.rule_line", lang, n=n, name=esc(rule.name),
                       match=match_text(rule.match or {}, lang),
                       target=target_text(rule, lang)))
    if suggestions:
        lines.append("")
        lines.append(t("allocation.suggestions", lang))
        for n, rule in enumerate(suggestions, 1):
            lines.append(t("allocation.suggestion_line", lang, n=n,
                           match=match_text(rule.match or {}, lang),
                           target=target_text(rule, lang)))
    return "\n".join(lines)


def render_rule(rule: AllocationRule, lang: str) -> str:
    return t("allocation.card", lang, name=esc(rule.name),
             match=match_text(rule.match or {}, lang), target=target_text(rule, lang),
             priority=rule.priority)
