"""Alerts router: the buttons under pushed alerts (details for anyone, the rest for members)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType

from bot.features.alerts import handlers as h
from bot.features.alerts.callbacks import AlertAction, AlertCallback
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

# One registration per button, each with its role on the registration.
_BUTTONS: tuple[tuple[AlertAction, CallbackType, Role], ...] = (
    (AlertAction.DETAILS, h.on_alert_details, Role.VIEWER),
    (AlertAction.ACK, h.on_alert_ack, Role.MEMBER),
    (AlertAction.SNOOZE, h.on_alert_snooze, Role.MEMBER),
    (AlertAction.PLANNED, h.on_alert_planned, Role.MEMBER),
    (AlertAction.EXPECTED, h.on_alert_expected, Role.MEMBER),
)


def setup() -> Router:
    router = Router(name=__name__)
    for action, handler, role in _BUTTONS:
        router.callback_query.register(handler, AlertCallback.filter(F.action == action),
                                       RoleFilter(role))
    return router
