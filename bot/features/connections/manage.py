"""/connections: the list with status, last sync, monthly cost and warnings; a card per
connection with sync now, rename, interval, pause/resume and delete (confirmed).

Every button carries only an id: the services re-load it inside the caller's organisation
(another org's id is "not found"). Each action is its own registration in the router, filtered
by the action and guarded by a `RoleFilter` (viewer to look, admin for anything else), so the
role the middleware resolved is the only one these handlers rely on.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.connections.callbacks import ConnCb
from bot.features.connections.fields import display_name
from bot.features.connections.keyboards import (
    INTERVAL_HOURS,
    card_kb,
    confirm_delete_kb,
    interval_kb,
    list_kb,
)
from bot.features.connections.progress import error_reason, start_sync
from bot.features.connections.states import RenameConnection
from bot.features.connections.wizard import actor_of
from bot.features.questions.reply import today_of
from bot.filters import org_id_of
from bot.i18n import esc
from core.app import AppContext
from core.services import connections as svc
from core.services.connections import ConnectionSummary
from core.services.errors import ServiceError
from renderers.format import fmt_date, fmt_money

__all__ = ["ask_delete", "ask_interval", "ask_rename", "back_to_list", "confirm_delete",
           "on_rename", "open_card", "pause", "resume", "set_interval", "show_connections",
           "sync_now"]

_ICON = {"active": "🟢", "error": "🔴", "paused": "⏸", "demo": "🧪"}


def _describe(c: ConnectionSummary, rc: RequestContext) -> str:
    last = rc.t("connect.list.never")
    if c.last_sync_at:
        local = c.last_sync_at.astimezone(ZoneInfo(rc.timezone))
        last = f"{fmt_date(local, rc.lang, 'd MMM y')}, {local:%H:%M}"
    cost = ", ".join(fmt_money(v, cur, rc.lang) for cur, v in sorted(c.monthly_cost.items())) \
        or fmt_money(Decimal(0), rc.org.currency if rc.org else "RUB", rc.lang)
    status = rc.t(f"connect.status.{c.status}") if c.status in _ICON else c.status
    lines = [rc.t("connect.list.row", icon=_ICON.get(c.status, "⚪"), name=esc(c.name),
                  provider=esc(display_name(c.kind)), status=status, last_sync=last,
                  cost=cost)]
    if c.warnings:
        lines.append(rc.t("connect.list.warnings", count=len(c.warnings)))
    if c.balance is not None and c.days_to_block is not None:
        lines.append(rc.t("connect.list.balance", balance=fmt_money(
            c.balance, c.balance_currency or "RUB", rc.lang), days=c.days_to_block))
    if c.status == "error" and c.last_error_code:
        lines.append(rc.t("connect.list.error", reason=error_reason(c.last_error_code,
                                                                     rc.lang)))
    return "\n".join(lines)


async def show_connections(message: Message, rc: RequestContext, session: AsyncSession,
                           app: AppContext) -> None:
    assert rc.org is not None
    conns = await svc.list_connections(session, rc.org.id, today=today_of(rc, app),
                                       actor=actor_of(rc))
    if not conns:
        await message.answer(rc.t("connect.list.empty"))
        return
    text = "\n\n".join([rc.t("connect.list.title", count=len(conns)),
                        *(_describe(c, rc) for c in conns)])
    await message.answer(text, reply_markup=list_kb(conns))


async def _card(message: Message, rc: RequestContext, conn: ConnectionSummary) -> None:
    text = "\n".join([rc.t("connect.card.title", name=esc(conn.name),
                           provider=esc(display_name(conn.kind))),
                      _describe(conn, rc),
                      rc.t("connect.card.interval", hours=conn.sync_interval_minutes // 60)])
    await message.answer(text, reply_markup=card_kb(rc, conn))


async def _pressed(query: CallbackQuery, cb: ConnCb, rc: RequestContext, session: AsyncSession,
                   app: AppContext) -> tuple[Message, ConnectionSummary] | None:
    """The message under the button and its connection, re-loaded inside the caller's org
    (another org's id is "not found" before anything is answered); None for a message
    Telegram no longer shows."""
    if not isinstance(query.message, Message):
        await query.answer()
        return None
    conn = await svc.get_connection(session, org_id_of(rc), cb.id, today=today_of(rc, app),
                                    actor=actor_of(rc))
    await query.answer()
    return query.message, conn


async def back_to_list(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                       app: AppContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await show_connections(query.message, rc, session, app)


async def open_card(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                    session: AsyncSession, app: AppContext) -> None:
    if pressed := await _pressed(query, callback_data, rc, session, app):
        await _card(pressed[0], rc, pressed[1])


async def sync_now(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                   session: AsyncSession, app: AppContext, bot: Bot) -> None:
    if pressed := await _pressed(query, callback_data, rc, session, app):
        message, conn = pressed
        await start_sync(app, bot, message.chat.id, connection_id=conn.id,
                         org_id=org_id_of(rc), name=conn.name, lang=rc.lang)


async def ask_rename(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                     session: AsyncSession, app: AppContext, state: FSMContext) -> None:
    if pressed := await _pressed(query, callback_data, rc, session, app):
        message, conn = pressed
        await state.set_state(RenameConnection.name)
        await state.update_data({"rename_id": conn.id})
        await message.answer(rc.t("connect.ask_rename", name=esc(conn.name)))


async def ask_interval(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                       session: AsyncSession, app: AppContext) -> None:
    if pressed := await _pressed(query, callback_data, rc, session, app):
        message, conn = pressed
        await message.answer(rc.t("connect.choose_interval", name=esc(conn.name)),
                             reply_markup=interval_kb(rc, conn.id))


async def set_interval(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                       session: AsyncSession, app: AppContext) -> None:
    hours = callback_data.hours
    if hours not in INTERVAL_HOURS:  # tampered: refused before the button is answered
        raise ServiceError("bad interval")
    if pressed := await _pressed(query, callback_data, rc, session, app):
        message, conn = pressed
        await svc.set_interval(session, org_id_of(rc), conn.id, hours * 60, actor=actor_of(rc))
        await message.answer(rc.t("connect.interval_set", name=esc(conn.name), hours=hours))


async def pause(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                session: AsyncSession, app: AppContext) -> None:
    if pressed := await _pressed(query, callback_data, rc, session, app):
        message, conn = pressed
        await svc.pause_connection(session, org_id_of(rc), conn.id, actor=actor_of(rc))
        await message.answer(rc.t("connect.paused", name=esc(conn.name)))


async def resume(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                 session: AsyncSession, app: AppContext) -> None:
    if pressed := await _pressed(query, callback_data, rc, session, app):
        message, conn = pressed
        await svc.resume_connection(session, org_id_of(rc), conn.id, actor=actor_of(rc),
                                    now=app.clock.now())
        await message.answer(rc.t("connect.resumed", name=esc(conn.name)))


async def ask_delete(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                     session: AsyncSession, app: AppContext) -> None:
    if pressed := await _pressed(query, callback_data, rc, session, app):
        message, conn = pressed
        await message.answer(rc.t("connect.confirm_delete", name=esc(conn.name)),
                             reply_markup=confirm_delete_kb(rc, conn.id))


async def confirm_delete(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                         session: AsyncSession, app: AppContext) -> None:
    if pressed := await _pressed(query, callback_data, rc, session, app):
        message, conn = pressed
        await svc.delete_connection(session, org_id_of(rc), conn.id, actor=actor_of(rc))
        await message.answer(rc.t("connect.deleted", name=esc(conn.name)))


async def on_rename(message: Message, rc: RequestContext, session: AsyncSession,
                    state: FSMContext) -> None:
    assert rc.org is not None
    cid = int((await state.get_data()).get("rename_id") or 0)
    await state.clear()
    await svc.rename_connection(session, rc.org.id, cid, message.text or "", actor=actor_of(rc))
    await message.answer(rc.t("connect.renamed", name=esc((message.text or "").strip())))
