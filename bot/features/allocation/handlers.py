"""Allocation handlers: parse → `core.services.allocation` → render → reply.

Every change ends with the overview, so the coverage it moved is the first thing one sees.
Viewers see the stored suggestions; only someone who may accept them triggers new ones
(suggesting stores rows).
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.allocation.callbacks import AllocAction, AllocCb
from bot.features.allocation.keyboards import can_edit, cancel_kb, overview_kb, rule_kb
from bot.features.allocation.states import RuleEdit, RuleWizard
from bot.filters import org_id_of
from core.app import AppContext
from core.services import allocation
from core.services.allocation import RuleInputError
from renderers.messages.allocation import render_overview, render_rule
from renderers.messages.answers_common import esc

__all__ = ["cmd_allocation", "on_change", "on_edit_match", "on_edit_team", "on_new_match",
           "on_new_team", "on_view"]

_BAD = frozenset({"match", "target", "name", "status"})




def _bad(rc: RequestContext, exc: RuleInputError) -> str:
    return rc.t(f"allocation.bad.{exc.field if exc.field in _BAD else 'match'}",
                value=esc(exc.value))


async def _overview(rc: RequestContext, session: AsyncSession,
                    app: AppContext) -> tuple[str, InlineKeyboardMarkup]:
    org_id = org_id_of(rc)
    cov = await allocation.current_coverage(session, org_id, app.clock)
    if can_edit(rc):
        suggestions = await allocation.suggest_rules(session, org_id)
    else:
        suggestions = [r for r in await allocation.list_rules(session, org_id)
                       if r.status == "suggested"]
    rules = [r for r in await allocation.list_rules(session, org_id) if r.status == "active"]
    currency = rc.org.currency if rc.org is not None else "RUB"
    text = render_overview(cov, rules, suggestions, currency, rc.lang,
                           allocation.COVERAGE_DAYS)
    return text, overview_kb(rc, rules, suggestions)


async def cmd_allocation(message: Message, rc: RequestContext, session: AsyncSession,
                         app: AppContext, state: FSMContext) -> None:
    await state.clear()
    text, kb = await _overview(rc, session, app)
    await message.answer(text, reply_markup=kb)


async def on_view(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                  session: AsyncSession, app: AppContext, state: FSMContext) -> None:
    """Anyone in the org: the overview, or one rule's card."""
    await state.clear()
    await query.answer()
    if callback_data.action is AllocAction.OPEN:
        rule = await allocation.get_rule(session, org_id_of(rc), callback_data.id)
        await callback_message(query).edit_text(render_rule(rule, rc.lang),
                                        reply_markup=rule_kb(rc, rule.id))
        return
    text, kb = await _overview(rc, session, app)
    await callback_message(query).edit_text(text, reply_markup=kb)


async def on_change(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                    session: AsyncSession, app: AppContext, state: FSMContext) -> None:
    """Owners, admins and finance (the router's filter): new, edit, delete, accept, reject."""
    org_id, action, rid = org_id_of(rc), callback_data.action, callback_data.id
    message, tg = callback_message(query), rc.user.telegram_id
    if action is AllocAction.CANCEL:
        await state.clear()
        await query.answer()
        await message.edit_text(rc.t("allocation.cancelled"))
        return
    if action is AllocAction.NEW:
        await state.clear()
        await state.set_state(RuleWizard.team)
        await query.answer()
        await message.answer(rc.t("allocation.ask.team"), reply_markup=cancel_kb(rc))
        return
    rule = await allocation.get_rule(session, org_id, rid)
    name = rule.name
    if action in (AllocAction.TEAM, AllocAction.MATCH):
        await state.set_state(RuleEdit.team if action is AllocAction.TEAM else RuleEdit.match)
        await state.update_data(rule_id=rid)
        await query.answer()
        await message.answer(rc.t(f"allocation.ask.edit_{action.value}", name=esc(name)),
                             reply_markup=cancel_kb(rc))
        return
    if action is AllocAction.ACCEPT:
        await allocation.accept_rule(session, org_id, rc.user.id, rid, actor_telegram_id=tg)
        note = rc.t("allocation.accepted", name=name)
    elif action is AllocAction.REJECT:
        if rule.status != "suggested":
            raise RuleInputError("status", rule.status)
        await allocation.delete_rule(session, org_id, rc.user.id, rid, actor_telegram_id=tg)
        note = rc.t("allocation.rejected", name=name)
    else:  # DELETE
        await allocation.delete_rule(session, org_id, rc.user.id, rid, actor_telegram_id=tg)
        note = rc.t("allocation.deleted", name=name)
    await query.answer(note)
    text, kb = await _overview(rc, session, app)
    await message.edit_text(text, reply_markup=kb)


async def on_new_team(message: Message, rc: RequestContext, state: FSMContext) -> None:
    team = (message.text or "").strip()
    if not team or len(team) > 100:
        await message.answer(rc.t("allocation.bad.target"))
        return
    await state.update_data(team=team)
    await state.set_state(RuleWizard.match)
    await message.answer(rc.t("allocation.ask.match"), reply_markup=cancel_kb(rc))


async def on_new_match(message: Message, rc: RequestContext, session: AsyncSession,
                       app: AppContext, state: FSMContext) -> None:
    text = (message.text or "").strip()
    team = str((await state.get_data()).get("team") or "")
    try:
        match = allocation.parse_match(text.split())
        name = f"{team}: {text}"[:100]
        await allocation.create_rule(session, org_id_of(rc), rc.user.id, name=name, match=match,
                                     team=team, actor_telegram_id=rc.user.telegram_id)
    except RuleInputError as exc:
        await message.answer(_bad(rc, exc))
        return
    await state.clear()
    await message.answer(rc.t("allocation.created", name=esc(name)))
    overview, kb = await _overview(rc, session, app)
    await message.answer(overview, reply_markup=kb)


async def on_edit_team(message: Message, rc: RequestContext, session: AsyncSession,
                       app: AppContext, state: FSMContext) -> None:
    rid = int((await state.get_data()).get("rule_id", 0))
    try:
        await allocation.update_rule(session, org_id_of(rc), rc.user.id, rid,
                                     team=(message.text or "").strip(),
                                     actor_telegram_id=rc.user.telegram_id)
    except RuleInputError as exc:
        await message.answer(_bad(rc, exc))
        return
    await _after_edit(message, rc, session, app, state)


async def on_edit_match(message: Message, rc: RequestContext, session: AsyncSession,
                        app: AppContext, state: FSMContext) -> None:
    rid = int((await state.get_data()).get("rule_id", 0))
    try:
        match = allocation.parse_match((message.text or "").split())
        await allocation.update_rule(session, org_id_of(rc), rc.user.id, rid, match=match,
                                     actor_telegram_id=rc.user.telegram_id)
    except RuleInputError as exc:
        await message.answer(_bad(rc, exc))
        return
    await _after_edit(message, rc, session, app, state)


async def _after_edit(message: Message, rc: RequestContext, session: AsyncSession,
                      app: AppContext, state: FSMContext) -> None:
    await state.clear()
    await message.answer(rc.t("allocation.changed"))
    text, kb = await _overview(rc, session, app)
    await message.answer(text, reply_markup=kb)
