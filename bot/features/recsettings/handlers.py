"""/recrules, its switches and thresholds, and the reason of a dismiss or snooze:
read → `core.services.recommendations.settings` / `lifecycle` → render.

Thresholds: finance and up pick a rule, then a threshold, and type a value (a decimal comma is
fine); a value that is not a number or is out of the threshold's range is answered in the user's
language and asked again. Dismiss and snooze from the /recs buttons ask why first: a preset reason
(not applicable, planned, already done) or free text; the reason is stored and audited with the
decision by the lifecycle service.
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.questions.callbacks import RecAction, RecCb
from bot.features.questions.handlers import SNOOZE_DAYS
from bot.features.recsettings.callbacks import (
    Reason,
    RecReasonCb,
    RuleEditCb,
    RuleToggleCb,
)
from bot.features.recsettings.keyboards import (
    reasons_kb,
    rules_kb,
    threshold_value_kb,
    thresholds_kb,
)
from bot.features.recsettings.states import RecSettingsInput
from bot.filters import org_id_of
from bot.i18n import esc
from core.app import AppContext
from core.services.errors import NotFound
from core.services.recommendations import lifecycle, settings
from core.services.recommendations.lifecycle import MAX_REASON
from core.services.recommendations.settings import TUNABLES, RuleSetting, ThresholdInputError
from renderers.messages.answers_lists import recommendation_title
from renderers.messages.recsettings import fmt_threshold, render_rules

__all__ = ["ask_reason", "ask_threshold", "cmd_rules", "on_reason", "on_reason_text",
           "on_threshold_cancel", "on_threshold_default", "on_threshold_rule",
           "on_threshold_text", "on_toggle"]

DECIDABLE = ("new", "accepted", "snoozed")
ALL = (*DECIDABLE, "dismissed", "done")




async def cmd_rules(message: Message, rc: RequestContext, session: AsyncSession,
                    state: FSMContext) -> None:
    await state.clear()
    rules = await settings.rule_settings(session, org_id_of(rc))
    await message.answer(render_rules(rules, rc.lang), reply_markup=rules_kb(rc, rules))


async def on_toggle(query: CallbackQuery, callback_data: RuleToggleCb, rc: RequestContext,
                    session: AsyncSession) -> None:
    """Finance and up (the router's filter; the service checks again)."""
    org_id = org_id_of(rc)
    await settings.set_rule_enabled(session, org_id, rc.user.id, callback_data.kind,
                                    callback_data.on, actor_telegram_id=rc.user.telegram_id)
    rules = await settings.rule_settings(session, org_id)
    await query.answer()
    await callback_message(query).edit_text(render_rules(rules, rc.lang),
                                    reply_markup=rules_kb(rc, rules))


# --- thresholds ---------------------------------------------------------------------------------

async def _rule(session: AsyncSession, org_id: int, kind: str) -> RuleSetting:
    rule = next((r for r in await settings.rule_settings(session, org_id) if r.kind == kind),
                None)
    if rule is None or not rule.thresholds:
        raise NotFound("no such tunable rule")
    return rule


async def _ask_value(message: Message, rc: RequestContext, rule: RuleSetting, name: str) -> None:
    tunable = TUNABLES[rule.kind][name]
    await message.answer(
        rc.t("recsettings.ask_value", kind=rule.kind, name=name,
             low=fmt_threshold(tunable.low, rc.lang), high=fmt_threshold(tunable.high, rc.lang),
             value=fmt_threshold(rule.thresholds[name], rc.lang),
             default=fmt_threshold(tunable.default, rc.lang)),
        reply_markup=threshold_value_kb(rc, rule.kind, name, tunable.default))


async def _saved(message: Message, rc: RequestContext, session: AsyncSession, kind: str,
                 name: str, value: float) -> None:
    await message.answer(rc.t("recsettings.threshold_saved", kind=kind, name=name,
                              value=fmt_threshold(value, rc.lang)))
    rules = await settings.rule_settings(session, org_id_of(rc))
    await message.answer(render_rules(rules, rc.lang), reply_markup=rules_kb(rc, rules))


async def _answered_rule(query: CallbackQuery, callback_data: RuleEditCb,
                         rc: RequestContext, session: AsyncSession) -> RuleSetting:
    """The button's rule, re-loaded in the caller's organisation; the press answered."""
    rule = await _rule(session, org_id_of(rc), callback_data.kind)
    await query.answer()
    return rule


def _threshold(rule: RuleSetting, name: str) -> str:
    if name not in rule.thresholds:
        raise NotFound("no such threshold")
    return name


async def on_threshold_rule(query: CallbackQuery, callback_data: RuleEditCb,
                            rc: RequestContext, session: AsyncSession) -> None:
    """A rule's thresholds, one button each."""
    rule = await _answered_rule(query, callback_data, rc, session)
    await callback_message(query).answer(rc.t("recsettings.thresholds_title", kind=rule.kind),
                                         reply_markup=thresholds_kb(rc, rule))


async def ask_threshold(query: CallbackQuery, callback_data: RuleEditCb, rc: RequestContext,
                        session: AsyncSession, state: FSMContext) -> None:
    """Asks for one threshold's value; `on_threshold_text` takes the reply."""
    rule = await _answered_rule(query, callback_data, rc, session)
    name = _threshold(rule, callback_data.name)
    await state.set_state(RecSettingsInput.threshold)
    await state.update_data(kind=rule.kind, name=name)
    await _ask_value(callback_message(query), rc, rule, name)


async def on_threshold_default(query: CallbackQuery, callback_data: RuleEditCb,
                               rc: RequestContext, session: AsyncSession,
                               state: FSMContext) -> None:
    """Puts one threshold back to its default."""
    rule = await _answered_rule(query, callback_data, rc, session)
    name = _threshold(rule, callback_data.name)
    value = await settings.set_threshold(session, org_id_of(rc), rc.user.id, rule.kind, name,
                                         None, actor_telegram_id=rc.user.telegram_id)
    await state.clear()
    await _saved(callback_message(query), rc, session, rule.kind, name, value)


async def on_threshold_cancel(query: CallbackQuery, rc: RequestContext,
                              state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await callback_message(query).answer(rc.t("recsettings.cancelled"))


async def on_threshold_text(message: Message, rc: RequestContext, session: AsyncSession,
                            state: FSMContext) -> None:
    org_id = org_id_of(rc)
    data = await state.get_data()
    kind, name = str(data.get("kind", "")), str(data.get("name", ""))
    rule = await _rule(session, org_id, kind)
    if name not in rule.thresholds:
        await state.clear()
        raise NotFound("no such threshold")
    text = (message.text or "").strip()
    try:
        value = await settings.set_threshold(session, org_id, rc.user.id, kind, name, text,
                                             actor_telegram_id=rc.user.telegram_id)
    except ThresholdInputError as exc:
        tunable = TUNABLES[kind][name]
        await message.answer(
            rc.t(f"recsettings.error.{exc.reason}", value=esc(exc.value),
                 low=fmt_threshold(tunable.low, rc.lang),
                 high=fmt_threshold(tunable.high, rc.lang))
            + "\n" + rc.t("recsettings.try_again"),
            reply_markup=threshold_value_kb(rc, kind, name, tunable.default))
        return
    await state.clear()
    await _saved(message, rc, session, kind, name, value)


# --- reasons of a dismiss or snooze -------------------------------------------------------------

async def _title(session: AsyncSession, org_id: int, rec_id: int, lang: str) -> str | None:
    """The title of a recommendation that can still be dismissed or snoozed, None when it is
    already decided; another organisation's id is not found (indistinguishable from absent)."""
    recs = await lifecycle.list_recommendations(session, org_id, statuses=ALL)
    rec = next((r for r in recs if r.id == rec_id), None)
    if rec is None:
        raise NotFound("recommendation not found")
    return recommendation_title(rec.kind, rec.title, lang) if rec.status in DECIDABLE else None


async def ask_reason(query: CallbackQuery, callback_data: RecCb, rc: RequestContext,
                     session: AsyncSession, state: FSMContext) -> None:
    """Dismiss or snooze from /recs: ask why before anything changes."""
    title = await _title(session, org_id_of(rc), callback_data.id, rc.lang)
    if title is None:
        await query.answer(rc.t("recsettings.reason.gone"), show_alert=True)
        return
    await state.clear()
    await query.answer()
    dismiss = callback_data.action is RecAction.DISMISS
    key = "recsettings.reason.ask_dismiss" if dismiss else "recsettings.reason.ask_snooze"
    await callback_message(query).answer(rc.t(key, title=esc(title), days=SNOOZE_DAYS),
                                 reply_markup=reasons_kb(rc, callback_data.id, dismiss=dismiss))


async def _decide(message: Message, rc: RequestContext, session: AsyncSession, app: AppContext,
                  rec_id: int, dismiss: bool, reason: str, shown: str, *, edit: bool) -> None:
    org_id = org_id_of(rc)
    title = await _title(session, org_id, rec_id, rc.lang)
    if title is None:
        text = rc.t("recsettings.reason.gone")
    else:
        if dismiss:
            await lifecycle.dismiss(session, org_id, rc.user.id, rec_id, app.clock, reason=reason,
                                    actor_telegram_id=rc.user.telegram_id)
        else:
            await lifecycle.snooze(session, org_id, rc.user.id, rec_id, app.clock,
                                   days=SNOOZE_DAYS, reason=reason,
                                   actor_telegram_id=rc.user.telegram_id)
        done = "dismissed" if dismiss else "snoozed"
        text = (rc.t(f"menu.rec_done.{done}", title=esc(title)) + "\n"
                + rc.t("recsettings.reason.line", reason=esc(shown)))
    if edit:
        await message.edit_text(text)
    else:
        await message.answer(text)


async def on_reason(query: CallbackQuery, callback_data: RecReasonCb, rc: RequestContext,
                    session: AsyncSession, state: FSMContext, app: AppContext) -> None:
    reason = callback_data.reason
    message = callback_message(query)
    await query.answer()
    if reason is Reason.CANCEL:
        await state.clear()
        await message.edit_text(rc.t("recsettings.reason.cancelled"))
        return
    if reason is Reason.OTHER:
        await state.set_state(RecSettingsInput.reason)
        await state.update_data(rec_id=callback_data.id, dismiss=callback_data.dismiss)
        await message.edit_text(rc.t("recsettings.reason.ask_text", max=MAX_REASON))
        return
    await state.clear()
    await _decide(message, rc, session, app, callback_data.id, callback_data.dismiss,
                  reason.value, rc.t(f"recsettings.reason.{reason.value}"), edit=True)


async def on_reason_text(message: Message, rc: RequestContext, session: AsyncSession,
                         state: FSMContext, app: AppContext) -> None:
    text = (message.text or "").strip()
    if len(text) > MAX_REASON:
        await message.answer(rc.t("recsettings.reason.too_long", max=MAX_REASON))
        return
    data = await state.get_data()
    await state.clear()
    await _decide(message, rc, session, app, int(data["rec_id"]), bool(data["dismiss"]), text,
                  text, edit=False)
