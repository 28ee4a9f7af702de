"""A person's own settings: language, time zone, active organisation, notification preferences.

Every function takes the caller's user id; organisation-scoped reads check membership first, so
an id from a tampered button gives NotFound, never another organisation's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.routing import DEFAULT_ROLES
from core.db.models import Membership, NotificationPreference, Organization, User
from core.domain.roles import Role
from core.services.errors import NotFound, ServiceError
from core.services.orgs import OrgRef, get_org

__all__ = [
    "ALERTED_BY_DEFAULT", "MODES", "SEVERITIES", "Prefs", "UserOrg", "get_prefs", "get_user",
    "list_user_orgs",
    "set_active_org", "set_blocked", "set_language", "set_timezone", "update_prefs",
    "valid_timezone",
]

SEVERITIES = ("info", "warning", "critical")
MODES = ("immediate", "digest", "off")
# who gets alerts and digests before saving any preference: the routing's own rule
ALERTED_BY_DEFAULT = frozenset(Role(r) for r in DEFAULT_ROLES)


@dataclass(frozen=True)
class UserOrg:
    org: OrgRef
    role: Role


@dataclass(frozen=True)
class Prefs:
    """A member's notification preferences in one organisation (defaults when never saved)."""

    min_severity: str
    mode: str
    quiet_start: time | None
    quiet_end: time | None
    digest_enabled: bool
    digest_hour: int


def valid_timezone(name: str) -> str | None:
    """The canonical IANA name when `name` is a time zone zoneinfo knows, else None."""
    name = name.strip()
    if not name or "/" not in name and name.upper() != "UTC":
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name if name.upper() != "UTC" else "UTC"


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


async def set_language(session: AsyncSession, user_id: int, language: str) -> None:
    if language not in ("ru", "en"):
        raise ServiceError("language must be ru or en")
    (await get_user(session, user_id)).language = language


async def set_blocked(session: AsyncSession, user_id: int, blocked: bool) -> None:
    """The user blocked (or unblocked) the bot: broadcasts skip blocked users."""
    (await get_user(session, user_id)).is_blocked = blocked


async def set_timezone(session: AsyncSession, user_id: int, timezone: str) -> str:
    name = valid_timezone(timezone)
    if name is None:
        raise ServiceError(f"unknown time zone {timezone!r}")
    (await get_user(session, user_id)).timezone = name
    return name


async def list_user_orgs(session: AsyncSession, user_id: int) -> list[UserOrg]:
    rows = (await session.execute(
        select(Organization, Membership.role)
        .join(Membership, Membership.org_id == Organization.id)
        .where(Membership.user_id == user_id).order_by(Organization.name))).all()
    result = []
    for org, role in rows:
        result.append(UserOrg(await get_org(session, org.id), Role(role)))
    return result


async def set_active_org(session: AsyncSession, user_id: int, org_id: int) -> OrgRef:
    """Switch the organisation the user works in; only one they belong to."""
    member = (await session.execute(select(Membership.id).where(
        Membership.user_id == user_id, Membership.org_id == org_id))).first()
    if member is None:
        raise NotFound("organisation not found")
    (await get_user(session, user_id)).active_org_id = org_id
    return await get_org(session, org_id)


async def _pref_row(session: AsyncSession, user_id: int, org_id: int
                    ) -> NotificationPreference | None:
    return (await session.execute(select(NotificationPreference).where(
        NotificationPreference.user_id == user_id,
        NotificationPreference.org_id == org_id))).scalar_one_or_none()


def _default(role: Role) -> Prefs:
    """What applies before any preference is saved: owners, admins and finance get alerts."""
    on = role in ALERTED_BY_DEFAULT
    return Prefs("warning", "immediate" if on else "off", None, None, on, 9)


def _prefs(row: NotificationPreference) -> Prefs:
    return Prefs(row.min_severity, row.mode, row.quiet_start, row.quiet_end,
                 row.digest_enabled, row.digest_hour)


async def get_prefs(session: AsyncSession, user_id: int, org_id: int) -> Prefs:
    """The member's effective preferences (the role's defaults until they save their own)."""
    role = await _require_member(session, user_id, org_id)
    row = await _pref_row(session, user_id, org_id)
    return _prefs(row) if row is not None else _default(role)


_UNSET = object()


async def update_prefs(session: AsyncSession, user_id: int, org_id: int, *,
                       min_severity: str | None = None, mode: str | None = None,
                       quiet: tuple[time, time] | None | object = _UNSET,
                       digest_hour: int | None = None) -> Prefs:
    """Change some preferences, creating the row on first use; validates every value."""
    role = await _require_member(session, user_id, org_id)
    if min_severity is not None and min_severity not in SEVERITIES:
        raise ServiceError(f"severity must be one of {', '.join(SEVERITIES)}")
    if mode is not None and mode not in MODES:
        raise ServiceError(f"mode must be one of {', '.join(MODES)}")
    if digest_hour is not None and not 0 <= digest_hour <= 23:
        raise ServiceError("digest hour must be 0–23")
    row = await _pref_row(session, user_id, org_id)
    if row is None:
        default = _default(role)
        row = NotificationPreference(user_id=user_id, org_id=org_id,
                                     min_severity=default.min_severity, mode=default.mode,
                                     digest_enabled=default.digest_enabled,
                                     digest_hour=default.digest_hour)
        session.add(row)
    if min_severity is not None:
        row.min_severity = min_severity
    if mode is not None:
        row.mode = mode  # "off": neither alerts (routing wants "immediate") nor the digest
        row.digest_enabled = mode != "off"
    if quiet is not _UNSET:
        if quiet is None:
            row.quiet_start = row.quiet_end = None
        else:
            assert isinstance(quiet, tuple)
            row.quiet_start, row.quiet_end = quiet
    if digest_hour is not None:
        row.digest_hour = digest_hour
    await session.flush()
    return _prefs(row)


async def _require_member(session: AsyncSession, user_id: int, org_id: int) -> Role:
    role = (await session.execute(select(Membership.role).where(
        Membership.user_id == user_id, Membership.org_id == org_id))).scalar_one_or_none()
    if role is None:
        raise NotFound("organisation not found")
    return Role(role)
