"""Scheduled CFO briefs: weekly (Monday 09:00) and monthly (the 1st, 09:00) per finance member.

Schedules live in `report_schedules`; finance members without any get both defaults on the
next tick (set `is_active` to stop one, change weekday / day / hour to move it). Times are in
the recipient's time zone, else the organisation's. A monthly brief is preliminary until the
10th of the next month (providers keep adjusting the month before); the figures it showed are
kept in the schedule's `state`, and once the month is final a final edition follows with what
changed. Each PDF is rendered in a worker thread and enqueued as a document in the same
transaction that records it as sent (dedup key `brief:<schedule>:<period>:<edition>`).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.errors import log_failure
from core.db.models import Membership, Organization, ReportSchedule, User
from core.jobs.runtime import JobRuntime
from core.services import outbox
from core.services.brief import (
    BriefPeriod,
    brief_figures,
    build_brief,
    edition_for,
    month_period,
    week_period,
)
from core.workers import run_cpu
from renderers.format import fmt_money
from renderers.i18n import normalise_language, t
from renderers.messages.estimated import caption_notes
from renderers.pdf import render_brief

__all__ = ["due_period", "ensure_default_schedules", "send_briefs"]

log = logging.getLogger(__name__)

KEEP_PERIODS = 4


async def ensure_default_schedules(session: AsyncSession) -> int:
    """Weekly + monthly schedules for every finance member who has none in that org."""
    rows = (await session.execute(
        select(Membership.org_id, User, Organization.language)
        .join(User, User.id == Membership.user_id)
        .join(Organization, Organization.id == Membership.org_id)
        .where(Membership.role == "finance", Organization.is_demo.is_(False))
        .where(~select(ReportSchedule.id).where(
            ReportSchedule.org_id == Membership.org_id,
            ReportSchedule.user_id == Membership.user_id).exists()))).all()
    for org_id, user, org_lang in rows:
        lang = normalise_language(user.language or org_lang)
        session.add_all([
            ReportSchedule(org_id=org_id, user_id=user.id, chat_id=user.telegram_id,
                           frequency="weekly", weekday=0, hour=9, language=lang, state={}),
            ReportSchedule(org_id=org_id, user_id=user.id, chat_id=user.telegram_id,
                           frequency="monthly", day_of_month=1, hour=9, language=lang,
                           state={})])
    await session.flush()
    return len(rows)


def due_period(schedule: ReportSchedule, local: datetime) -> BriefPeriod | None:
    """The period whose brief is due at local time `local`, or None before the moment."""
    today = local.date()
    if schedule.frequency == "weekly":
        monday = today - timedelta(days=today.weekday())
        moment = datetime.combine(monday + timedelta(days=schedule.weekday),
                                  time(schedule.hour), tzinfo=local.tzinfo)
        return week_period(monday - timedelta(days=7)) if local >= moment else None
    day = min(max(1, schedule.day_of_month), 28)
    moment = datetime.combine(today.replace(day=day), time(schedule.hour), tzinfo=local.tzinfo)
    return month_period(today.replace(day=1) - timedelta(days=1)) if local >= moment else None


def _state(schedule: ReportSchedule) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    state = dict(schedule.state or {})
    return dict(state.get("sent") or {}), dict(state.get("figures") or {})  # type: ignore[call-overload]


def _signed(label: str, delta: Decimal, currency: str, lang: str) -> str:
    return f"{label} {'+' if delta >= 0 else '−'}{fmt_money(abs(delta), currency, lang)}"


def _caption(data_edition: str, label: str, lang: str, total: str, changes: str) -> str:
    return t(f"digest.brief.{data_edition}", lang, period=label, total=total, changes=changes)


async def _send_one(session: AsyncSession, rt: JobRuntime, schedule: ReportSchedule,
                    period: BriefPeriod) -> bool:
    sent, figures = _state(schedule)
    org = await session.get(Organization, schedule.org_id)
    if org is None:
        return False
    user = await session.get(User, schedule.user_id) if schedule.user_id else None
    local = rt.clock.now().astimezone(ZoneInfo((user.timezone if user else None) or org.timezone))
    edition = edition_for(period, local.date())
    if sent.get(period.key) in (edition, "final", "weekly"):
        return False
    lang = normalise_language(schedule.language)
    data = await build_brief(session, schedule.org_id, period, lang, rt.clock,
                             preliminary=figures.get(period.key))
    pdf = await run_cpu(render_brief, data)
    changes = ", ".join(_signed(c.label, c.after - c.before, data.currency, lang)
                        for c in data.changes_since_preliminary)
    changes = changes or t("digest.brief.no_changes", lang)
    caption = _caption(data.edition, data.period_label, lang,
                       fmt_money(data.kpis.total, data.currency, lang), changes)
    caption += caption_notes(data.left_out, data.estimated, lang)  # no rate, estimated days
    added = await outbox.enqueue(
        session, chat_id=schedule.chat_id, kind="document", org_id=schedule.org_id,
        now=rt.clock.now(), dedup_key=f"brief:{schedule.id}:{period.key}:{data.edition}",
        payload={"caption": caption, "lang": lang}, attachment=pdf,
        attachment_name=f"infrazen-brief-{period.key}-{data.edition}.pdf")
    sent[period.key] = data.edition
    if data.edition == "preliminary":
        figures[period.key] = brief_figures(data)
    keep = sorted(sent)[-KEEP_PERIODS:]
    schedule.state = {"sent": {k: sent[k] for k in keep},
                      "figures": {k: v for k, v in figures.items() if k in keep}}
    schedule.last_period_sent = period.key
    return added


def _pending_final(schedule: ReportSchedule) -> list[BriefPeriod]:
    """Monthly periods sent as preliminary: each gets its final edition when it is due."""
    sent, _ = _state(schedule)
    return [month_period(datetime.strptime(key, "%Y-%m").date())  # noqa: DTZ007 - a month key
            for key, edition in sorted(sent.items()) if edition == "preliminary"]


async def send_briefs(rt: JobRuntime) -> int:
    """Enqueue every brief that is due now; returns how many documents were added."""
    async with rt.sessions() as session, session.begin():
        await ensure_default_schedules(session)
        ids = list((await session.execute(select(ReportSchedule.id).where(
            ReportSchedule.is_active.is_(True)).order_by(ReportSchedule.id))).scalars())
    count = 0
    for schedule_id in ids:
        try:
            async with rt.sessions() as session, session.begin():
                count += await _tick(session, rt, schedule_id)
        except Exception:
            log_failure(log, "brief of schedule %s failed", schedule_id)
    return count


async def _tick(session: AsyncSession, rt: JobRuntime, schedule_id: int) -> int:
    schedule = await session.get(ReportSchedule, schedule_id, with_for_update=True)
    if schedule is None:
        return 0
    org = await session.get(Organization, schedule.org_id)
    user = await session.get(User, schedule.user_id) if schedule.user_id else None
    zone = ZoneInfo((user.timezone if user else None) or (org.timezone if org else "UTC"))
    local = rt.clock.now().astimezone(zone)
    periods = _pending_final(schedule) if schedule.frequency == "monthly" else []
    due = due_period(schedule, local)
    if due is not None and due.key not in {p.key for p in periods}:
        periods.append(due)
    count = 0
    for period in periods:
        count += await _send_one(session, rt, schedule, period)
    return count

