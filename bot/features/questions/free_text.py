"""Free text: the parser reads the question with the org's names; understood questions are
answered like commands, the rest get "what I understood" and buttons (never silence).

Every answer starts with what was understood (intent, period, filters, the reading chosen for
an ambiguous phrase, the words not used). A short follow-up within 30 minutes ("а в
сентябре?", "почему?", "подробнее") modifies the previous question. Text the rules did not
understand may go to an LLM when one is configured and the organisation allows it.
"""

from __future__ import annotations

from dataclasses import replace

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.fallback.handlers import reply_not_understood
from bot.features.questions.callbacks import AskCb
from bot.features.questions.handlers import CHART_INTENTS
from bot.features.questions.memory import recall_parsed, remember, remember_parsed
from bot.features.questions.reply import send_answer, today_of
from bot.features.reports.handlers import open_report
from connectors.llm import ChatCompletionsClient
from core.app import AppContext
from core.db.models import Organization
from core.query import ParsedQuery, PeriodSource, Vocabulary, parse
from core.query.followup import FollowUpKind, follow_up
from core.services.ask import llm as ask_llm
from core.services.ask.parsed import question_from_parsed
from core.services.ask.types import Intent
from core.services.ask.vocabulary import VocabularyCache
from core.services.costs import Dimension
from renderers.messages.answers_common import period_label
from renderers.messages.conversation import understood_header, unparsed_words

__all__ = ["SUGGESTED", "FreeTextHandler", "understood_parts"]

SUGGESTED = (Intent.SPEND, Intent.TOP, Intent.TREND, Intent.FORECAST, Intent.RECOMMENDATIONS)


def understood_parts(parsed: ParsedQuery, rc: RequestContext) -> list[str]:
    """The fragments the parser did get (a period, filters) and the words it did not."""
    parts: list[str] = []
    heard = parsed.period if parsed.period_source is PeriodSource.TEXT else parsed.heard_period
    if heard is not None:  # a not-understood question keeps the default, but says what it heard
        parts.append(rc.t("menu.understood.period", value=period_label(
            heard.start, heard.end, rc.lang)))
    for name, value in parsed.filters.to_dict().items():
        if name == "tags":
            parts.extend(rc.t("answers.filter.tag", key=k, value=v) for k, v in value.items())
        else:
            parts.append(rc.t(f"answers.filter.{name}", value=value))
    if parts and parsed.unparsed:
        parts.append(rc.t("conversation.unparsed_part",
                          words=unparsed_words(parsed).replace("&amp;", "&")))
    return parts


def _suggestions(rc: RequestContext) -> list[tuple[str, str]]:
    return [(rc.t(f"menu.btn.{i.value}"), AskCb(intent=i).pack()) for i in SUGGESTED]


class FreeTextHandler:
    """Holds the per-org vocabulary cache for the life of the dispatcher."""

    def __init__(self, cache: VocabularyCache | None = None) -> None:
        self.cache = cache or VocabularyCache()

    async def _llm(self, text: str, rc: RequestContext, session: AsyncSession,
                   app: AppContext, vocabulary: Vocabulary) -> ParsedQuery | None:
        """The LLM's reading of `text`, when configured and allowed for this org."""
        settings = app.settings
        if not settings.llm_url or rc.org is None:
            return None
        org = await session.get(Organization, rc.org.id)
        if org is None or not ask_llm.llm_allowed(org.settings):
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        port = ChatCompletionsClient(app.http, settings.llm_url, settings.llm_model,
                                     api_key=key, timeout=settings.llm_timeout)
        return await ask_llm.understand(port, text, today=today_of(rc, app), lang=rc.lang,
                                        vocabulary=vocabulary)

    async def handle(self, message: Message, rc: RequestContext, session: AsyncSession,
                     app: AppContext, state: FSMContext) -> None:
        if rc.org is None:
            await reply_not_understood(message, rc)
            return
        text = message.text or ""
        today, now = today_of(rc, app), app.clock.now()
        vocabulary = await self.cache.get(session, rc.org.id)
        parsed = parse(text, today=today, lang=rc.lang, known=vocabulary)
        previous = await recall_parsed(state, now)
        found = follow_up(text, parsed, previous)
        kind = found.kind if found else None
        if found is not None:
            parsed = found.query
        elif not parsed.understood:
            parsed = await self._llm(text, rc, session, app, vocabulary) or parsed
        question = question_from_parsed(parsed)
        if question is None:
            await reply_not_understood(message, rc, understood_parts(parsed, rc),
                                       _suggestions(rc))
            return
        if question.intent is Intent.REPORT:  # a brief is a document: the reports feature
            await open_report(message, rc, session, app, parsed)
            return
        header = understood_header(parsed, rc.lang, follow_up=kind.value if kind else None)
        extra = _suggestions(rc) if parsed.unparsed else []
        if kind is FollowUpKind.MORE:
            question = replace(question, intent=Intent.TOP, by=Dimension.RESOURCE)
        await remember(state, question)
        if kind is not FollowUpKind.WHY:  # "почему?" keeps the spend question to follow up on
            await remember_parsed(state, parsed, now)
        await send_answer(message, rc, session, app, question, header=header, extra=extra,
                          chart=question.intent in CHART_INTENTS)
        if kind is FollowUpKind.WHY:  # the anomalies, then what the money went on
            drivers = replace(question, intent=Intent.TOP, by=Dimension.SERVICE)
            await send_answer(message, rc, session, app, drivers)
