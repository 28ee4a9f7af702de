"""Question commands and buttons: parse → `core.services.ask.service` → render, nothing more."""

from __future__ import annotations

from datetime import date

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.questions.callbacks import AskCb, RecCb
from bot.features.questions.memory import recall, remember
from bot.features.questions.reply import send_answer, send_chart_later, today_of
from bot.filters import org_id_of
from core.app import AppContext
from core.services.ask.service import default_question, execute
from core.services.ask.types import Intent
from core.services.errors import ServiceError
from core.services.recommendations import lifecycle
from renderers.messages.answers_lists import recommendation_title

__all__ = ["CHART_INTENTS", "COMMANDS", "SNOOZE_DAYS", "ask_command", "on_ask", "on_rec_accept"]

COMMANDS: dict[str, Intent] = {
    "spend": Intent.SPEND, "top": Intent.TOP, "resources": Intent.RESOURCES,
    "recs": Intent.RECOMMENDATIONS, "budget": Intent.BUDGET, "forecast": Intent.FORECAST,
    "anomalies": Intent.ANOMALIES, "chart": Intent.TREND, "trend": Intent.TREND,
}
CHART_INTENTS = frozenset({Intent.TREND, Intent.FORECAST, Intent.BUDGET})
MAX_CHART_DAYS = 400
SNOOZE_DAYS = 30


async def ask_command(message: Message, rc: RequestContext, session: AsyncSession,
                      app: AppContext, state: FSMContext) -> None:
    """`/spend`, `/top`, … with the intent's usual period."""
    command = (message.text or "/").split()[0].lstrip("/").split("@")[0].lower()
    intent = COMMANDS[command]
    question = default_question(intent, today_of(rc, app))
    await remember(state, question)
    await send_answer(message, rc, session, app, question, chart=intent in CHART_INTENTS)


def _period(data: AskCb) -> tuple[date, date]:
    """The button's period, refused when it is not a sane range (a tampered button)."""
    try:
        start, end = date.fromordinal(data.start), date.fromordinal(data.end)
    except (ValueError, OverflowError):
        raise ServiceError("bad period") from None
    if not 0 <= (end - start).days <= MAX_CHART_DAYS:
        raise ServiceError("bad period")
    return start, end


async def on_ask(query: CallbackQuery, callback_data: AskCb, rc: RequestContext,
                 session: AsyncSession, app: AppContext, state: FSMContext) -> None:
    """A menu button, a page of a list, or the chart of an answer."""
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    assert rc.org is not None
    intent = callback_data.intent
    if callback_data.chart:
        question = await recall(state, intent, *_period(callback_data))
        answer = await execute(session, rc.org.id, question, today=today_of(rc, app))
        send_chart_later(message, rc, answer, stacked=intent is Intent.TREND)
        return
    question = default_question(intent, today_of(rc, app), page=max(0, callback_data.page))
    paging = callback_data.nav
    await send_answer(message, rc, session, app, question, edit=paging,
                      chart=intent in CHART_INTENTS and not paging)


async def on_rec_accept(query: CallbackQuery, callback_data: RecCb, rc: RequestContext,
                        session: AsyncSession, app: AppContext) -> None:
    """Accept from /recs: the lifecycle service re-checks the org and the role. (Snooze and
    dismiss ask why first: `recsettings` registers them, before this router.)"""
    org_id, rec_id = org_id_of(rc), callback_data.id
    await lifecycle.accept(session, org_id, rc.user.id, rec_id, app.clock,
                           actor_telegram_id=rc.user.telegram_id)
    recs = await lifecycle.list_recommendations(session, org_id, statuses=("accepted",))
    title = next((recommendation_title(r.kind, r.title, rc.lang) for r in recs
                  if r.id == rec_id), "")
    await query.answer(rc.t("menu.rec_done.accepted", title=title), show_alert=True)
