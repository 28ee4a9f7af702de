"""Settings keyboards."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.settings.callbacks import SetAction, SetCb
from core.services.users import MODES, SEVERITIES, Prefs
from renderers.i18n import LANGUAGES, t

__all__ = ["LLM_STATES", "QUIET_PRESETS", "language_kb", "menu_kb", "notify_kb"]

QUIET_PRESETS = {"2208": ("22:00", "08:00"), "2307": ("23:00", "07:00"),
                 "0009": ("00:00", "09:00")}
DIGEST_HOURS = (8, 9, 10, 18)
LLM_STATES = ("on", "off", "absent")
"""LLM understanding for the org: on, off, or no LLM configured on this server."""
_LLM_NEXT = {"on": "off", "off": "on", "absent": ""}


def menu_kb(rc: RequestContext, llm: str | None = None) -> InlineKeyboardMarkup:
    """`llm` is one of `LLM_STATES` when the caller has an organisation (the row is shown even
    when no LLM is configured, so admins learn the option exists)."""
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("settings.btn_language"), callback_data=SetCb(action=SetAction.LANG))
    kb.button(text=rc.t("settings.btn_timezone"), callback_data=SetCb(action=SetAction.TZ))
    if rc.org is not None:
        kb.button(text=rc.t("settings.btn_notify"), callback_data=SetCb(action=SetAction.NOTIFY))
    if rc.org is not None and llm in LLM_STATES:
        kb.button(text=rc.t("settings.btn_llm", state=rc.t(f"settings.llm_state.{llm}")),
                  callback_data=SetCb(action=SetAction.LLM, value=_LLM_NEXT[llm]))
    kb.adjust(1)
    return kb.as_markup()


def language_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in LANGUAGES:
        kb.button(text=t(f"bot.language_name.{code}", code),
                  callback_data=SetCb(action=SetAction.LANG_SET, value=code))
    return kb.as_markup()


def _mark(on: bool, text: str) -> str:
    return f"✓ {text}" if on else text


def notify_kb(rc: RequestContext, prefs: Prefs) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for sev in SEVERITIES:
        kb.button(text=_mark(prefs.min_severity == sev, rc.t(f"settings.severity.{sev}")),
                  callback_data=SetCb(action=SetAction.SEVERITY, value=sev))
    for mode in MODES:
        kb.button(text=_mark(prefs.mode == mode, rc.t(f"settings.mode.{mode}")),
                  callback_data=SetCb(action=SetAction.MODE, value=mode))
    quiet = (prefs.quiet_start.strftime("%H:%M"), prefs.quiet_end.strftime("%H:%M")) \
        if prefs.quiet_start and prefs.quiet_end else None
    kb.button(text=_mark(quiet is None, rc.t("settings.quiet_off")),
              callback_data=SetCb(action=SetAction.QUIET, value="off"))
    for code, (start, end) in QUIET_PRESETS.items():
        kb.button(text=_mark(quiet == (start, end), f"🌙 {start}–{end}"),
                  callback_data=SetCb(action=SetAction.QUIET, value=code))
    kb.button(text=rc.t("settings.quiet_custom"),
              callback_data=SetCb(action=SetAction.QUIET, value="custom"))
    for hour in DIGEST_HOURS:
        kb.button(text=_mark(prefs.digest_hour == hour, f"🗞 {hour:02d}:00"),
                  callback_data=SetCb(action=SetAction.DIGEST, value=str(hour)))
    kb.button(text=rc.t("settings.btn_back"), callback_data=SetCb(action=SetAction.MENU))
    kb.adjust(3, 3, 3, 2, 4, 1)
    return kb.as_markup()
