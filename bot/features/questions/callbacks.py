"""Callback data of question buttons: intent and paging only; the org is always the caller's."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from core.services.ask.types import Intent

__all__ = ["AskCb", "RecAction", "RecCb"]


class AskCb(CallbackData, prefix="ask"):
    """Ask `intent` again: a page, or the chart of the period `start`..`end` (day ordinals)."""

    intent: Intent
    page: int = 0
    chart: bool = False
    start: int = 0
    end: int = 0
    nav: bool = False  # a page button: edit the list in place


class RecAction(StrEnum):
    ACCEPT = "accept"
    SNOOZE = "snooze"
    DISMISS = "dismiss"


class RecCb(CallbackData, prefix="rec"):
    action: RecAction
    id: int
