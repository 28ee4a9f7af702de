"""Onboarding handlers: parse → core service → reply from the catalogue."""

from __future__ import annotations

import re
from dataclasses import replace

from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.menu.handlers import show_menu
from bot.features.onboarding.callbacks import CurrencyCb, LangCb, TzCb
from bot.features.onboarding.keyboards import (
    COMMON_TIMEZONES,
    choose_kb,
    currency_kb,
    language_kb,
    timezone_kb,
)
from bot.features.onboarding.states import CreateOrg
from bot.i18n import esc
from core.app import AppContext
from core.domain.roles import Role
from core.services import team, users
from core.services.demo import DEMO_SLUG, seed_demo
from core.services.errors import NotFound
from core.services.orgs import create_org, get_org, membership_role, set_membership

__all__ = [
    "ask_name", "choose_currency", "choose_language", "choose_timezone", "cmd_demo",
    "cmd_help", "cmd_start", "got_name", "on_create_org", "on_join_hint", "on_open_demo",
]

INVITE_PREFIX = "inv_"


async def cmd_start(message: Message, command: CommandObject, rc: RequestContext,
                    session: AsyncSession, app: AppContext, state: FSMContext) -> None:
    await state.clear()
    payload = (command.args or "").strip()
    if payload.startswith(INVITE_PREFIX):
        await _join(message, payload.removeprefix(INVITE_PREFIX), rc, session, app)
        return
    if payload == "demo":
        await _open_demo(message, rc, session, app)
        return
    if rc.user.language is None:
        await message.answer(rc.t("onboarding.welcome"), reply_markup=language_kb())
        return
    await _after_language(message, rc)


async def _after_language(message: Message, rc: RequestContext) -> None:
    if rc.org is not None and rc.role is not None:
        await message.answer(rc.t("onboarding.welcome_back", org=esc(rc.org.name),
                                  role=rc.t(f"bot.role.{rc.role.value}")))
        return
    await message.answer(rc.t("onboarding.choose"), reply_markup=choose_kb(rc.lang))


async def choose_language(query: CallbackQuery, callback_data: LangCb, rc: RequestContext,
                          session: AsyncSession) -> None:
    await users.set_language(session, rc.user.id, callback_data.code)
    rc.lang = callback_data.code
    await query.answer()
    assert isinstance(query.message, Message)
    await query.message.edit_text(rc.t("onboarding.language_set"))
    await _after_language(query.message, rc)


