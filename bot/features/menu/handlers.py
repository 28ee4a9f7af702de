"""/menu and the menu's non-question buttons."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.connections import handlers as connections
from bot.features.menu.keyboards import main_menu_kb
from core.app import AppContext

__all__ = ["cmd_menu", "on_menu_connect", "on_menu_connections", "on_menu_home", "show_menu"]


async def show_menu(message: Message, rc: RequestContext) -> None:
    """The main menu; callable from other features (onboarding ends with it)."""
    if rc.org is None:
        await message.answer(rc.t("menu.no_org"))
        return
    await message.answer(rc.t("menu.title"), reply_markup=main_menu_kb(rc))


async def cmd_menu(message: Message, rc: RequestContext) -> None:
    await show_menu(message, rc)


async def on_menu_home(query: CallbackQuery, rc: RequestContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await show_menu(query.message, rc)


async def on_menu_connections(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                              app: AppContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await connections.show_connections(query.message, rc, session, app)


async def on_menu_connect(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    """Admins only, on the registration: a refusal is the button's alert, not a lost reply."""
    await query.answer()
    if isinstance(query.message, Message):
        await connections.start_wizard(query.message, rc, state)
