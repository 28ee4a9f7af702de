"""Settings handlers: show, change, re-render the same message. The organisation's LLM switch
is its own handler (`on_llm`), registered for admins only."""

from __future__ import annotations

import re
from datetime import time

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.onboarding.callbacks import TzCb
from bot.features.onboarding.keyboards import COMMON_TIMEZONES, timezone_kb
from bot.features.settings.callbacks import SetAction, SetCb
from bot.features.settings.keyboards import QUIET_PRESETS, language_kb, menu_kb, notify_kb
from bot.features.settings.states import SettingsInput
from bot.filters import NoOrganisation, org_id_of
from bot.i18n import esc
from core.services import orgs, users
from core.services.errors import ServiceError

__all__ = ["cmd_settings", "on_llm", "on_setting", "on_timezone", "parse_quiet", "quiet_text"]

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


async def on_setting(query: CallbackQuery, callback_data: SetCb, rc: RequestContext,
                     session: AsyncSession, state: FSMContext) -> None:
    action, value = callback_data.action, callback_data.value
    if action == SetAction.MENU:
        await _edit(query, *await _menu(rc, session))
    elif action == SetAction.LANG:
        await _edit(query, rc.t("settings.pick_language"), language_kb())
    elif action == SetAction.LANG_SET:
        await users.set_language(session, rc.user.id, value)
        rc.lang = value
        await _edit(query, *await _menu(rc, session))
    elif action == SetAction.TZ:
        await state.set_state(SettingsInput.timezone)
        await _edit(query, rc.t("settings.pick_timezone"), timezone_kb())
    elif action == SetAction.NOTIFY:
        await _show_notify(query, rc, session)
    elif action == SetAction.QUIET and value == "custom":
        await state.set_state(SettingsInput.quiet)
        await _edit(query, rc.t("settings.ask_quiet"), None)
    else:
        await _change_prefs(rc, session, action, value)
        await _show_notify(query, rc, session)


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


async def _change_prefs(rc: RequestContext, session: AsyncSession, action: SetAction,
                        value: str) -> None:
    if rc.org is None:
        raise NoOrganisation()
    org_id = rc.org.id
    if action == SetAction.SEVERITY:
        await users.update_prefs(session, rc.user.id, org_id, min_severity=value)
    elif action == SetAction.MODE:
        await users.update_prefs(session, rc.user.id, org_id, mode=value)
    elif action == SetAction.QUIET:
        if value == "off":
            await users.update_prefs(session, rc.user.id, org_id, quiet=None)
        elif value in QUIET_PRESETS:
            quiet = parse_quiet("-".join(QUIET_PRESETS[value]))
            await users.update_prefs(session, rc.user.id, org_id, quiet=quiet)
        else:
            raise ServiceError(f"unknown quiet preset {value!r}")
    elif action == SetAction.DIGEST:
        if not value.isdigit():
            raise ServiceError("digest hour must be a number")
        await users.update_prefs(session, rc.user.id, org_id, digest_hour=int(value))


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
