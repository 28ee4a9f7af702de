"""Run a question and send its answer: text with buttons, and a chart as a photo when asked.

The text goes out at once; the chart follows as a background task (`core.tasks.spawn`) drawn
in a separate process (`drawing`), so a PNG that takes a tenth of a second never holds up the
answer or other chats.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.questions.drawing import draw_chart
from bot.features.questions.keyboards import answer_kb
from core.app import AppContext
from core.services.ask.service import execute
from core.services.ask.types import Answer, Question
from core.tasks import spawn
from renderers.messages.answers import render_answer

__all__ = ["send_answer", "send_chart", "send_chart_later", "today_of"]


def today_of(rc: RequestContext, app: AppContext) -> date:
    """Today in the caller's time zone, from the app's (injectable) clock."""
    return app.clock.now().astimezone(ZoneInfo(rc.timezone)).date()


async def send_chart(message: Message, rc: RequestContext, answer: Answer, *,
                     stacked: bool = False) -> bool:
    """Send the answer's chart as a photo; False when no chart fits the answer."""
    chart = await draw_chart(answer, rc.lang, stacked=stacked)
    if chart is None:
        return False
    await message.answer_photo(BufferedInputFile(chart.png, "chart.png"), caption=chart.caption)
    return True


def send_chart_later(message: Message, rc: RequestContext, answer: Answer, *,
                     stacked: bool = False) -> None:
    """Draw and send the chart in the background; the handler returns right away."""
    spawn(send_chart(message, rc, answer, stacked=stacked), name=f"chart-{message.chat.id}")


def _with_buttons(markup: InlineKeyboardMarkup,
                  extra: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """The answer's buttons plus suggestion buttons (two a row) above the menu row."""
    if not extra:
        return markup
    buttons = [InlineKeyboardButton(text=text, callback_data=data) for text, data in extra]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    keep = list(markup.inline_keyboard)
    return InlineKeyboardMarkup(inline_keyboard=keep[:-1] + rows + keep[-1:])


async def send_answer(message: Message, rc: RequestContext, session: AsyncSession,
                      app: AppContext, question: Question, *, chart: bool = False,
                      edit: bool = False, header: str | None = None,
                      extra: Sequence[tuple[str, str]] = ()) -> Answer:
    """Answer `question` for the caller's org in `message`'s chat (editing it for pages).

    `header` (what a free-text question was understood as) goes above the answer; `extra`
    buttons are offered when some words were not understood."""
    assert rc.org is not None
    answer = await execute(session, rc.org.id, question, today=today_of(rc, app))
    text = render_answer(answer, rc.lang)
    if header:
        text = f"{header}\n\n{text}"
    markup = _with_buttons(answer_kb(rc, answer), extra)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)
    if chart:
        send_chart_later(message, rc, answer)
    return answer
