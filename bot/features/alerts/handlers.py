"""Alert button handlers: parse the callback → core feedback service → answer in one line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.alerts.callbacks import AlertAction, AlertCallback
from bot.filters import NoOrganisation
from core.alerts import feedback
from core.app import AppContext
from core.services.errors import NotFound
from renderers.messages.alerts import AlertView, render_alert, short_date

__all__ = ["on_alert_button"]


async def on_alert_button(query: CallbackQuery, callback_data: AlertCallback,
                          rc: RequestContext, app: AppContext, session: AsyncSession) -> None:
    """The update's session (DbSessionMiddleware) commits the feedback with the update."""
    if rc.org is None:
        raise NoOrganisation()
    action = callback_data.action.name.lower()
    try:
        event = await feedback.record_feedback(
            session, org_id=rc.org.id, user_id=rc.user.id, event_id=callback_data.id,
            action=action, now=app.clock.now())
    except NotFound:
        await query.answer(rc.t("alerts.feedback.not_found"), show_alert=True)
        return
    view = AlertView(event.id, event.rule, event.severity, dict(event.payload or {}))
    until = event.snoozed_until
    if callback_data.action is AlertAction.DETAILS:
        await query.answer()
        if query.message is not None:
            status = rc.t("alerts.details.status",
                          status=rc.t(f"alerts.status.{event.status}"))
            await query.message.answer(f"{render_alert(view, rc.lang)}\n\n{status}")
        return
    local = until.astimezone(ZoneInfo(rc.timezone)) if until else None
    params = {"until": f"{short_date(local.date(), rc.lang)} {local:%H:%M}"} if local else {}
    await query.answer(rc.t(f"alerts.feedback.{action}", **params))
