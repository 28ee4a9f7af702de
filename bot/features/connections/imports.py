"""A billing file sent as a document (FOCUS, Yandex Cloud billing detail, manual CSV; the file
says which) imports into the chosen connection, and the outcome says how it was read, what it
replaced and what it left alone.

The handler only says "importing…" and starts the import in the background
(`core.tasks.spawn`), so the chat keeps answering while a big file is read; the import runs
with its own sessions (`core.services.focus_import` writes in short transactions, parsing in a
worker thread) and the "importing…" message is edited into the outcome. A bad row changes
nothing and the outcome names the row and the column, so the user knows what to fix; a second
file for a connection that is still importing is told so.
"""

from __future__ import annotations

import io
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.connections.callbacks import ImportCb
from bot.features.connections.keyboards import import_kb
from bot.features.connections.wizard import actor_of
from bot.features.questions.reply import today_of
from bot.filters import RoleFilter
from bot.i18n import esc
from bot.middlewares.errors import error_text
from connectors.errors import InvalidInput
from core.app import AppContext
from core.domain.roles import Role
from core.services.connections import list_connections
from core.services.errors import NotFound, ServiceError
from core.services.focus_import import FILE_KINDS, ImportBusy, import_file
from core.tasks import spawn
from renderers.format import fmt_date
from renderers.messages.imports import import_summary_lines

__all__ = ["FILE_KINDS", "on_document", "on_import_button"]

log = logging.getLogger(__name__)

MAX_MB = 20  # the Bot API does not hand bots bigger files
KEY = "import_file"


async def on_document(message: Message, rc: RequestContext, session: AsyncSession,
                      app: AppContext, state: FSMContext, bot: Bot) -> None:
    """Find where the file can go: straight in when one connection fits, else ask."""
    await RoleFilter(Role.ADMIN)(message, rc)
    assert rc.org is not None
    assert message.document is not None
    doc = message.document
    name = doc.file_name or "file.csv"
    if (doc.file_size or 0) > MAX_MB * 1024 * 1024:
        await message.answer(rc.t("connect.import.too_big", file=esc(name), limit=MAX_MB,
                                  size=round((doc.file_size or 0) / 1024 / 1024, 1)))
        return
    targets = [(c.id, c.name) for c in await list_connections(
        session, rc.org.id, today=today_of(rc, app), actor=actor_of(rc)) if c.kind in FILE_KINDS]
    if not targets:
        await message.answer(rc.t("connect.import.no_target"))
        return
    if len(targets) == 1:
        await _import(message, rc, app, bot, doc.file_id, name, *targets[0])
        return
    await state.update_data({KEY: {"id": doc.file_id, "name": name}})
    await message.answer(rc.t("connect.import.choose", file=esc(name)),
                         reply_markup=import_kb(rc, targets))


async def on_import_button(query: CallbackQuery, callback_data: ImportCb, rc: RequestContext,
                           session: AsyncSession, app: AppContext, state: FSMContext,
                           bot: Bot) -> None:
    await RoleFilter(Role.ADMIN)(query, rc)
    assert rc.org is not None
    targets = {c.id: c.name for c in await list_connections(
        session, rc.org.id, today=today_of(rc, app), actor=actor_of(rc)) if c.kind in FILE_KINDS}
    if callback_data.id not in targets:  # another org's id, or not a file connection
        raise NotFound("connection not found")
    await query.answer()
    pending = (await state.get_data()).get(KEY)
    if not isinstance(query.message, Message):
        return
    if not isinstance(pending, dict):
        await query.message.answer(rc.t("connect.import.expired"))
        return
    await state.update_data({KEY: None})
    await _import(query.message, rc, app, bot, str(pending["id"]),
                  str(pending["name"]), callback_data.id, targets[callback_data.id])


def _reason(exc: InvalidInput) -> str:
    detail = exc.detail
    if (exc.row or exc.column) and ": " in detail:
        detail = detail.split(": ", 1)[1]
    return detail


def _outcome_of_error(exc: Exception, rc: RequestContext, file_name: str) -> str:
    if isinstance(exc, InvalidInput):
        if exc.row or exc.column:
            return rc.t("connect.import.bad_row", file=esc(file_name), row=exc.row or "—",
                        column=esc(exc.column or "—"), detail=esc(_reason(exc)))
        return rc.t("connect.import.bad_file", file=esc(file_name), detail=esc(exc.detail))
    if isinstance(exc, ImportBusy):
        return rc.t("connect.import.busy", file=esc(file_name))
    if isinstance(exc, ServiceError):
        return error_text(exc, rc.lang)
    return rc.t("connect.import.failed", file=esc(file_name))


async def _run(app: AppContext, bot: Bot, rc: RequestContext, chat_id: int, message_id: int,
               file_id: str, file_name: str, conn_id: int, conn_name: str) -> None:
    """Download, import, edit the progress message into the outcome (background task)."""
    assert rc.org is not None
    try:
        buffer = io.BytesIO()
        await bot.download(file_id, destination=buffer)
        buffer.seek(0)
        async with app.session() as session:
            result = await import_file(session, app.adapters.files, rc.org.id, conn_id, buffer,
                                       actor=actor_of(rc), now=app.clock.now(),
                                       limits=app.settings.read_limits)
    except Exception as exc:  # every outcome reaches the user, the unexpected ones the log too
        if not isinstance(exc, InvalidInput | ServiceError):
            log.exception("import of %r into connection %s failed", file_name, conn_id)
        text = _outcome_of_error(exc, rc, file_name)
    else:
        first = fmt_date(result.first_day, rc.lang) if result.first_day else "—"
        last = fmt_date(result.last_day, rc.lang) if result.last_day else "—"
        text = "\n".join([rc.t("connect.import.done", file=esc(file_name), name=esc(conn_name),
                                rows=result.rows, days=result.days, first=first, last=last),
                          *(esc(line) for line in import_summary_lines(result, rc.lang))])
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    except TelegramAPIError:  # the progress message is gone: say it anew
        await bot.send_message(chat_id, text)


async def _import(message: Message, rc: RequestContext, app: AppContext, bot: Bot,
                  file_id: str, file_name: str, conn_id: int, conn_name: str) -> None:
    """Acknowledge at once; the import itself runs in the background."""
    assert rc.org is not None
    progress = await message.answer(rc.t("connect.import.running", file=esc(file_name)))
    spawn(_run(app, bot, rc, message.chat.id, progress.message_id, file_id, file_name, conn_id,
               conn_name), name=f"import-{conn_id}")
