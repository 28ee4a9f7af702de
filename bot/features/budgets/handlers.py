"""Budget handlers: parse the button or the text → `core.services.budgets` → render → reply.

The wizard keeps its answers in the FSM (scope, value, amount, period, thresholds, where
alerts go) and creates the budget only on "Save"; every change re-checks the caller's role
and organisation in the core service.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.budgets.callbacks import BudgetAction, BudgetCb, WizardCb
from bot.features.budgets.keyboards import (
    card_kb,
    choices_kb,
    delete_kb,
    destination_kb,
    period_kb,
    scope_kb,
    summary_kb,
    thresholds_kb,
)
from bot.features.budgets.states import BudgetEdit, BudgetWizard
from bot.features.questions.reply import send_answer, today_of
from bot.filters import org_id_of
from core.app import AppContext
from core.services import budgets
from core.services.ask.service import default_question
from core.services.ask.types import Intent
from core.services.budgets import BudgetInputError, Destination
from core.services.errors import ServiceError
from renderers.messages.answers_common import esc
from renderers.messages.budgets import Target, render_card, render_summary, scope_text

__all__ = ["ask_budget_amount", "ask_budget_delete", "confirm_budget_delete",
           "on_budget_destination", "on_budget_list", "on_budget_new", "on_budget_open",
           "on_budget_period", "on_budget_thresholds", "on_edit_amount", "on_edit_thresholds",
           "on_step_cancel", "on_step_destination", "on_step_period", "on_step_save",
           "on_step_scope", "on_step_thresholds", "on_step_value", "on_wizard_amount",
           "on_wizard_thresholds", "on_wizard_value"]

CHOICE_KINDS = ("provider", "connection", "project", "team", "service")




def _bad(rc: RequestContext, exc: BudgetInputError) -> str:
    """What was wrong with a typed value, in the caller's language."""
    field = exc.field if exc.field in _BAD else "amount"
    return rc.t(f"budgets.bad.{field}", value=esc(exc.value))


_BAD = frozenset({"amount", "amount_ambiguous", "thresholds", "tag", "scope_value", "name",
                  "period", "connection", "scope"})


def _target(dest: Destination | None) -> Target:
    if dest is None:
        return Target(None)
    return Target("group" if dest.is_group else "personal", dest.title)


async def _scope_label(session: AsyncSession, org_id: int, kind: str, value: str | None,
                       lang: str) -> str:
    label = None
    if kind == "connection":
        label = dict(await budgets.scope_choices(session, org_id, kind)).get(value or "")
    return scope_text(kind, value, lang, label)


async def _card(rc: RequestContext, session: AsyncSession, app: AppContext,
                budget_id: int) -> tuple[str, InlineKeyboardMarkup]:
    org_id = org_id_of(rc)
    st = await budgets.budget_status(session, org_id, budget_id, app.clock)
    scope = await _scope_label(session, org_id, st.scope_kind, st.scope_value, rc.lang)
    dest = await budgets.budget_destination(session, org_id, budget_id)
    return (render_card(st, rc.lang, scope=scope, target=_target(dest)),
            card_kb(rc, budget_id))


async def _show_card(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                     app: AppContext, budget_id: int, note: str | None = None) -> None:
    text, kb = await _card(rc, session, app, budget_id)
    await query.answer(note)
    await callback_message(query).edit_text(text, reply_markup=kb)


async def on_budget_list(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                         app: AppContext, state: FSMContext) -> None:
    """Anyone in the org: back to the list of budgets."""
    await state.clear()
    await query.answer()
    await send_answer(callback_message(query), rc, session, app,
                      default_question(Intent.BUDGET, today_of(rc, app)), edit=True)


async def on_budget_open(query: CallbackQuery, callback_data: BudgetCb, rc: RequestContext,
                         session: AsyncSession, app: AppContext, state: FSMContext) -> None:
    """Anyone in the org: a budget's card."""
    await state.clear()
    await _show_card(query, rc, session, app, callback_data.id)


def _who(rc: RequestContext) -> dict[str, Any]:
    return {"actor_telegram_id": rc.user.telegram_id}


