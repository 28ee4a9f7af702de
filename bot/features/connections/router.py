"""Connections router: /connect wizard, /connections, /cancel, documents."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter

from bot.features.connections import handlers as h
from bot.features.connections.callbacks import ConnCb, ImportCb, WizCb
from bot.features.connections.states import ConnectWizard, RenameConnection
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")


def setup() -> Router:
    router = Router(name=__name__)
    viewer, admin = RoleFilter(Role.VIEWER), RoleFilter(Role.ADMIN)
    router.message.register(h.cancel, Command("cancel"),
                            StateFilter(ConnectWizard, RenameConnection, None))
    router.message.register(h.cmd_connect, Command("connect"))
    router.message.register(h.show_connections, Command("connections"), viewer)
    router.callback_query.register(h.on_wizard_button, WizCb.filter(), admin)
    router.callback_query.register(h.on_connection_button, ConnCb.filter(), viewer)
    router.callback_query.register(h.on_import_button, ImportCb.filter())
    router.message.register(h.on_field, ConnectWizard.field, _TEXT, admin)
    router.message.register(h.on_field_not_text, ConnectWizard.field, ~F.text, admin)
    router.message.register(h.on_name, ConnectWizard.name, _TEXT, admin)
    router.message.register(h.on_text_after_failure, ConnectWizard.failed, _TEXT, admin)
    router.message.register(h.on_rename, RenameConnection.name, _TEXT, admin)
    router.message.register(h.on_document, F.document, F.chat.type == "private")
    return router
