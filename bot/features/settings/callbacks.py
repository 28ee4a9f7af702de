"""Settings buttons; `value` is a short code validated by the core service on arrival (for
`LLM`, the state the button asks for: "on" or "off", so a double press changes nothing)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["SetAction", "SetCb"]


class SetAction(StrEnum):
    MENU = "menu"
    LANG = "lang"
    LANG_SET = "lang_set"
    TZ = "tz"
    NOTIFY = "notify"
    SEVERITY = "sev"
    MODE = "mode"
    QUIET = "quiet"
    DIGEST = "digest"
    LLM = "llm"


class SetCb(CallbackData, prefix="set"):
    action: SetAction
    value: str = ""
