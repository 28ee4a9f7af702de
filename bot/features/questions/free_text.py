"""Free text: the parser reads the question with the org's names; understood questions are
answered like commands, the rest get "what I understood" and buttons (never silence)."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.fallback.handlers import reply_not_understood
from bot.features.questions.callbacks import AskCb
from bot.features.questions.handlers import CHART_INTENTS
from bot.features.questions.memory import remember
from bot.features.questions.reply import send_answer, today_of
from bot.features.reports.handlers import open_report
from core.app import AppContext
from core.query import ParsedQuery, PeriodSource, parse
from core.services.ask_parsed import question_from_parsed
from core.services.ask_types import Intent
from core.services.ask_vocabulary import VocabularyCache
from renderers.messages.answers_common import period_label

__all__ = ["SUGGESTED", "FreeTextHandler", "understood_parts"]

SUGGESTED = (Intent.SPEND, Intent.TOP, Intent.TREND, Intent.FORECAST, Intent.RECOMMENDATIONS)


def understood_parts(parsed: ParsedQuery, rc: RequestContext) -> list[str]:
    """The fragments the parser did get (a period, filters), in the caller's language."""
    parts: list[str] = []
    if parsed.period_source is PeriodSource.TEXT:
        parts.append(rc.t("menu.understood.period", value=period_label(
            parsed.period.start, parsed.period.end, rc.lang)))
    for name, value in parsed.filters.to_dict().items():
        if name == "tags":
            parts.extend(rc.t("answers.filter.tag", key=k, value=v) for k, v in value.items())
        else:
            parts.append(rc.t(f"answers.filter.{name}", value=value))
    return parts


class FreeTextHandler:
    """Holds the per-org vocabulary cache for the life of the dispatcher."""

    def __init__(self, cache: VocabularyCache | None = None) -> None:
        self.cache = cache or VocabularyCache()

    async def handle(self, message: Message, rc: RequestContext, session: AsyncSession,
                     app: AppContext, state: FSMContext) -> None:
        if rc.org is None:
            await reply_not_understood(message, rc)
            return
        today = today_of(rc, app)
        vocabulary = await self.cache.get(session, rc.org.id)
        parsed = parse(message.text or "", today=today, lang=rc.lang, known=vocabulary)
        question = question_from_parsed(parsed)
        if question is None:
            extra = [(rc.t(f"menu.btn.{i.value}"), AskCb(intent=i).pack()) for i in SUGGESTED]
            await reply_not_understood(message, rc, understood_parts(parsed, rc), extra)
            return
        if question.intent is Intent.REPORT:  # a brief is a document: the reports feature
            await open_report(message, rc, session, app, parsed)
            return
        await remember(state, question)
        await send_answer(message, rc, session, app, question,
                          chart=question.intent in CHART_INTENTS)
