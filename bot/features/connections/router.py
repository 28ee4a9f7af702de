"""Connections router: /connect wizard, /connections, /cancel, documents."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType
from aiogram.filters import Command, StateFilter

from bot.features.connections import handlers as h
from bot.features.connections.callbacks import ConnAction, ConnCb, ImportCb, WizAction, WizCb
from bot.features.connections.states import ConnectWizard, RenameConnection
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")

# The buttons of the list and of a connection's card: one registration per action, each with
# its role on the registration (looking needs a viewer, anything else an admin).
_CARD: tuple[tuple[ConnAction, CallbackType, Role], ...] = (
    (ConnAction.LIST, h.back_to_list, Role.VIEWER),
    (ConnAction.OPEN, h.open_card, Role.VIEWER),
    (ConnAction.SYNC, h.sync_now, Role.ADMIN),
    (ConnAction.RENAME, h.ask_rename, Role.ADMIN),
    (ConnAction.INTERVAL, h.ask_interval, Role.ADMIN),
    (ConnAction.SET_INTERVAL, h.set_interval, Role.ADMIN),
    (ConnAction.PAUSE, h.pause, Role.ADMIN),
    (ConnAction.RESUME, h.resume, Role.ADMIN),
    (ConnAction.DELETE, h.ask_delete, Role.ADMIN),
    (ConnAction.CONFIRM_DELETE, h.confirm_delete, Role.ADMIN),
)

# The /connect wizard's buttons: one registration each, all for admins (secrets are entered).
_WIZARD: tuple[tuple[WizAction, CallbackType], ...] = (
    (WizAction.KIND, h.on_wizard_kind),
    (WizAction.SKIP, h.on_wizard_skip),
    (WizAction.RETRY, h.on_wizard_retry),
    (WizAction.FIX, h.on_wizard_fix),
    (WizAction.NAME, h.on_wizard_name),
    (WizAction.CANCEL, h.on_wizard_cancel),
)


def setup() -> Router:
    router = Router(name=__name__)
    viewer, admin = RoleFilter(Role.VIEWER), RoleFilter(Role.ADMIN)
    router.message.register(h.cancel, Command("cancel"),
                            StateFilter(ConnectWizard, RenameConnection, None))
    router.message.register(h.cmd_connect, Command("connect"))
    router.message.register(h.show_connections, Command("connections"), viewer)
    for wiz_action, wiz_handler in _WIZARD:
        router.callback_query.register(wiz_handler, WizCb.filter(F.action == wiz_action), admin)
    for action, handler, role in _CARD:
        router.callback_query.register(handler, ConnCb.filter(F.action == action),
                                       RoleFilter(role))
    router.callback_query.register(h.on_import_button, ImportCb.filter())
    router.message.register(h.on_field, ConnectWizard.field, _TEXT, admin)
    router.message.register(h.on_field_not_text, ConnectWizard.field, ~F.text, admin)
    router.message.register(h.on_name, ConnectWizard.name, _TEXT, admin)
    router.message.register(h.on_text_after_failure, ConnectWizard.failed, _TEXT, admin)
    router.message.register(h.on_rename, RenameConnection.name, _TEXT, admin)
    router.message.register(h.on_document, F.document, F.chat.type == "private")
    return router
