"""/connections: the list with status, last sync, monthly cost and warnings; a card per
connection with sync now, rename, interval, pause/resume and delete (confirmed).

Every button carries only an id: the services re-load it inside the caller's organisation
(another org's id is "not found") and check the caller's role (admin for any change).
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.connections.callbacks import ConnAction, ConnCb
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
from bot.i18n import esc
from core.app import AppContext
from core.domain.roles import Role
from core.services import connections as svc
from core.services.connections import ConnectionSummary
from core.services.errors import ServiceError
from core.services.orgs import require_role
from renderers.format import fmt_date, fmt_money

__all__ = ["on_connection_button", "on_rename", "show_connections"]

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


async def on_connection_button(query: CallbackQuery, callback_data: ConnCb, rc: RequestContext,
                               session: AsyncSession, app: AppContext, state: FSMContext,
                               bot: Bot) -> None:
    """Every connection button; the service calls carry the org and the acting user."""
    message = query.message
    if not isinstance(message, Message) or rc.org is None:
        await query.answer()
        return
    org_id, actor, cid = rc.org.id, actor_of(rc), callback_data.id
    action = callback_data.action
    if action is ConnAction.LIST:
        await query.answer()
        await show_connections(message, rc, session, app)
        return
    if action is not ConnAction.OPEN:
        await _require_admin(session, org_id, actor)  # before anything is answered or asked
    conn = await svc.get_connection(session, org_id, cid, today=today_of(rc, app), actor=actor)
    name = esc(conn.name)
    await query.answer()
    if action is ConnAction.OPEN:
        await _card(message, rc, conn)
    elif action is ConnAction.SYNC:
        await start_sync(app, bot, message.chat.id, connection_id=cid, org_id=org_id,
                         name=conn.name, lang=rc.lang)
    elif action is ConnAction.RENAME:
        await state.set_state(RenameConnection.name)
        await state.update_data({"rename_id": cid})
        await message.answer(rc.t("connect.ask_rename", name=name))
    elif action is ConnAction.INTERVAL:
        await message.answer(rc.t("connect.choose_interval", name=name),
                             reply_markup=interval_kb(rc, cid))
    elif action is ConnAction.SET_INTERVAL:
        if callback_data.hours not in INTERVAL_HOURS:
            raise ServiceError("bad interval")
        await svc.set_interval(session, org_id, cid, callback_data.hours * 60, actor=actor)
        await message.answer(rc.t("connect.interval_set", name=name, hours=callback_data.hours))
    elif action is ConnAction.PAUSE:
        await svc.pause_connection(session, org_id, cid, actor=actor)
        await message.answer(rc.t("connect.paused", name=name))
    elif action is ConnAction.RESUME:
        await svc.resume_connection(session, org_id, cid, actor=actor, now=app.clock.now())
        await message.answer(rc.t("connect.resumed", name=name))
    elif action is ConnAction.DELETE:
        await message.answer(rc.t("connect.confirm_delete", name=name),
                             reply_markup=confirm_delete_kb(rc, cid))
    elif action is ConnAction.CONFIRM_DELETE:
        await svc.delete_connection(session, org_id, cid, actor=actor)
        await message.answer(rc.t("connect.deleted", name=name))


async def _require_admin(session: AsyncSession, org_id: int, actor: svc.Actor) -> None:
    """Steps that change nothing yet (asking a name, a confirmation) are refused early too."""
    if actor.user_id is not None and not actor.superadmin:
        await require_role(session, org_id, actor.user_id, Role.ADMIN)


async def on_rename(message: Message, rc: RequestContext, session: AsyncSession,
                    state: FSMContext) -> None:
    assert rc.org is not None
    cid = int((await state.get_data()).get("rename_id") or 0)
    await state.clear()
    await svc.rename_connection(session, rc.org.id, cid, message.text or "", actor=actor_of(rc))
    await message.answer(rc.t("connect.renamed", name=esc((message.text or "").strip())))
