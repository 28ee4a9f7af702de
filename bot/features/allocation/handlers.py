"""Allocation handlers: parse → `core.services.allocation` → render → reply.

Every change ends with the overview, so the coverage it moved is the first thing one sees.
Viewers see the stored suggestions; only someone who may accept them triggers new ones
(suggesting stores rows).
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.allocation.callbacks import AllocCb
from bot.features.allocation.keyboards import can_edit, cancel_kb, overview_kb, rule_kb
from bot.features.allocation.states import RuleEdit, RuleWizard
from bot.filters import org_id_of
from core.app import AppContext
from core.services import allocation
from core.services.allocation import RuleInputError
from core.services.updating import days_updating
from renderers.messages.allocation import render_overview, render_rule
from renderers.messages.answers_common import esc

__all__ = ["ask_rule_match", "ask_rule_team", "cmd_allocation", "on_edit_match",
           "on_edit_team", "on_new_match", "on_new_team", "on_overview", "on_rule_accept",
           "on_rule_cancel", "on_rule_delete", "on_rule_new", "on_rule_open", "on_rule_reject"]

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
                           allocation.COVERAGE_DAYS,
                           await days_updating(session, org_id, cov.start, cov.end))
    return text, overview_kb(rc, rules, suggestions)


async def cmd_allocation(message: Message, rc: RequestContext, session: AsyncSession,
                         app: AppContext, state: FSMContext) -> None:
    await state.clear()
    text, kb = await _overview(rc, session, app)
    await message.answer(text, reply_markup=kb)


async def on_overview(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                      app: AppContext, state: FSMContext) -> None:
    """Anyone in the org: back to the overview."""
    await state.clear()
    await query.answer()
    text, kb = await _overview(rc, session, app)
    await callback_message(query).edit_text(text, reply_markup=kb)


async def on_rule_open(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                       session: AsyncSession, state: FSMContext) -> None:
    """Anyone in the org: one rule's card."""
    await state.clear()
    await query.answer()
    rule = await allocation.get_rule(session, org_id_of(rc), callback_data.id)
    await callback_message(query).edit_text(render_rule(rule, rc.lang),
                                            reply_markup=rule_kb(rc, rule.id))


async def on_rule_cancel(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    """Ends a new rule or a rule edit half-way."""
    await state.clear()
    await query.answer()
    await callback_message(query).edit_text(rc.t("allocation.cancelled"))


async def on_rule_new(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    """Starts a new rule: the team first (`on_new_team`), then the match (`on_new_match`)."""
    await state.clear()
    await state.set_state(RuleWizard.team)
    await query.answer()
    await callback_message(query).answer(rc.t("allocation.ask.team"),
                                         reply_markup=cancel_kb(rc))


async def _ask_edit(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                    session: AsyncSession, state: FSMContext, step: State) -> None:
    """Asks for a rule's new team or match; the text handler of `step` takes the reply."""
    rid = callback_data.id
    rule = await allocation.get_rule(session, org_id_of(rc), rid)
    await state.set_state(step)
    await state.update_data(rule_id=rid)
    await query.answer()
    await callback_message(query).answer(
        rc.t(f"allocation.ask.edit_{callback_data.action.value}", name=esc(rule.name)),
        reply_markup=cancel_kb(rc))


async def ask_rule_team(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                        session: AsyncSession, state: FSMContext) -> None:
    await _ask_edit(query, callback_data, rc, session, state, RuleEdit.team)


async def ask_rule_match(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                         session: AsyncSession, state: FSMContext) -> None:
    await _ask_edit(query, callback_data, rc, session, state, RuleEdit.match)


async def _changed(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                   app: AppContext, note: str) -> None:
    """A rule accepted, rejected or deleted: the note, then the overview it moved."""
    await query.answer(note)
    text, kb = await _overview(rc, session, app)
    await callback_message(query).edit_text(text, reply_markup=kb)


async def on_rule_accept(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                         session: AsyncSession, app: AppContext) -> None:
    org_id, rid = org_id_of(rc), callback_data.id
    rule = await allocation.get_rule(session, org_id, rid)
    await allocation.accept_rule(session, org_id, rc.user.id, rid,
                                 actor_telegram_id=rc.user.telegram_id)
    await _changed(query, rc, session, app, rc.t("allocation.accepted", name=rule.name))


async def on_rule_reject(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                         session: AsyncSession, app: AppContext) -> None:
    """Only a suggestion can be rejected; an active rule is deleted instead."""
    org_id, rid = org_id_of(rc), callback_data.id
    rule = await allocation.get_rule(session, org_id, rid)
    if rule.status != "suggested":
        raise RuleInputError("status", rule.status)
    await allocation.delete_rule(session, org_id, rc.user.id, rid,
                                 actor_telegram_id=rc.user.telegram_id)
    await _changed(query, rc, session, app, rc.t("allocation.rejected", name=rule.name))


async def on_rule_delete(query: CallbackQuery, callback_data: AllocCb, rc: RequestContext,
                         session: AsyncSession, app: AppContext) -> None:
    org_id, rid = org_id_of(rc), callback_data.id
    rule = await allocation.get_rule(session, org_id, rid)
    await allocation.delete_rule(session, org_id, rc.user.id, rid,
                                 actor_telegram_id=rc.user.telegram_id)
    await _changed(query, rc, session, app, rc.t("allocation.deleted", name=rule.name))


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