async def on_budget_new(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    """Starts the wizard; `on_wizard` takes it from there."""
    await state.clear()
    await state.set_state(BudgetWizard.scope)
    await query.answer()
    await callback_message(query).answer(rc.t("budgets.ask.scope"), reply_markup=scope_kb(rc))


async def ask_budget_delete(query: CallbackQuery, callback_data: BudgetCb, rc: RequestContext,
                            session: AsyncSession, app: AppContext) -> None:
    """Asks first; `confirm_budget_delete` deletes."""
    bid = callback_data.id
    st = await budgets.budget_status(session, org_id_of(rc), bid, app.clock)
    await query.answer()
    await callback_message(query).edit_text(rc.t("budgets.confirm_delete", name=esc(st.name)),
                                            reply_markup=delete_kb(rc, bid))


async def confirm_budget_delete(query: CallbackQuery, callback_data: BudgetCb,
                                rc: RequestContext, session: AsyncSession,
                                app: AppContext) -> None:
    org_id, bid = org_id_of(rc), callback_data.id
    st = await budgets.budget_status(session, org_id, bid, app.clock)
    await budgets.delete_budget(session, org_id, rc.user.id, bid, **_who(rc))
    await query.answer(rc.t("budgets.deleted", name=st.name))
    await send_answer(callback_message(query), rc, session, app,
                      default_question(Intent.BUDGET, today_of(rc, app)), edit=True)


async def ask_budget_amount(query: CallbackQuery, callback_data: BudgetCb, rc: RequestContext,
                            session: AsyncSession, app: AppContext, state: FSMContext) -> None:
    """Asks for a new amount; `on_edit_amount` takes the reply."""
    bid = callback_data.id
    st = await budgets.budget_status(session, org_id_of(rc), bid, app.clock)
    await state.set_state(BudgetEdit.amount)
    await state.update_data(budget_id=bid)
    await query.answer()
    await callback_message(query).answer(rc.t("budgets.ask.edit_amount", name=esc(st.name),
                                              currency=st.currency))


async def on_budget_thresholds(query: CallbackQuery, callback_data: BudgetCb,
                               rc: RequestContext, session: AsyncSession, app: AppContext,
                               state: FSMContext) -> None:
    """`default` sets 50/80/100; otherwise asks for them (`on_edit_thresholds` takes the reply)."""
    org_id, bid = org_id_of(rc), callback_data.id
    if callback_data.value == "default":
        await budgets.update_budget(session, org_id, rc.user.id, bid,
                                    thresholds=budgets.DEFAULT_THRESHOLDS, **_who(rc))
        await state.clear()
        await _show_card(query, rc, session, app, bid, rc.t("budgets.updated"))
        return
    await budgets.budget_status(session, org_id, bid, app.clock)  # scoped: NotFound
    await state.set_state(BudgetEdit.thresholds)
    await state.update_data(budget_id=bid)
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("budgets.btn.default_thresholds"),
              callback_data=BudgetCb(action=BudgetAction.THRESHOLDS, id=bid, value="default"))
    await query.answer()
    await callback_message(query).answer(rc.t("budgets.ask.thresholds_text"),
                                         reply_markup=kb.as_markup())


async def on_budget_period(query: CallbackQuery, callback_data: BudgetCb, rc: RequestContext,
                           session: AsyncSession, app: AppContext) -> None:
    """Without a value shows the periods; with one sets it."""
    org_id, bid = org_id_of(rc), callback_data.id
    if not callback_data.value:
        await budgets.budget_status(session, org_id, bid, app.clock)
        await query.answer()
        await callback_message(query).edit_text(rc.t("budgets.ask.period"),
                                                reply_markup=period_kb(rc, bid))
        return
    await budgets.update_budget(session, org_id, rc.user.id, bid,
                                period=callback_data.value, **_who(rc))
    await _show_card(query, rc, session, app, bid, rc.t("budgets.updated"))


async def on_budget_destination(query: CallbackQuery, callback_data: BudgetCb,
                                rc: RequestContext, session: AsyncSession,
                                app: AppContext) -> None:
    """Without a value shows where alerts can go; with one sets it."""
    org_id, bid = org_id_of(rc), callback_data.id
    groups = await budgets.destinations(session, org_id)
    if not callback_data.value:
        await budgets.budget_status(session, org_id, bid, app.clock)
        await query.answer()
        await callback_message(query).edit_text(rc.t("budgets.ask.destination"),
                                                reply_markup=destination_kb(rc, groups, bid))
        return
    chat = _destination(rc, groups, callback_data.value)
    await budgets.update_budget(session, org_id, rc.user.id, bid, alert_chat_id=chat,
                                set_alert_chat=True, **_who(rc))
    await _show_card(query, rc, session, app, bid, rc.t("budgets.updated"))


def _destination(rc: RequestContext, groups: list[Destination], value: str) -> int | None:
    """The chat behind a destination button: me, a bound group by index, or None (usual)."""
    if value == "me":
        return rc.user.telegram_id
    if value == "default":
        return None
    if value.isdigit() and int(value) < len(groups):
        return groups[int(value)].chat_id
    raise ServiceError("bad destination")


# -- the wizard ---------------------------------------------------------------------------

