"""/rates handlers: parse → core.services.currency → render → reply.

Everyone in the organisation sees the rates and what is left out for want of one; owners,
admins and finance get a button that starts the flow (the router guards each step with
`RoleFilter(RATE_EDITORS)` and `currency.set_rate` checks the role again). Bad input — an
unknown code, a rate that is not a positive number, a date that is not one — is answered in the
user's language and the same step asks again.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.rates.callbacks import RatesCb
from bot.features.rates.keyboards import cancel_kb, currencies_kb, from_kb, overview_kb
from bot.features.rates.states import RatesInput
from bot.filters import org_id_of
from bot.i18n import esc
from core.app import AppContext
from core.services import currency
from core.services.currency import RATE_EDITORS, RateInputError
from renderers.format import fmt_date
from renderers.messages.rates import fmt_rate, render_rates

__all__ = ["cmd_rates", "on_cancel", "on_currency", "on_currency_text", "on_rate_text",
           "on_set", "on_since", "on_since_text"]

COMMON = ("USD", "EUR", "CNY", "KZT", "GBP", "TRY")
SHOWN = 6




def _today(rc: RequestContext, app: AppContext) -> date:
    return app.clock.now().astimezone(ZoneInfo(rc.timezone)).date()


async def _refuse(message: Message, rc: RequestContext, exc: RateInputError) -> None:
    await message.answer(rc.t(f"rates.error.{exc.reason}", value=esc(exc.value)) + "\n"
                         + rc.t("rates.try_again"), reply_markup=cancel_kb(rc))


async def _show(message: Message, rc: RequestContext, session: AsyncSession) -> None:
    view = await currency.overview(session, org_id_of(rc))
    editor = rc.has_role(RATE_EDITORS) and not rc.is_demo
    await message.answer(render_rates(view, rc.lang),
                         reply_markup=overview_kb(rc) if editor else None)


async def cmd_rates(message: Message, rc: RequestContext, session: AsyncSession,
                    state: FSMContext) -> None:
    await state.clear()
    await _show(message, rc, session)


async def on_set(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                 state: FSMContext) -> None:
    view = await currency.overview(session, org_id_of(rc))
    codes = [m.currency for m in view.left_out] + [r.currency for r in view.latest]
    codes = list(dict.fromkeys(c for c in [*codes, *COMMON] if c != view.base))[:SHOWN]
    await state.set_state(RatesInput.currency)
    await query.answer()
    await callback_message(query).answer(rc.t("rates.ask_currency"),
                                 reply_markup=currencies_kb(rc, codes))


async def _got_currency(message: Message, text: str, rc: RequestContext, session: AsyncSession,
                        state: FSMContext) -> None:
    org_id = org_id_of(rc)
    base = await currency.org_base(session, org_id)
    try:
        code = currency.parse_currency(text, base)
    except RateInputError as exc:
        await _refuse(message, rc, exc)
        return
    await state.update_data(currency=code)
    await state.set_state(RatesInput.rate)
    await message.answer(rc.t("rates.ask_rate", base=base, currency=code),
                         reply_markup=cancel_kb(rc))


async def on_currency(query: CallbackQuery, callback_data: RatesCb, rc: RequestContext,
                      session: AsyncSession, state: FSMContext) -> None:
    await query.answer()
    await _got_currency(callback_message(query), callback_data.value, rc, session, state)


async def on_currency_text(message: Message, rc: RequestContext, session: AsyncSession,
                           state: FSMContext) -> None:
    await _got_currency(message, message.text or "", rc, session, state)


async def on_rate_text(message: Message, rc: RequestContext, session: AsyncSession,
                       state: FSMContext, app: AppContext) -> None:
    org_id = org_id_of(rc)
    data = await state.get_data()
    try:
        rate = currency.parse_rate(message.text or "")
    except RateInputError as exc:
        await _refuse(message, rc, exc)
        return
    code = str(data["currency"])
    await state.update_data(rate=str(rate))
    await state.set_state(RatesInput.since)
    base = await currency.org_base(session, org_id)
    default = await currency.default_from(session, org_id, code, _today(rc, app))
    await message.answer(rc.t("rates.ask_from", currency=code, rate=fmt_rate(rate, rc.lang),
                              base=base), reply_markup=from_kb(rc, default))


async def _save(message: Message, text: str, rc: RequestContext, session: AsyncSession,
                state: FSMContext) -> None:
    org_id = org_id_of(rc)
    data = await state.get_data()
    try:
        day = currency.parse_day(text)
    except RateInputError as exc:
        await _refuse(message, rc, exc)
        return
    saved = await currency.set_rate(session, org_id, rc.user.id, str(data["currency"]),
                                    Decimal(str(data["rate"])), day,
                                    actor_telegram_id=rc.user.telegram_id)
    await state.clear()
    await message.answer(rc.t("rates.saved", currency=saved.currency,
                              rate=fmt_rate(saved.rate, rc.lang), base=saved.base_currency,
                              day=fmt_date(saved.valid_from, rc.lang)))
    await _show(message, rc, session)


async def on_since(query: CallbackQuery, callback_data: RatesCb, rc: RequestContext,
                   session: AsyncSession, state: FSMContext) -> None:
    await query.answer()
    await _save(callback_message(query), callback_data.value, rc, session, state)


async def on_since_text(message: Message, rc: RequestContext, session: AsyncSession,
                        state: FSMContext) -> None:
    await _save(message, message.text or "", rc, session, state)


async def on_cancel(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await callback_message(query).answer(rc.t("rates.cancelled"))



