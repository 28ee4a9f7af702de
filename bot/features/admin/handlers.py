"""/admin: platform stats, search, act-as-organisation, unrecognized review, broadcast, reseed.

Subcommands: `/admin`, `/admin users Q`, `/admin orgs Q`, `/admin as ORG`, `/admin exit`,
`/admin unrecognized`, `/admin resolve ID NOTE`, `/admin broadcast TEXT`, `/admin reseed`.
Each subcommand and each button is its own registration in the router (behind the router-wide
superadmin gate); a subcommand handler gets the rest of the line as `rest`.
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.admin.callbacks import AdminCb
from bot.features.admin.keyboards import broadcast_kb, orgs_kb, panel_kb, unrecognized_kb
from bot.features.admin.states import AdminInput
from bot.i18n import esc
from core.app import AppContext
from core.services import admin
from core.services.demo import seed_demo
from core.services.errors import ServiceError

__all__ = ["act_as", "broadcast", "exit_support", "find_orgs", "find_users", "on_act_as",
           "on_broadcast_ok", "on_exit", "on_reseed", "on_resolve", "on_resolve_note",
           "on_stats", "on_unrecognized", "reseed", "resolve", "show_panel",
           "show_unrecognized", "usage"]


async def _stats_text(rc: RequestContext, session: AsyncSession, app: AppContext) -> str:
    s = await admin.platform_stats(session, rc.user.telegram_id, rc.settings.superadmin_ids,
                                   app.clock.now())
    text = rc.t("admin.stats", orgs=s.organizations, users=s.users, connections=s.connections,
                failing=s.connections_failing, syncs=s.syncs_24h, failures=s.failures_24h,
                unrecognized=s.unrecognized_open, outbox=s.outbox_pending)
    if rc.support and rc.org is not None:
        text += "\n\n" + rc.t("admin.acting_as", org=esc(rc.org.name))
    return text + "\n\n" + rc.t("admin.usage")


async def show_panel(message: Message, rc: RequestContext, session: AsyncSession,
                     app: AppContext) -> None:
    await message.answer(await _stats_text(rc, session, app), reply_markup=panel_kb(rc))


async def find_users(message: Message, rc: RequestContext, session: AsyncSession,
                     rest: str) -> None:
    hits = await admin.search_users(session, rc.user.telegram_id, rc.settings.superadmin_ids,
                                    rest)
    lines = [rc.t("admin.user_hit", id=u.telegram_id, name=esc(u.name),
                  username=esc(u.username or "—"),
                  orgs=esc(", ".join(u.organizations) or "—")) for u in hits]
    await message.answer("\n".join(lines) or rc.t("admin.nothing_found"))


async def find_orgs(message: Message, rc: RequestContext, session: AsyncSession,
                    rest: str) -> None:
    found = await admin.search_orgs(session, rc.user.telegram_id, rc.settings.superadmin_ids,
                                    rest)
    lines = [rc.t("admin.org_hit", id=o.id, slug=esc(o.slug), name=esc(o.name),
                  members=o.members, connections=o.connections) for o in found]
    await message.answer("\n".join(lines) or rc.t("admin.nothing_found"),
                         reply_markup=orgs_kb(rc, found) if found else None)


async def resolve(message: Message, rc: RequestContext, session: AsyncSession,
                  app: AppContext, rest: str) -> None:
    raw_id, _, note = rest.partition(" ")
    if not raw_id.isdigit() or not note.strip():
        await message.answer(rc.t("admin.resolve_usage"))
        return
    item = await admin.resolve_unrecognized(session, rc.user.telegram_id,
                                            rc.settings.superadmin_ids, int(raw_id), note,
                                            app.clock.now())
    await message.answer(rc.t("admin.resolved", id=item.id, name=esc(item.name)))


async def broadcast(message: Message, rc: RequestContext, state: FSMContext, rest: str) -> None:
    """Only a preview: the text goes out after the confirmation button (`on_broadcast_ok`)."""
    if not rest:
        await message.answer(rc.t("admin.broadcast_usage"))
        return
    await state.set_state(AdminInput.broadcast_confirm)
    await state.update_data(broadcast=rest)
    await message.answer(rc.t("admin.broadcast_preview", text=rest),
                         reply_markup=broadcast_kb(rc))


async def usage(message: Message, rc: RequestContext) -> None:
    """Any other word after /admin."""
    await message.answer(rc.t("admin.usage"))


async def act_as(message: Message, rc: RequestContext, session: AsyncSession, rest: str) -> None:
    """`rest` is an organisation id or slug."""
    org = await admin.start_support(session, rc.user.telegram_id, rc.settings.superadmin_ids,
                                    rest)
    await message.answer(rc.t("admin.support_started", org=esc(org.name)))


async def exit_support(message: Message, rc: RequestContext, session: AsyncSession) -> None:
    if not rc.support or rc.org is None:
        await message.answer(rc.t("admin.not_acting"))
        return
    await admin.end_support(session, rc.user.telegram_id, rc.settings.superadmin_ids)
    await message.answer(rc.t("admin.support_ended", org=esc(rc.org.name)))


async def show_unrecognized(message: Message, rc: RequestContext,
                            session: AsyncSession) -> None:
    items = await admin.list_unrecognized(session, rc.user.telegram_id,
                                          rc.settings.superadmin_ids)
    if not items:
        await message.answer(rc.t("admin.unrecognized_none"))
        return
    lines = [rc.t("admin.unrecognized_title")]
    lines += [rc.t("admin.unrecognized_item", id=i.id, org=esc(i.org_name),
                   connection=esc(i.connection_name), name=esc(i.name or i.external_id),
                   type=esc(i.inferred_type)) for i in items]
    await message.answer("\n".join(lines), reply_markup=unrecognized_kb(rc, items))


async def reseed(message: Message, rc: RequestContext, session: AsyncSession,
                 app: AppContext) -> None:
    await admin.reseed_demo_audited(session, rc.user.telegram_id, rc.settings.superadmin_ids)
    summary = await seed_demo(session, app.vault)
    await message.answer(rc.t("admin.reseeded", resources=summary.resources,
                              lines=summary.cost_lines))


async def on_stats(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                   app: AppContext) -> None:
    await query.answer()
    await callback_message(query).edit_text(await _stats_text(rc, session, app),
                                            reply_markup=panel_kb(rc))


async def on_unrecognized(query: CallbackQuery, rc: RequestContext,
                          session: AsyncSession) -> None:
    await query.answer()
    await show_unrecognized(callback_message(query), rc, session)


async def on_resolve(query: CallbackQuery, callback_data: AdminCb, rc: RequestContext,
                     state: FSMContext) -> None:
    """Asks for the note; `on_resolve_note` resolves."""
    await query.answer()
    await state.set_state(AdminInput.resolve_note)
    await state.update_data(resolve_id=callback_data.id)
    await callback_message(query).answer(rc.t("admin.ask_note", id=callback_data.id))


async def on_reseed(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                    app: AppContext) -> None:
    await query.answer()
    await reseed(callback_message(query), rc, session, app)


async def on_exit(query: CallbackQuery, rc: RequestContext, session: AsyncSession) -> None:
    await query.answer()
    await exit_support(callback_message(query), rc, session)


async def on_act_as(query: CallbackQuery, callback_data: AdminCb, rc: RequestContext,
                    session: AsyncSession) -> None:
    await query.answer()
    await act_as(callback_message(query), rc, session, str(callback_data.id))


async def on_resolve_note(message: Message, rc: RequestContext, session: AsyncSession,
                          app: AppContext, state: FSMContext) -> None:
    data = await state.get_data()
    await state.clear()
    item = await admin.resolve_unrecognized(session, rc.user.telegram_id,
                                            rc.settings.superadmin_ids,
                                            int(data.get("resolve_id", 0)), message.text or "",
                                            app.clock.now())
    await message.answer(rc.t("admin.resolved", id=item.id, name=esc(item.name)))


async def on_broadcast_ok(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                          app: AppContext, state: FSMContext) -> None:
    text = str((await state.get_data()).get("broadcast") or "")
    await state.clear()
    if not text:
        raise ServiceError("nothing to broadcast")
    count = await admin.enqueue_broadcast(session, rc.user.telegram_id,
                                          rc.settings.superadmin_ids, text, app.clock.now())
    await query.answer()
    assert isinstance(query.message, Message)
    await query.message.edit_text(rc.t("admin.broadcast_queued", count=count))
