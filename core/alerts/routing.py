"""Who hears about which event: bound group chats by scope, members by their preferences.

Groups: every active bound chat whose scope covers the event (org → all; provider / project /
connection → that one), from `group_min_severity` (org setting, default warning).
Members: a preference row decides (minimum severity, `immediate` or `digest`, quiet hours in
the member's time zone — or the org's); owners, admins and finance without a row get the
defaults (warning and up, immediately). During quiet hours a message waits in the outbox until
they end; critical events do not wait. Coalescing: everything one chat gets from one
evaluation becomes one message.
Budgets: a budget with a chosen destination (`Budget.alert_chat_id`: a bound group or a
member's private chat) sends its threshold and forecast events there and only there, at every
severity — someone chose that chat for exactly these messages. A destination that is no longer
bound (or a person who left) falls back to the usual routing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.base import severity_rank
from core.db.casefold import fold
from core.db.models import (
    AlertEvent,
    BoundChat,
    Budget,
    ChatStatus,
    Membership,
    NotificationPreference,
    Organization,
    User,
)
from core.services.errors import NotFound

__all__ = ["DEFAULT_ROLES", "Delivery", "in_quiet_hours", "route"]

DEFAULT_ROLES = ("owner", "admin", "finance")
BUDGET_RULES = ("budget", "budget_forecast")


@dataclass
class Delivery:
    """One message to one chat carrying one or more events."""

    chat_id: int
    lang: str
    is_group: bool
    events: list[AlertEvent] = field(default_factory=list)
    not_before: datetime | None = None


def _covers(chat: BoundChat, event: AlertEvent) -> bool:
    value = fold(chat.scope_value or "")  # as cost queries match names (core.db.casefold)
    if chat.scope_kind == "org":
        return True
    if chat.scope_kind == "provider":
        return fold(event.provider or "") == value
    if chat.scope_kind == "project":
        return fold(event.project or "") == value
    if chat.scope_kind == "connection":
        return str(event.connection_id) == value
    return False


def in_quiet_hours(now: datetime, tz: str, start: time | None,
                   end: time | None) -> datetime | None:
    """When the quiet period containing `now` ends (aware UTC), or None outside it."""
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    at = local.time().replace(tzinfo=None)
    wraps = start > end  # 22:00 → 07:00
    inside = (at >= start or at < end) if wraps else (start <= at < end)
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if wraps and at >= start else local.date()
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(now.tzinfo)


async def _groups(session: AsyncSession, org: Organization,
                  events: Sequence[AlertEvent]) -> list[Delivery]:
    minimum = severity_rank(str((org.settings or {}).get("group_min_severity") or "warning"))
    chats = (await session.execute(select(BoundChat).outerjoin(
        ChatStatus, ChatStatus.chat_id == BoundChat.chat_id).where(
        BoundChat.org_id == org.id, BoundChat.is_active.is_(True),
        ChatStatus.is_active.is_not(False)).order_by(BoundChat.id))).scalars().all()
    out = []
    for chat in chats:
        chosen = [e for e in events
                  if severity_rank(e.severity) >= minimum and _covers(chat, e)]
        if chosen:
            out.append(Delivery(chat.chat_id, chat.language, True, chosen))
    return out


async def _members(session: AsyncSession, org: Organization, events: Sequence[AlertEvent],
                   now: datetime) -> list[Delivery]:
    rows = (await session.execute(
        select(Membership.role, User, NotificationPreference)
        .join(User, User.id == Membership.user_id)
        .outerjoin(NotificationPreference, (NotificationPreference.user_id == User.id)
                   & (NotificationPreference.org_id == org.id))
        .where(Membership.org_id == org.id, User.is_blocked.is_(False))
        .order_by(User.id))).all()
    out = []
    for role, user, pref in rows:
        if pref is None and role not in DEFAULT_ROLES:
            continue
        if pref is not None and pref.mode != "immediate":
            continue  # "digest": the open events appear in the daily digest
        minimum = severity_rank(pref.min_severity if pref else "warning")
        chosen = [e for e in events if severity_rank(e.severity) >= minimum]
        if not chosen:
            continue
        lang = user.language or org.language
        quiet_end = None if pref is None else in_quiet_hours(
            now, user.timezone or org.timezone, pref.quiet_start, pref.quiet_end)
        if quiet_end is not None and any(e.severity == "critical" for e in chosen):
            critical = [e for e in chosen if e.severity == "critical"]
            out.append(Delivery(user.telegram_id, lang, False, critical))
            chosen = [e for e in chosen if e.severity != "critical"]
            if not chosen:
                continue
        out.append(Delivery(user.telegram_id, lang, False, chosen, quiet_end))
    return out


def _budget_id(event: AlertEvent) -> int | None:
    values = (event.payload or {}).get("values")
    raw = values.get("budget_id") if isinstance(values, dict) else None
    return raw if isinstance(raw, int) and event.rule in BUDGET_RULES else None


async def _chosen_chat(session: AsyncSession, org: Organization,
                       chat_id: int) -> tuple[str, bool] | None:
    """(language, is_group) of a budget's destination while it is still valid, else None."""
    group = (await session.execute(select(BoundChat.language).where(
        BoundChat.org_id == org.id, BoundChat.chat_id == chat_id,
        BoundChat.is_active.is_(True)))).scalar_one_or_none()
    if group is not None:
        return group, True
    person = (await session.execute(select(User.language).join(
        Membership, Membership.user_id == User.id).where(
        Membership.org_id == org.id, User.telegram_id == chat_id,
        User.is_blocked.is_(False)))).first()
    return None if person is None else (person[0] or org.language, False)


async def _budget_destinations(session: AsyncSession, org: Organization,
                               events: Sequence[AlertEvent]) -> list[Delivery]:
    """Budget events whose budget names a chat, delivered there (removed from `events`' usual
    routing by the caller)."""
    ids = {b for b in map(_budget_id, events) if b is not None}
    if not ids:
        return []
    chosen = dict((await session.execute(select(Budget.id, Budget.alert_chat_id).where(
        Budget.org_id == org.id, Budget.id.in_(ids),
        Budget.alert_chat_id.is_not(None)))).all())
    out: dict[int, Delivery] = {}
    for event in events:
        chat_id = chosen.get(_budget_id(event) or 0)
        if chat_id is None:
            continue
        if chat_id not in out:
            target = await _chosen_chat(session, org, chat_id)
            if target is None:
                continue
            out[chat_id] = Delivery(chat_id, target[0], target[1])
        out[chat_id].events.append(event)
    return list(out.values())


async def route(session: AsyncSession, org_id: int, events: Sequence[AlertEvent],
                now: datetime) -> list[Delivery]:
    """The coalesced deliveries for `events` (group chats first), one per chat and moment."""
    if not events:
        return []
    org = await session.get(Organization, org_id)
    if org is None:
        raise NotFound("organisation not found")
    targeted = await _budget_destinations(session, org, events)
    taken = {id(e) for d in targeted for e in d.events}
    rest = [e for e in events if id(e) not in taken]
    deliveries = targeted + await _groups(session, org, rest) + await _members(
        session, org, rest, now)
    merged: dict[tuple[int, datetime | None], Delivery] = {}
    for d in deliveries:  # a member who is also a bound "group" id gets one message
        key = (d.chat_id, d.not_before)
        if key in merged:
            merged[key].events.extend(e for e in d.events if e not in merged[key].events)
        else:
            merged[key] = d
    return list(merged.values())