async def on_create_org(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    """The create-an-organisation wizard, from its name."""
    await query.answer()
    await ask_name(callback_message(query), rc, state)


async def on_open_demo(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                       app: AppContext) -> None:
    await query.answer()
    await _open_demo(callback_message(query), rc, session, app)


async def on_join_hint(query: CallbackQuery, rc: RequestContext) -> None:
    """Joining needs an invite link from an admin: says so."""
    await query.answer()
    await callback_message(query).answer(rc.t("onboarding.join_hint"))


async def ask_name(message: Message, rc: RequestContext, state: FSMContext) -> None:
    await state.set_state(CreateOrg.name)
    await message.answer(rc.t("onboarding.ask_name"))


async def got_name(message: Message, rc: RequestContext, state: FSMContext) -> None:
    name = (message.text or "").strip()
    if not 1 <= len(name) <= 200:
        await message.answer(rc.t("onboarding.bad_name"))
        return
    await state.update_data(name=name)
    await state.set_state(CreateOrg.currency)
    await message.answer(rc.t("onboarding.ask_currency", name=esc(name)),
                         reply_markup=currency_kb())


async def choose_currency(event: Message | CallbackQuery, rc: RequestContext,
                          state: FSMContext) -> None:
    if isinstance(event, CallbackQuery):
        raw = CurrencyCb.unpack(event.data or "").code
        await event.answer()
        assert isinstance(event.message, Message)
        message = event.message
    else:
        raw, message = (event.text or "").strip(), event
    code = raw.upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        await message.answer(rc.t("onboarding.bad_currency"), reply_markup=currency_kb())
        return
    await state.update_data(currency=code)
    await state.set_state(CreateOrg.timezone)
    await message.answer(rc.t("onboarding.ask_timezone", currency=code),
                         reply_markup=timezone_kb())


async def choose_timezone(event: Message | CallbackQuery, rc: RequestContext,
                          session: AsyncSession, state: FSMContext) -> None:
    if isinstance(event, CallbackQuery):
        index = TzCb.unpack(event.data or "").id
        raw = COMMON_TIMEZONES[index] if 0 <= index < len(COMMON_TIMEZONES) else ""
        await event.answer()
        assert isinstance(event.message, Message)
        message = event.message
    else:
        raw, message = (event.text or "").strip(), event
    tz = users.valid_timezone(raw)
    if tz is None:
        await message.answer(rc.t("onboarding.bad_timezone", value=esc(raw)),
                             reply_markup=timezone_kb())
        return
    data = await state.get_data()
    if "name" not in data or "currency" not in data:
        await state.clear()
        await message.answer(rc.t("onboarding.wizard_lost"), reply_markup=choose_kb(rc.lang))
        return
    org = await create_org(session, str(data["name"]), currency=str(data["currency"]),
                           timezone=tz, language=rc.lang)
    await team.create_org_for(session, rc.user.id, org, actor_telegram_id=rc.user.telegram_id)
    await state.clear()
    await message.answer(rc.t("onboarding.created", name=esc(org.name), currency=org.currency,
                              timezone=org.timezone))
    await show_menu(message, replace(rc, org=org, role=Role.OWNER))


async def _join(message: Message, code: str, rc: RequestContext, session: AsyncSession,
                app: AppContext) -> None:
    try:
        org, role = await team.accept_invite(session, code, rc.user.id, app.clock.now(),
                                             actor_telegram_id=rc.user.telegram_id)
    except NotFound:
        await message.answer(rc.t("onboarding.invite_not_found"))
        return
    except team.Expired:
        await message.answer(rc.t("onboarding.invite_expired"))
        return
    if rc.user.language is None:
        await users.set_language(session, rc.user.id, rc.lang)
    await message.answer(rc.t("onboarding.joined", org=esc(org.name),
                              role=rc.t(f"bot.role.{role.value}")))
    await show_menu(message, replace(rc, org=org, role=role))


async def cmd_demo(message: Message, rc: RequestContext, session: AsyncSession,
                   app: AppContext) -> None:
    await _open_demo(message, rc, session, app)


async def _open_demo(message: Message, rc: RequestContext, session: AsyncSession,
                     app: AppContext) -> None:
    """Join the demo organisation as a viewer (seeding it on first use) and switch to it."""
    try:
        org = await get_org(session, DEMO_SLUG)
    except NotFound:
        try:
            org = await get_org(session, (await seed_demo(session, app.vault)).org_id)
        except IntegrityError:  # another chat seeded it at the same moment: join that one
            await session.rollback()
            org = await get_org(session, DEMO_SLUG)
    if await membership_role(session, org.id, rc.user.id) is None:
        await set_membership(session, org.id, rc.user.id, Role.VIEWER)
    await users.set_active_org(session, rc.user.id, org.id)
    await message.answer(rc.t("onboarding.demo_opened", org=esc(org.name)))
    await show_menu(message, replace(rc, org=org, role=Role.VIEWER))


async def cmd_help(message: Message, rc: RequestContext) -> None:
    parts = [rc.t("onboarding.help_basic")]
    if rc.org is not None:
        parts.append(rc.t("onboarding.help_org", org=esc(rc.org.name),
                          role=rc.t(f"bot.role.{rc.role.value}") if rc.role else "—"))
        parts.append(rc.t("onboarding.help_questions"))
    if rc.has_role(Role.ADMIN) and not rc.is_demo:
        parts.append(rc.t("onboarding.help_admin"))
    if rc.is_demo:
        parts.append(rc.t("onboarding.help_demo"))
    await message.answer("\n\n".join(parts))
