"""A FOCUS export or a manual CSV sent as a document imports into the chosen connection.

The import is one transaction: a bad row rolls everything back and the reply names the row
and the column, so nothing is lost and the user knows what to fix.
"""

from __future__ import annotations

import io

from aiogram import Bot
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
from connectors.errors import InvalidInput
from core.app import AppContext
from core.domain.roles import Role
from core.services.connections import list_connections
from core.services.errors import NotFound
from core.services.focus_import import import_file
from renderers.format import fmt_date

__all__ = ["FILE_KINDS", "on_document", "on_import_button"]

FILE_KINDS = frozenset({"focus", "manual_csv"})
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
        await _import(message, rc, session, app, bot, doc.file_id, name, *targets[0])
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
    await _import(query.message, rc, session, app, bot, str(pending["id"]),
                  str(pending["name"]), callback_data.id, targets[callback_data.id])


def _reason(exc: InvalidInput) -> str:
    detail = exc.detail
    if (exc.row or exc.column) and ": " in detail:
        detail = detail.split(": ", 1)[1]
    return detail


async def _import(message: Message, rc: RequestContext, session: AsyncSession, app: AppContext,
                  bot: Bot, file_id: str, file_name: str, conn_id: int, conn_name: str) -> None:
    assert rc.org is not None
    await message.answer(rc.t("connect.import.running", file=esc(file_name)))
    buffer = io.BytesIO()
    await bot.download(file_id, destination=buffer)
    buffer.seek(0)
    try:
        result = await import_file(session, rc.org.id, conn_id, buffer, actor=actor_of(rc),
                                   now=app.clock.now())
    except InvalidInput as exc:
        await session.rollback()  # the days cleared before the bad row come back
        if exc.row or exc.column:
            text = rc.t("connect.import.bad_row", file=esc(file_name), row=exc.row or "—",
                        column=esc(exc.column or "—"), detail=esc(_reason(exc)))
        else:
            text = rc.t("connect.import.bad_file", file=esc(file_name), detail=esc(exc.detail))
        await message.answer(text)
        return
    first = fmt_date(result.first_day, rc.lang) if result.first_day else "—"
    last = fmt_date(result.last_day, rc.lang) if result.last_day else "—"
    await message.answer(rc.t("connect.import.done", file=esc(file_name), name=esc(conn_name),
                              rows=result.rows, days=result.days, first=first, last=last))
