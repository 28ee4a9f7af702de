"""The /recrules text: each rule on or off, with the thresholds it uses for this org."""

from __future__ import annotations

from collections.abc import Sequence

from babel.numbers import format_decimal

from core.services.recommendations.settings import RuleSetting
from renderers.i18n import t

__all__ = ["fmt_threshold", "render_rules"]

_LOCALE = {"ru": "ru_RU", "en": "en_US"}


def fmt_threshold(value: float, lang: str) -> str:
    """`3,5` / `3.5`: a threshold as the user's language writes it, no trailing zeros."""
    return format_decimal(value, format="#,##0.###", locale=_LOCALE.get(lang, "ru_RU")
                          ).replace("\u202f", "\u00a0")


def render_rules(rules: Sequence[RuleSetting], lang: str) -> str:
    lines = [t("recsettings.title", lang), ""]
    for rule in rules:
        head = t("recsettings.rule_on" if rule.enabled else "recsettings.rule_off", lang,
                 kind=rule.kind)
        values = ", ".join(f"{name} {value:g}" for name, value in rule.thresholds.items())
        lines.append(f"{head}: {values}" if values else head)
    return "\n".join(lines)
