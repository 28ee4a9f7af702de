"""Rule switch buttons: the rule kind only (checked against the registry by the service)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

__all__ = ["RuleToggleCb"]


class RuleToggleCb(CallbackData, prefix="rrt"):
    kind: str
    on: bool
