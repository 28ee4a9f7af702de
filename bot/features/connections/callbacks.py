"""Callback data of connection buttons: ids only, never trusted (re-checked by the services)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["ConnAction", "ConnCb", "ImportCb", "WizAction", "WizCb"]


class WizAction(StrEnum):
    KIND = "kind"
    SKIP = "skip"
    RETRY = "retry"
    FIX = "fix"
    NAME = "name"
    CANCEL = "cancel"


class WizCb(CallbackData, prefix="wiz"):
    """A wizard step: the provider kind, or a field index to correct."""

    action: WizAction
    kind: str = ""
    field: int = 0


class ConnAction(StrEnum):
    OPEN = "open"
    LIST = "list"
    SYNC = "sync"
    RENAME = "rename"
    INTERVAL = "interval"
    SET_INTERVAL = "every"
    PAUSE = "pause"
    RESUME = "resume"
    DELETE = "delete"
    CONFIRM_DELETE = "del_yes"


class ConnCb(CallbackData, prefix="conn"):
    action: ConnAction
    id: int = 0
    hours: int = 0


class ImportCb(CallbackData, prefix="imp"):
    """Import the file waiting in FSM data into connection `id`."""

    id: int
