"""Settings handlers: show, change, re-render the same message; one handler per button. The
organisation's LLM switch (`on_llm`) is registered for admins only, the rest are the caller's
own."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.onboarding.callbacks import TzCb
from bot.features.onboarding.keyboards import COMMON_TIMEZONES, timezone_kb
from bot.features.settings.callbacks import SetCb
from bot.features.settings.keyboards import QUIET_PRESETS, language_kb, menu_kb, notify_kb
from bot.features.settings.states import SettingsInput
from bot.filters import NoOrganisation, org_id_of
from bot.i18n import esc
from core.services import orgs, users
from core.services.errors import ServiceError

__all__ = ["ask_language", "ask_timezone", "cmd_settings", "on_digest", "on_language", "on_llm",
           "on_mode", "on_notify", "on_quiet", "on_settings_menu", "on_severity", "on_timezone",
           "parse_quiet", "quiet_text"]

_QUIET = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?\s*$")


def parse_quiet(text: str) -> tuple[time, time] | None:
    """`23:00-07:00`, `22-8`, `22:30 – 6:45` → (start, end); None when it is not that shape."""
    match = _QUIET.match(text)
    if not match:
        return None
    h1, m1, h2, m2 = match.groups()
    try:
        return time(int(h1), int(m1 or 0)), time(int(h2), int(m2 or 0))
    except ValueError:
        return None



async def _llm_state(rc: RequestContext, session: AsyncSession) -> str | None:
    """"on" / "off" for the caller's organisation, "absent" when this server has no LLM."""
    if rc.org is None:
        return None
    if not rc.settings.llm_url:
        return "absent"
    return "on" if await orgs.llm_understanding(session, rc.org.id) else "off"


async def _summary(rc: RequestContext, session: AsyncSession,
                   llm: str | None) -> str:
    lines = [rc.t("settings.title"),
             rc.t("settings.language", value=rc.t(f"bot.language_name.{rc.lang}")),
             rc.t("settings.timezone", value=esc(rc.timezone))]
    if rc.org is not None:
        prefs = await users.get_prefs(session, rc.user.id, rc.org.id)
        lines.append(_notify_text(rc, prefs))
    if llm is not None:
        lines.append(rc.t("settings.llm", state=rc.t(f"settings.llm_state.{llm}"),
                          hint=rc.t(f"settings.llm_hint.{llm}")))
    return "\n".join(lines)


async def _menu(rc: RequestContext, session: AsyncSession) -> tuple[str, InlineKeyboardMarkup]:
    llm = await _llm_state(rc, session)
    return await _summary(rc, session, llm), menu_kb(rc, llm)


def quiet_text(rc: RequestContext, prefs: users.Prefs) -> str:
    if prefs.quiet_start is None or prefs.quiet_end is None:
        return rc.t("settings.quiet_none")
    return f"{prefs.quiet_start:%H:%M}–{prefs.quiet_end:%H:%M}"


def _notify_text(rc: RequestContext, prefs: users.Prefs) -> str:
    assert rc.org is not None
    return rc.t("settings.notify", org=esc(rc.org.name),
                severity=rc.t(f"settings.severity.{prefs.min_severity}"),
                mode=rc.t(f"settings.mode.{prefs.mode}"), quiet=quiet_text(rc, prefs),
                hour=f"{prefs.digest_hour:02d}:00")


async def cmd_settings(message: Message, rc: RequestContext, session: AsyncSession,
                       state: FSMContext) -> None:
    await state.clear()
    text, kb = await _menu(rc, session)
    await message.answer(text, reply_markup=kb)


async def _show_notify(query: CallbackQuery, rc: RequestContext, session: AsyncSession) -> None:
    if rc.org is None:
        raise NoOrganisation()
    prefs = await users.get_prefs(session, rc.user.id, rc.org.id)
    await _edit(query, _notify_text(rc, prefs), notify_kb(rc, prefs))


async def _edit(query: CallbackQuery, text: str, kb: InlineKeyboardMarkup | None) -> None:
    await query.answer()
    await callback_message(query).edit_text(text, reply_markup=kb)


async def on_settings_menu(query: CallbackQuery, rc: RequestContext,
                           session: AsyncSession) -> None:
    await _edit(query, *await _menu(rc, session))


async def ask_language(query: CallbackQuery, rc: RequestContext) -> None:
    await _edit(query, rc.t("settings.pick_language"), language_kb())


