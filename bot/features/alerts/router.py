"""Alerts router: the buttons under pushed alerts (details for anyone, the rest for members)."""

from __future__ import annotations

from aiogram import F, Router

from bot.features.alerts import handlers as h
from bot.features.alerts.callbacks import AlertAction, AlertCallback
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        h.on_alert_button, AlertCallback.filter(F.action == AlertAction.DETAILS),
        RoleFilter(Role.VIEWER))
    router.callback_query.register(h.on_alert_button, AlertCallback.filter(),
                                   RoleFilter(Role.MEMBER))
    return router
