"""Alert button handlers: parse the callback → core feedback service → answer in one line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.alerts.callbacks import AlertCallback
from bot.filters import org_id_of
from core.alerts import feedback
from core.app import AppContext
from core.db.models import AlertEvent
from core.services.errors import NotFound
from renderers.messages.alerts import AlertView, render_alert, short_date

__all__ = ["on_alert_ack", "on_alert_details", "on_alert_expected", "on_alert_planned",
           "on_alert_snooze"]


async def _record(query: CallbackQuery, callback_data: AlertCallback, rc: RequestContext,
                  app: AppContext, session: AsyncSession) -> AlertEvent | None:
    """The press recorded as feedback (committed with the update by DbSessionMiddleware), or
    None when the event is not this organisation's (answered here)."""
    try:
        return await feedback.record_feedback(
            session, org_id=org_id_of(rc), user_id=rc.user.id, event_id=callback_data.id,
            action=callback_data.action.name.lower(), now=app.clock.now())
    except NotFound:
        await query.answer(rc.t("alerts.feedback.not_found"), show_alert=True)
        return None


async def on_alert_details(query: CallbackQuery, callback_data: AlertCallback,
                           rc: RequestContext, app: AppContext, session: AsyncSession) -> None:
    """Anyone in the org: the whole alert again, with its status."""
    event = await _record(query, callback_data, rc, app, session)
    if event is None:
        return
    await query.answer()
    if query.message is not None:
        view = AlertView(event.id, event.rule, event.severity, dict(event.payload or {}))
        status = rc.t("alerts.details.status", status=rc.t(f"alerts.status.{event.status}"))
        await query.message.answer(f"{render_alert(view, rc.lang)}\n\n{status}")


async def _feedback(query: CallbackQuery, callback_data: AlertCallback, rc: RequestContext,
                    app: AppContext, session: AsyncSession) -> None:
    """Members: the feedback recorded, answered in one line (with the snooze's end)."""
    event = await _record(query, callback_data, rc, app, session)
    if event is None:
        return
    until = event.snoozed_until
    local = until.astimezone(ZoneInfo(rc.timezone)) if until else None
    params = {"until": f"{short_date(local.date(), rc.lang)} {local:%H:%M}"} if local else {}
    await query.answer(rc.t(f"alerts.feedback.{callback_data.action.name.lower()}", **params))


async def on_alert_ack(query: CallbackQuery, callback_data: AlertCallback, rc: RequestContext,
                       app: AppContext, session: AsyncSession) -> None:
    await _feedback(query, callback_data, rc, app, session)


async def on_alert_snooze(query: CallbackQuery, callback_data: AlertCallback,
                          rc: RequestContext, app: AppContext, session: AsyncSession) -> None:
    await _feedback(query, callback_data, rc, app, session)


async def on_alert_planned(query: CallbackQuery, callback_data: AlertCallback,
                           rc: RequestContext, app: AppContext, session: AsyncSession) -> None:
    await _feedback(query, callback_data, rc, app, session)


async def on_alert_expected(query: CallbackQuery, callback_data: AlertCallback,
                            rc: RequestContext, app: AppContext, session: AsyncSession) -> None:
    await _feedback(query, callback_data, rc, app, session)
