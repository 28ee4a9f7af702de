"""Scheduled CFO briefs: weekly (Monday 09:00) and monthly (the 1st, 09:00) per finance member.

Schedules live in `report_schedules`; finance members without any get both defaults on the
next tick (set `is_active` to stop one, change weekday / day / hour to move it). Times are in
the recipient's time zone, else the organisation's. A monthly brief is preliminary until the
10th of the next month (providers keep adjusting the month before); the figures it showed are
kept in the schedule's `state`, and once the month is final a final edition follows with what
changed.

No lock is held while a brief is made. A tick claims a due schedule in a short transaction
(its row locked, a `brief:<schedule>` job lease taken, commit); the data is loaded and the
PDF rendered (in the CPU pool) with nothing locked; then a second short transaction re-checks
the schedule, enqueues the document and records it as sent, together (dedup key
`brief:<schedule>:<period>:<edition>`). The lease keeps a second worker from making the same
brief; the re-check and the dedup key keep it sent once even after a lease ran out; a worker
that dies mid-render leaves the lease to expire, and a later tick sends the brief. While a file
import is switching days of the org's costs (`core.services.updating`) the brief waits for a
later tick.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.errors import log_failure
from core.db.models import Membership, Organization, ReportSchedule, User
from core.domain.language import normalise_language
from core.domain.reports import BriefData, Edition
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
from core.services.leases import acquire_job, release_job
from core.services.updating import swap_under_way

__all__ = ["due_period", "ensure_default_schedules", "send_briefs"]

log = logging.getLogger(__name__)

KEEP_PERIODS = 4
CLAIM_TTL = timedelta(minutes=10)  # under the 15-minute tick: a dead worker's claim is retried


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
    made = 0
    for org_id, user, org_lang in rows:
        lang = normalise_language(user.language or org_lang)
        try:
            async with session.begin_nested():  # another worker may be making the same pair
                session.add_all([
                    ReportSchedule(org_id=org_id, user_id=user.id, chat_id=user.telegram_id,
                                   frequency="weekly", weekday=0, hour=9, language=lang,
                                   state={}),
                    ReportSchedule(org_id=org_id, user_id=user.id, chat_id=user.telegram_id,
                                   frequency="monthly", day_of_month=1, hour=9,
                                   language=lang, state={})])
            made += 1
        except IntegrityError:  # uq_report_schedules_recipient_frequency: it made them first
            continue
    return made


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


def _pending_final(schedule: ReportSchedule) -> list[BriefPeriod]:
    """Monthly periods sent as preliminary: each gets its final edition when it is due."""
    sent, _ = _state(schedule)
    return [month_period(datetime.strptime(key, "%Y-%m").date())  # noqa: DTZ007 - a month key
            for key, edition in sorted(sent.items()) if edition == "preliminary"]


@dataclass(frozen=True, slots=True)
class _Claim:
    """A schedule this worker claimed: what making its briefs needs, read under the row lock."""

    schedule_id: int
    org_id: int
    chat_id: int
    lang: str
    figures: dict[str, dict[str, str]]
    due: tuple[tuple[BriefPeriod, Edition], ...]

    @property
    def lease(self) -> str:
        return f"brief:{self.schedule_id}"


def _is_sent(schedule: ReportSchedule, key: str, edition: str) -> bool:
    sent, _ = _state(schedule)
    return sent.get(key) in (edition, "final", "weekly")


async def send_briefs(rt: JobRuntime) -> int:
    """Enqueue every brief that is due now; returns how many documents were added."""
    async with rt.sessions() as session, session.begin():
        await ensure_default_schedules(session)
        ids = list((await session.execute(select(ReportSchedule.id).where(
            ReportSchedule.is_active.is_(True)).order_by(ReportSchedule.id))).scalars())
    count = 0
    for schedule_id in ids:
        try:
            count += await _run(rt, schedule_id)
        except Exception:
            log_failure(log, "brief of schedule %s failed", schedule_id)
    return count


async def _run(rt: JobRuntime, schedule_id: int) -> int:
    """Claim the schedule, make and enqueue each due brief, give the claim back."""
    async with rt.sessions() as session, session.begin():
        claim = await _claim(session, rt, schedule_id)
    if claim is None:
        return 0
    try:
        async with rt.sessions() as session:
            if await swap_under_way(session, claim.org_id):  # still due at the next tick
                log.info("brief of schedule %s waits for a file import's swap", schedule_id)
                return 0
        count = 0
        for period, edition in claim.due:
            count += await _send(rt, claim, period, edition)
        return count
    finally:
        async with rt.sessions() as session, session.begin():
            await release_job(session, claim.lease, owner=rt.owner, now=rt.clock.now())


async def _claim(session: AsyncSession, rt: JobRuntime, schedule_id: int) -> _Claim | None:
    """What is due and not sent yet, and this worker's lease on making it; None: nothing to do
    here (or another worker is making it)."""
    schedule = await session.get(ReportSchedule, schedule_id, with_for_update=True)
    if schedule is None or not schedule.is_active:
        return None
    org = await session.get(Organization, schedule.org_id)
    if org is None:
        return None
    user = await session.get(User, schedule.user_id) if schedule.user_id else None
    local = rt.clock.now().astimezone(ZoneInfo((user.timezone if user else None) or org.timezone))
    periods = _pending_final(schedule) if schedule.frequency == "monthly" else []
    due = due_period(schedule, local)
    if due is not None and due.key not in {p.key for p in periods}:
        periods.append(due)
    todo = tuple((p, edition_for(p, local.date())) for p in periods)
    todo = tuple((p, e) for p, e in todo if not _is_sent(schedule, p.key, e))
    if not todo or not await acquire_job(session, f"brief:{schedule.id}", owner=rt.owner,
                                         now=rt.clock.now(), ttl=CLAIM_TTL):
        return None
    _, figures = _state(schedule)
    return _Claim(schedule.id, schedule.org_id, schedule.chat_id,
                  normalise_language(schedule.language), figures, todo)


async def _send(rt: JobRuntime, claim: _Claim, period: BriefPeriod, edition: Edition) -> int:
    """Load and render with nothing locked, then enqueue in a short transaction."""
    async with rt.sessions() as session:
        data = await build_brief(session, claim.org_id, period, claim.lang, rt.clock,
                                 preliminary=claim.figures.get(period.key))
    pdf = await rt.render.brief_pdf(data)
    caption = rt.render.brief_caption(data)
    async with rt.sessions() as session, session.begin():
        return await _record(session, rt, claim, period, edition, data, pdf, caption)


async def _record(session: AsyncSession, rt: JobRuntime, claim: _Claim, period: BriefPeriod,
                  edition: Edition, data: BriefData, pdf: bytes, caption: str) -> int:
    """Under the row lock again: unless the schedule stopped or the brief went out meanwhile,
    enqueue the document and record it as sent, in one transaction."""
    schedule = await session.get(ReportSchedule, claim.schedule_id, with_for_update=True)
    if (schedule is None or not schedule.is_active
            or _is_sent(schedule, period.key, edition)
            or _is_sent(schedule, period.key, data.edition)):
        return 0
    sent, figures = _state(schedule)
    added = await outbox.enqueue(
        session, chat_id=schedule.chat_id, kind="document", org_id=schedule.org_id,
        now=rt.clock.now(), dedup_key=f"brief:{schedule.id}:{period.key}:{data.edition}",
        payload={"caption": caption, "lang": claim.lang}, attachment=pdf,
        attachment_name=f"infrazen-brief-{period.key}-{data.edition}.pdf")
    sent[period.key] = data.edition
    if data.edition == "preliminary":
        figures[period.key] = brief_figures(data)
    keep = sorted(sent)[-KEEP_PERIODS:]
    schedule.state = {"sent": {k: sent[k] for k in keep},
                      "figures": {k: v for k, v in figures.items() if k in keep}}
    schedule.last_period_sent = period.key
    return int(added)
