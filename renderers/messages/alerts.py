"""Alert messages: one event in full, or several coalesced into one numbered message.

Input is what an `alert_events` row stores (rule, severity, payload with `money`, `dates`,
`values`); money goes through `fmt_money`, dates through `fmt_date`, labels through the
catalogue, so the same event reads right in Russian and in English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.domain.currency import LeftOut
from core.domain.providers import PROVIDER_NAMES
from renderers.format import fmt_date, fmt_money
from renderers.i18n import t
from renderers.messages.rates import left_out_lines

__all__ = ["ICONS", "AlertView", "alert_params", "render_alert", "render_alerts", "short_date"]

MAX_LISTED = 10  # as many as carry buttons; a message stays far below Telegram's 4096 chars
ICONS = {"info": "ℹ️", "warning": "⚠️", "critical": "🔴"}


@dataclass(frozen=True)
class AlertView:
    """What a message needs of an event."""

    id: int
    rule: str
    severity: str
    payload: Mapping[str, Any]


def short_date(day: date, lang: str) -> str:
    """`19 ноября` / `November 19`."""
    return fmt_date(day, lang, "d MMMM" if lang == "ru" else "MMMM d")


def alert_params(view: AlertView, lang: str) -> dict[str, str]:
    """Template parameters: values as given, money and dates formatted, labels translated."""
    payload = view.payload
    currency = str(payload.get("currency") or "RUB")
    params: dict[str, str] = {k: str(v) for k, v in (payload.get("values") or {}).items()}
    for key, amount in (payload.get("money") or {}).items():
        params[key] = fmt_money(Decimal(str(amount)), currency, lang)
    for key, iso in (payload.get("dates") or {}).items():
        params[key] = short_date(date.fromisoformat(str(iso)), lang)
    params.setdefault("block_date", "—")
    series = params.get("series", "")
    if series:
        label = params.get("label") or ""
        if series.startswith("provider:"):
            label = PROVIDER_NAMES.get(series.split(":", 1)[1], label)
        params["series"] = label if series != "org" and label else t("alerts.series.org", lang)
    params.setdefault("driver", "—")
    if "kind" in params and view.rule == "anomaly":
        params["kind"] = t(f"alerts.anomaly_kind.{params['kind']}", lang)
    if view.rule == "drift":
        params["what"] = _drift_what(payload.get("values") or {}, lang)
    return params


def _shown(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _drift_what(values: Mapping[str, Any], lang: str) -> str:
    """`Changed: / • flavor: s1.small → s1.large`, or that a production resource came or went."""
    what = str(values.get("what") or "changed")
    if what != "changed":
        return t(f"alerts.drift.{what}", lang)
    changes = values.get("changes")
    lines = [t("alerts.drift.changed", lang)]
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, list) and len(change) == 3:
            key, before, after = change
            lines.append(t("alerts.drift.change", lang, field=t(f"alerts.drift_field.{key}", lang),
                           before=_shown(before), after=_shown(after)))
    return "\n".join(lines)


def _title(view: AlertView, lang: str) -> str:
    """The rule's title; a reminder after a snooze says so."""
    title = t(f"alerts.rule.{view.rule}.title", lang, **alert_params(view, lang))
    return t("alerts.reminder", lang, title=title) if view.payload.get("reminder_of") else title


def _left_out(view: AlertView, lang: str) -> str:
    """A budget's spend leaves out amounts with no rate: said under the body, as in answers."""
    rows = (view.payload.get("values") or {}).get("left_out")
    rows = [r for r in rows if isinstance(r, list) and len(r) == 5] \
        if isinstance(rows, list) else []
    items = [LeftOut(str(r[0]), Decimal(str(r[1])), str(r[2]), date.fromisoformat(str(r[3])),
                     date.fromisoformat(str(r[4]))) for r in rows]
    lines = left_out_lines(items, lang, hint="bot")
    return "\n⚠️ " + "\n".join(lines) if lines else ""


def render_alert(view: AlertView, lang: str) -> str:
    """One event: icon and title, then what happened and what to do."""
    params = alert_params(view, lang)
    body = t(f"alerts.rule.{view.rule}.body", lang, **params) + _left_out(view, lang)
    return f"{ICONS.get(view.severity, '')} {_title(view, lang)}\n\n{body}"


def render_alerts(views: Sequence[AlertView], lang: str) -> str:
    """One event in full; several as a numbered list matching the numbered buttons."""
    if len(views) == 1:
        return render_alert(views[0], lang)
    lines = [t("alerts.coalesced", lang, count=len(views))]
    for number, view in enumerate(views[:MAX_LISTED], start=1):
        params = alert_params(view, lang)
        lines += ["", f"{number}. {ICONS.get(view.severity, '')} {_title(view, lang)}",
                  t(f"alerts.rule.{view.rule}.body", lang, **params) + _left_out(view, lang)]
    if len(views) > MAX_LISTED:
        lines += ["", t("alerts.more", lang, count=len(views) - MAX_LISTED)]
    return "\n".join(lines)
