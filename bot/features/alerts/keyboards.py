"""Inline keyboards under alert messages (built by the sender from the outbox payload)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.features.alerts.callbacks import AlertAction, AlertCallback
from renderers.i18n import t

__all__ = ["LEARNING_RULES", "alert_keyboard"]

# Rules whose events can be marked planned / expected so the detector learns the pattern.
LEARNING_RULES = frozenset({"anomaly", "cost_spike"})


def _button(action: AlertAction, event_id: int, lang: str,
            number: int | None) -> InlineKeyboardButton:
    label = t(f"alerts.button.{action.name.lower()}", lang)
    if number is not None:
        label = f"{label} #{number}"
    return InlineKeyboardButton(text=label, callback_data=AlertCallback(
        action=action, id=event_id).pack())


def alert_keyboard(events: Sequence[tuple[int, str]], lang: str) -> InlineKeyboardMarkup | None:
    """One event: the full set of buttons; several (a coalesced message): details and ack each."""
    if not events:
        return None
    if len(events) == 1:
        event_id, rule = events[0]
        rows = [[_button(AlertAction.DETAILS, event_id, lang, None),
                 _button(AlertAction.ACK, event_id, lang, None),
                 _button(AlertAction.SNOOZE, event_id, lang, None)]]
        if rule in LEARNING_RULES:
            rows.append([_button(AlertAction.PLANNED, event_id, lang, None),
                         _button(AlertAction.EXPECTED, event_id, lang, None)])
        return InlineKeyboardMarkup(inline_keyboard=rows)
    return InlineKeyboardMarkup(inline_keyboard=[
        [_button(AlertAction.DETAILS, event_id, lang, n),
         _button(AlertAction.ACK, event_id, lang, n)]
        for n, (event_id, _rule) in enumerate(events[:10], start=1)])