async def on_language(query: CallbackQuery, callback_data: SetCb, rc: RequestContext,
                      session: AsyncSession) -> None:
    """The menu again, already in the new language."""
    await users.set_language(session, rc.user.id, callback_data.value)
    rc.lang = callback_data.value
    await _edit(query, *await _menu(rc, session))


async def ask_timezone(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    """A common zone as a button or any IANA name as text; `on_timezone` takes either."""
    await state.set_state(SettingsInput.timezone)
    await _edit(query, rc.t("settings.pick_timezone"), timezone_kb())


async def on_notify(query: CallbackQuery, rc: RequestContext, session: AsyncSession) -> None:
    await _show_notify(query, rc, session)


async def _set_prefs(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                     **changes: Any) -> None:
    """One of the caller's notification preferences in this organisation, then them all."""
    if rc.org is None:
        raise NoOrganisation()
    await users.update_prefs(session, rc.user.id, rc.org.id, **changes)
    await _show_notify(query, rc, session)


async def on_severity(query: CallbackQuery, callback_data: SetCb, rc: RequestContext,
                      session: AsyncSession) -> None:
    await _set_prefs(query, rc, session, min_severity=callback_data.value)


async def on_mode(query: CallbackQuery, callback_data: SetCb, rc: RequestContext,
                  session: AsyncSession) -> None:
    await _set_prefs(query, rc, session, mode=callback_data.value)


async def on_quiet(query: CallbackQuery, callback_data: SetCb, rc: RequestContext,
                   session: AsyncSession, state: FSMContext) -> None:
    """`custom` asks for hours (`on_quiet_text` takes them); `off` or a preset sets them."""
    value = callback_data.value
    if value == "custom":
        await state.set_state(SettingsInput.quiet)
        await _edit(query, rc.t("settings.ask_quiet"), None)
        return
    if rc.org is None:
        raise NoOrganisation()
    if value == "off":
        quiet = None
    elif value in QUIET_PRESETS:
        quiet = parse_quiet("-".join(QUIET_PRESETS[value]))
    else:
        raise ServiceError(f"unknown quiet preset {value!r}")
    await _set_prefs(query, rc, session, quiet=quiet)


async def on_digest(query: CallbackQuery, callback_data: SetCb, rc: RequestContext,
                    session: AsyncSession) -> None:
    if rc.org is None:
        raise NoOrganisation()
    if not callback_data.value.isdigit():
        raise ServiceError("digest hour must be a number")
    await _set_prefs(query, rc, session, digest_hour=int(callback_data.value))


async def on_llm(query: CallbackQuery, callback_data: SetCb, rc: RequestContext,
                 session: AsyncSession) -> None:
    """Turn the organisation's LLM understanding on or off (admins: the registration's
    RoleFilter); without an LLM on this server, explain instead of pretending to switch."""
    org_id = org_id_of(rc)
    if not rc.settings.llm_url:
        await query.answer(rc.t("settings.llm_absent_alert"), show_alert=True)
        return
    if callback_data.value not in ("on", "off"):
        raise ServiceError(f"unknown LLM state {callback_data.value!r}")
    await orgs.set_llm_understanding(session, org_id, rc.user.id, callback_data.value == "on",
                                     actor_telegram_id=rc.user.telegram_id)
    await _edit(query, *await _menu(rc, session))


async def on_timezone(event: Message | CallbackQuery, rc: RequestContext,
                      session: AsyncSession, state: FSMContext) -> None:
    if isinstance(event, CallbackQuery):
        index = TzCb.unpack(event.data or "").id
        raw = COMMON_TIMEZONES[index] if 0 <= index < len(COMMON_TIMEZONES) else ""
        await event.answer()
        message = callback_message(event)
    else:
        raw, message = (event.text or "").strip(), event
    if users.valid_timezone(raw) is None:
        await message.answer(rc.t("onboarding.bad_timezone", value=esc(raw)),
                             reply_markup=timezone_kb())
        return
    name = await users.set_timezone(session, rc.user.id, raw)
    await state.clear()
    await message.answer(rc.t("settings.timezone_saved", value=esc(name)))


async def on_quiet_text(message: Message, rc: RequestContext, session: AsyncSession,
                        state: FSMContext) -> None:
    quiet = parse_quiet(message.text or "")
    if quiet is None:
        await message.answer(rc.t("settings.bad_quiet"))
        return
    if rc.org is None:
        raise NoOrganisation()
    prefs = await users.update_prefs(session, rc.user.id, rc.org.id, quiet=quiet)
    await state.clear()
    await message.answer(_notify_text(rc, prefs), reply_markup=notify_kb(rc, prefs))
