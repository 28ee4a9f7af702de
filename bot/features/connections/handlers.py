"""The connections feature's entry points, for its router and for the main menu."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.context import RequestContext
from bot.features.connections.imports import on_document, on_import_button
from bot.features.connections.manage import (
    ask_delete,
    ask_interval,
    ask_rename,
    back_to_list,
    confirm_delete,
    on_rename,
    open_card,
    pause,
    resume,
    set_interval,
    show_connections,
    sync_now,
)
from bot.features.connections.wizard import (
    cancel,
    on_field,
    on_field_not_text,
    on_name,
    on_text_after_failure,
    on_wizard_cancel,
    on_wizard_fix,
    on_wizard_kind,
    on_wizard_name,
    on_wizard_retry,
    on_wizard_skip,
    start_wizard,
)

__all__ = ["ask_delete", "ask_interval", "ask_rename", "back_to_list", "cancel", "cmd_connect",
           "confirm_delete", "on_document", "on_field", "on_field_not_text", "on_import_button",
           "on_name", "on_rename", "on_text_after_failure", "on_wizard_cancel", "on_wizard_fix",
           "on_wizard_kind", "on_wizard_name", "on_wizard_retry", "on_wizard_skip", "open_card",
           "pause", "resume", "set_interval", "show_connections", "start_wizard", "sync_now"]


async def cmd_connect(message: Message, rc: RequestContext, state: FSMContext) -> None:
    await start_wizard(message, rc, state)
