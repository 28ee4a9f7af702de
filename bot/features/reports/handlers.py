"""/report and /export: choose with buttons → build the file in core/renderers → sendDocument.

Everything is scoped by the organisation of the request context; callback data carries only a
period key or a format name, and an unknown one gets "not understood" instead of a traceback.
"""

from __future__ import annotations

import contextlib
from datetime import date

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, CallbackQuery, FSInputFile, InputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.reports.callbacks import ExportCb, ExportFormat, ReportCb
from bot.features.reports.documents import (
    MAX_UPLOAD,
    Document,
    brief_document,
    export_document,
    has_costs,
)
from bot.features.reports.keyboards import export_format_kb, export_period_kb, report_period_kb
from bot.features.reports.periods import export_range, org_today, report_period, text_period
from core.app import AppContext
from core.domain.roles import Role
from core.query import ParsedQuery, PeriodSource
from core.services.brief import BriefPeriod
from core.services.errors import Forbidden
from core.services.updating import days_updating
from renderers.format import fmt_date
from renderers.messages.answers_common import esc, period_label

__all__ = ["cmd_export", "cmd_report", "on_export", "on_report", "on_unknown", "open_report"]

EXPORT_ROLE = Role.MEMBER


def _require_exporter(rc: RequestContext) -> None:
    """Exports are reading, so the read-only demo allows them; viewers may not export."""
    if not rc.has_role(EXPORT_ROLE):
        raise Forbidden(f"export requires {EXPORT_ROLE.value}")


def _file(doc: Document) -> InputFile:
    if doc.path is not None:
        return FSInputFile(doc.path, filename=doc.filename)
    assert doc.content is not None
    return BufferedInputFile(doc.content, doc.filename)


async def _send(bot: Bot, message: Message, doc: Document, progress: Message | None) -> None:
    await message.answer_document(_file(doc), caption=doc.caption)
    if progress is not None:  # the "preparing…" line has done its job
        with contextlib.suppress(TelegramBadRequest):
            await bot.delete_message(progress.chat.id, progress.message_id)


async def _switching(session: AsyncSession, rc: RequestContext, start: date,
                     end: date) -> str | None:
    """Why no document of [start, end] is made now: a file import is switching its days (a
    brief or export of them would be half old, half new); None when none is."""
    assert rc.org is not None
    found = await days_updating(session, rc.org.id, start, end)
    if not found:
        return None
    first = found[0]
    return rc.t("reports.updating", connection=esc(first.connection),
                first=fmt_date(first.first, rc.lang), last=fmt_date(first.last, rc.lang))


async def _say(message: Message, text: str, progress: Message | None) -> None:
    """Replace the "preparing…" line when there is one, else answer."""
    if progress is not None:
        await progress.edit_text(text)
    else:
        await message.answer(text)


async def _callback_message(query: CallbackQuery) -> Message | None:
    await query.answer()
    return query.message if isinstance(query.message, Message) else None


async def on_unknown(query: CallbackQuery, rc: RequestContext) -> None:
    """A report/export button whose data we do not know (tampered or from an old version)."""
    await query.answer(rc.t("reports.not_understood"), show_alert=True)


# -- /report --------------------------------------------------------------------------------
async def cmd_report(message: Message, rc: RequestContext, session: AsyncSession) -> None:
    assert rc.org is not None
    if not await has_costs(session, rc.org.id):
        await message.answer(rc.t("reports.no_data"))
        return
    await message.answer(rc.t("reports.report.choose"), reply_markup=report_period_kb(rc))


async def on_report(query: CallbackQuery, callback_data: ReportCb, rc: RequestContext,
                    session: AsyncSession, app: AppContext, bot: Bot) -> None:
    assert rc.org is not None
    period = report_period(callback_data.period, org_today(app.clock, rc.org.timezone))
    if period is None:
        await on_unknown(query, rc)
        return
    message = await _callback_message(query)
    if message is not None:
        await message.edit_text(rc.t("reports.report.preparing", period=period_label(
            period.start, period.end, rc.lang)))
        await send_brief(message, rc, session, app, bot, period, progress=message)


async def send_brief(message: Message, rc: RequestContext, session: AsyncSession,
                     app: AppContext, bot: Bot, period: BriefPeriod, *,
                     progress: Message | None = None) -> None:
    """The brief of `period` in the caller's language, or why there is none."""
    assert rc.org is not None
    if (busy := await _switching(session, rc, period.start, period.end)) is not None:
        await _say(message, busy, progress)
        return
    await bot.send_chat_action(message.chat.id, ChatAction.UPLOAD_DOCUMENT)
    doc = await brief_document(session, rc.org, period, rc.lang, app.clock)
    if doc is None:
        await _say(message, rc.t("reports.no_data_period", period=period_label(
            period.start, period.end, rc.lang)), progress)
        return
    await _send(bot, message, doc, progress)


async def open_report(message: Message, rc: RequestContext, session: AsyncSession,
                      app: AppContext, parsed: ParsedQuery) -> None:
    """Free text asking for a report: a month or week it names is sent at once, else buttons."""
    assert rc.org is not None
    assert message.bot is not None
    today = org_today(app.clock, rc.org.timezone)
    period = (text_period(parsed.period.start, parsed.period.end, today)
              if parsed.period_source is PeriodSource.TEXT else None)
    if period is None or not await has_costs(session, rc.org.id):
        await cmd_report(message, rc, session)
        return
    await send_brief(message, rc, session, app, message.bot, period)


# -- /export --------------------------------------------------------------------------------
async def cmd_export(message: Message, rc: RequestContext, session: AsyncSession) -> None:
    assert rc.org is not None
    _require_exporter(rc)
    if not await has_costs(session, rc.org.id):
        await message.answer(rc.t("reports.no_data"))
        return
    await message.answer(rc.t("reports.export.choose_format"), reply_markup=export_format_kb(rc))


async def on_export(query: CallbackQuery, callback_data: ExportCb, rc: RequestContext,
                    session: AsyncSession, app: AppContext, bot: Bot) -> None:
    """First press picks the format (→ period buttons), the second the period (→ the file)."""
    assert rc.org is not None
    _require_exporter(rc)
    try:
        fmt = ExportFormat(callback_data.fmt)
    except ValueError:
        await on_unknown(query, rc)
        return
    span = None
    if callback_data.period:
        span = export_range(callback_data.period, org_today(app.clock, rc.org.timezone))
        if span is None:
            await on_unknown(query, rc)
            return
    message = await _callback_message(query)
    if message is None:
        return
    name = rc.t(f"reports.export.format.{fmt.value}")
    if span is None:
        await message.edit_text(rc.t("reports.export.choose_period", format=name),
                                reply_markup=export_period_kb(rc, fmt))
        return
    if (busy := await _switching(session, rc, span.start, span.end)) is not None:
        await _say(message, busy, message)
        return
    label = period_label(span.start, span.end, rc.lang)
    await message.edit_text(rc.t("reports.export.preparing", format=name, period=label))
    await bot.send_chat_action(message.chat.id, ChatAction.UPLOAD_DOCUMENT)
    async with export_document(session, rc.org, fmt, span, rc.lang) as doc:
        if doc is None:
            await _say(message, rc.t("reports.no_data_period", period=label), message)
        elif doc.size > MAX_UPLOAD:
            await _say(message, rc.t("reports.export.too_big", period=label,
                                     size=doc.size // (1024 * 1024)), message)
        else:
            await _send(bot, message, doc, message)