async def on_step_cancel(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    await query.answer()
    await state.clear()
    await callback_message(query).edit_text(rc.t("budgets.cancelled"))


async def on_step_scope(query: CallbackQuery, callback_data: WizardCb, rc: RequestContext,
                        session: AsyncSession, state: FSMContext) -> None:
    """The whole org goes on to the amount; a tag is typed; anything else is picked or typed."""
    await query.answer()
    message, kind = callback_message(query), callback_data.value
    if kind not in budgets.SCOPES:
        raise BudgetInputError("scope", kind)
    await state.update_data(scope_kind=kind, scope_value=None, scope_label=None)
    if kind == "org":
        await _ask_amount(message, rc, state)
        return
    if kind == "tag":
        await state.set_state(BudgetWizard.scope_value)
        await message.edit_text(rc.t("budgets.ask.tag"))
        return
    choices = await budgets.scope_choices(session, org_id_of(rc), kind)
    await state.update_data(choices=choices)
    await state.set_state(BudgetWizard.scope_value)
    name = rc.t(f"budgets.kind_name.{kind}")
    if choices:
        await message.edit_text(rc.t("budgets.ask.scope_value", kind=name),
                                reply_markup=choices_kb(rc, [c[1] for c in choices]))
    else:
        await message.edit_text(rc.t("budgets.ask.scope_value_text", kind=name))


async def on_step_value(query: CallbackQuery, callback_data: WizardCb, rc: RequestContext,
                        state: FSMContext) -> None:
    """One of the offered choices, by index (re-checked against the ones offered)."""
    await query.answer()
    value = callback_data.value
    choices = (await state.get_data()).get("choices") or []
    if not value.isdigit() or int(value) >= len(choices):
        raise ServiceError("bad choice")
    picked, label = choices[int(value)]
    await state.update_data(scope_value=str(picked), scope_label=str(label))
    await _ask_amount(callback_message(query), rc, state)


async def on_step_period(query: CallbackQuery, callback_data: WizardCb, rc: RequestContext,
                         state: FSMContext) -> None:
    await query.answer()
    if callback_data.value not in budgets.PERIODS:
        raise BudgetInputError("period", callback_data.value)
    await state.update_data(period=callback_data.value)
    await state.set_state(BudgetWizard.thresholds)
    await callback_message(query).edit_text(rc.t("budgets.ask.thresholds"),
                                            reply_markup=thresholds_kb(rc))


async def on_step_thresholds(query: CallbackQuery, callback_data: WizardCb, rc: RequestContext,
                             session: AsyncSession, state: FSMContext) -> None:
    """`other` asks for them as text (`on_wizard_thresholds`); otherwise 50/80/100."""
    await query.answer()
    message = callback_message(query)
    if callback_data.value == "other":
        await state.set_state(BudgetWizard.thresholds)
        await message.edit_text(rc.t("budgets.ask.thresholds_text"))
        return
    await state.update_data(thresholds=list(budgets.DEFAULT_THRESHOLDS))
    await _ask_destination(message, rc, session, state, edit=True)


async def on_step_destination(query: CallbackQuery, callback_data: WizardCb,
                              rc: RequestContext, session: AsyncSession,
                              state: FSMContext) -> None:
    """Where alerts go; then the summary to save."""
    await query.answer()
    value = callback_data.value
    groups = await budgets.destinations(session, org_id_of(rc))
    chat = _destination(rc, groups, value)
    title = (rc.user.full_name if value == "me" else
             next((g.title for g in groups if g.chat_id == chat), ""))
    await state.update_data(alert_chat_id=chat, dest_kind=(
        None if chat is None else "personal" if value == "me" else "group"),
        dest_title=title)
    await state.set_state(BudgetWizard.confirm)
    await callback_message(query).edit_text(await _summary(rc, session, state),
                                            reply_markup=summary_kb(rc))


async def on_step_save(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                       app: AppContext, state: FSMContext) -> None:
    await query.answer()
    await _save(callback_message(query), rc, session, app, state)


async def _ask_amount(message: Message, rc: RequestContext, state: FSMContext) -> None:
    await state.set_state(BudgetWizard.amount)
    currency = rc.org.currency if rc.org is not None else "RUB"
    await message.answer(rc.t("budgets.ask.amount", currency=currency))


async def _ask_destination(message: Message, rc: RequestContext, session: AsyncSession,
                           state: FSMContext, *, edit: bool) -> None:
    await state.set_state(BudgetWizard.destination)
    groups = await budgets.destinations(session, org_id_of(rc))
    kb = destination_kb(rc, groups)
    if edit:
        await message.edit_text(rc.t("budgets.ask.destination"), reply_markup=kb)
    else:
        await message.answer(rc.t("budgets.ask.destination"), reply_markup=kb)


async def _summary(rc: RequestContext, session: AsyncSession, state: FSMContext) -> str:
    data = await state.get_data()
    scope = scope_text(data["scope_kind"], data.get("scope_value"), rc.lang,
                       data.get("scope_label"))
    currency = rc.org.currency if rc.org is not None else "RUB"
    return render_summary(scope=scope, amount=Decimal(data["amount"]), currency=currency,
                          period=data["period"], thresholds=data["thresholds"],
                          target=Target(data.get("dest_kind"), data.get("dest_title") or ""),
                          lang=rc.lang)


def _name(rc: RequestContext, data: dict[str, Any]) -> str:
    """A budget's name from its scope and period: «Провайдер selectel — месяц»."""
    scope = scope_text(data["scope_kind"], data.get("scope_value"), rc.lang,
                       data.get("scope_label"))
    period = rc.t(f"budgets.period.{data['period']}")
    return f"{scope[:1].upper()}{scope[1:]} — {period}"[:100]


async def _save(message: Message, rc: RequestContext, session: AsyncSession, app: AppContext,
                state: FSMContext) -> None:
    data = await state.get_data()
    if "amount" not in data or "period" not in data or "thresholds" not in data:
        raise ServiceError("the wizard is incomplete")
    org_id = org_id_of(rc)
    bid = await budgets.create_budget(
        session, org_id, rc.user.id, name=_name(rc, data), amount=Decimal(data["amount"]),
        scope_kind=data["scope_kind"], scope_value=data.get("scope_value"),
        period=data["period"], thresholds=tuple(data["thresholds"]),
        alert_chat_id=data.get("alert_chat_id"), actor_telegram_id=rc.user.telegram_id)
    await state.clear()
    await session.flush()
    await message.edit_text(rc.t("budgets.created", name=esc(_name(rc, data))))
    text, kb = await _card(rc, session, app, bid)
    await message.answer(text, reply_markup=kb)


async def on_wizard_value(message: Message, rc: RequestContext, session: AsyncSession,
                          app: AppContext, state: FSMContext) -> None:
    """A provider / project / … typed instead of picked, or a tag `key=value`. A name the
    org's recent costs do not have is questioned once (a misspelt scope would make a budget
    that shows 0 and never warns); the same name sent again is kept."""
    data = await state.get_data()
    try:
        kind, value = budgets.parse_scope(data.get("scope_kind", ""), message.text or "")
    except BudgetInputError as exc:
        await message.answer(_bad(rc, exc))
        return
    if kind == "connection":
        await message.answer(rc.t("budgets.bad.connection"))
        return
    if not budgets.same_scope_value(value or "", data.get("unmatched_scope")) and \
            not await budgets.scope_has_costs(session, org_id_of(rc), kind, value,
                                              today_of(rc, app)):
        await state.update_data(unmatched_scope=value)
        await message.answer(rc.t("budgets.warn.unmatched", value=esc(value or ""),
                                  days=budgets.SCOPE_LOOKBACK_DAYS))
        return
    await state.update_data(scope_value=value, scope_label=None, unmatched_scope=None)
    await _ask_amount(message, rc, state)


async def on_wizard_amount(message: Message, rc: RequestContext, state: FSMContext) -> None:
    try:
        amount = budgets.parse_amount(message.text or "")
    except BudgetInputError as exc:
        await message.answer(_bad(rc, exc))
        return
    await state.update_data(amount=str(amount))
    await state.set_state(BudgetWizard.period)
    await message.answer(rc.t("budgets.ask.period"), reply_markup=period_kb(rc))


async def on_wizard_thresholds(message: Message, rc: RequestContext, session: AsyncSession,
                               state: FSMContext) -> None:
    try:
        thresholds = budgets.parse_thresholds(message.text or "")
    except BudgetInputError as exc:
        await message.answer(_bad(rc, exc))
        return
    await state.update_data(thresholds=list(thresholds))
    await _ask_destination(message, rc, session, state, edit=False)


async def _apply_edit(message: Message, rc: RequestContext, session: AsyncSession,
                      app: AppContext, state: FSMContext, field: str,
                      parse: Callable[[str], object]) -> None:
    """One typed edit of the budget in the wizard's state: parse, save, show the card."""
    bid = int((await state.get_data()).get("budget_id", 0))
    try:
        value = parse(message.text or "")
    except BudgetInputError as exc:
        await message.answer(_bad(rc, exc))
        return
    changes: dict[str, Any] = {field: value}
    await budgets.update_budget(session, org_id_of(rc), rc.user.id, bid,
                                actor_telegram_id=rc.user.telegram_id, **changes)
    await state.clear()
    text, kb = await _card(rc, session, app, bid)
    await message.answer(text, reply_markup=kb)


async def on_edit_amount(message: Message, rc: RequestContext, session: AsyncSession,
                         app: AppContext, state: FSMContext) -> None:
    await _apply_edit(message, rc, session, app, state, "amount", budgets.parse_amount)


async def on_edit_thresholds(message: Message, rc: RequestContext, session: AsyncSession,
                             app: AppContext, state: FSMContext) -> None:
    await _apply_edit(message, rc, session, app, state, "thresholds", budgets.parse_thresholds)
