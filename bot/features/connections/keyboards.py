"""Keyboards of the wizard, the connection list and a connection's card."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.connections.callbacks import ConnAction, ConnCb, ImportCb, WizAction, WizCb
from bot.features.connections.fields import WizardField, field_label
from core.services.connections import ConnectionSummary

__all__ = ["INTERVAL_HOURS", "card_kb", "confirm_delete_kb", "failed_kb", "field_kb",
           "import_kb", "interval_kb", "list_kb", "name_kb", "providers_kb"]

INTERVAL_HOURS = (1, 3, 6, 12, 24)


def providers_kb(rc: RequestContext, kinds: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for kind, name in kinds:
        kb.button(text=name, callback_data=WizCb(action=WizAction.KIND, kind=kind))
    kb.button(text=rc.t("connect.btn.cancel"), callback_data=WizCb(action=WizAction.CANCEL))
    kb.adjust(2)
    return kb.as_markup()


def field_kb(rc: RequestContext, field: WizardField) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if not field.required:
        kb.button(text=rc.t("connect.btn.skip"), callback_data=WizCb(action=WizAction.SKIP))
    kb.button(text=rc.t("connect.btn.cancel"), callback_data=WizCb(action=WizAction.CANCEL))
    kb.adjust(1)
    return kb.as_markup()


def name_kb(rc: RequestContext, default: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("connect.btn.use_name", name=default),
              callback_data=WizCb(action=WizAction.NAME))
    kb.button(text=rc.t("connect.btn.cancel"), callback_data=WizCb(action=WizAction.CANCEL))
    kb.adjust(1)
    return kb.as_markup()


def failed_kb(rc: RequestContext, kind: str, fields: list[WizardField]) -> InlineKeyboardMarkup:
    """Retry as is, or correct one field (then the test runs again)."""
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("connect.btn.retry"), callback_data=WizCb(action=WizAction.RETRY))
    for i, field in enumerate(fields):
        kb.button(text=rc.t("connect.btn.fix", label=field_label(kind, field.name, rc.lang)),
                  callback_data=WizCb(action=WizAction.FIX, field=i))
    kb.button(text=rc.t("connect.btn.cancel"), callback_data=WizCb(action=WizAction.CANCEL))
    kb.adjust(1)
    return kb.as_markup()


def list_kb(conns: list[ConnectionSummary]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for c in conns:
        kb.button(text=c.name, callback_data=ConnCb(action=ConnAction.OPEN, id=c.id))
    kb.adjust(1)
    return kb.as_markup()


def card_kb(rc: RequestContext, conn: ConnectionSummary) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    paused = conn.status == "paused"
    for action in (ConnAction.SYNC, ConnAction.RENAME, ConnAction.INTERVAL,
                   ConnAction.RESUME if paused else ConnAction.PAUSE, ConnAction.DELETE):
        kb.button(text=rc.t(f"connect.btn.{action.name.lower()}"),
                  callback_data=ConnCb(action=action, id=conn.id))
    kb.button(text=rc.t("connect.btn.back"), callback_data=ConnCb(action=ConnAction.LIST))
    kb.adjust(2)
    return kb.as_markup()


def interval_kb(rc: RequestContext, conn_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for hours in INTERVAL_HOURS:
        kb.button(text=rc.t("connect.btn.every", hours=hours),
                  callback_data=ConnCb(action=ConnAction.SET_INTERVAL, id=conn_id, hours=hours))
    kb.adjust(3)
    return kb.as_markup()


def confirm_delete_kb(rc: RequestContext, conn_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("connect.btn.confirm_delete"),
              callback_data=ConnCb(action=ConnAction.CONFIRM_DELETE, id=conn_id))
    kb.button(text=rc.t("connect.btn.cancel"), callback_data=ConnCb(action=ConnAction.OPEN,
                                                                    id=conn_id))
    kb.adjust(1)
    return kb.as_markup()


def import_kb(rc: RequestContext, targets: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for conn_id, name in targets:
        kb.button(text=rc.t("connect.btn.import_into", name=name),
                  callback_data=ImportCb(id=conn_id))
    kb.adjust(1)
    return kb.as_markup()
