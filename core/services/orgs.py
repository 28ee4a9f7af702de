"""Organisations, users and memberships: creation, lookup by id or slug, role checks, and the
organisation's own options (LLM understanding on or off)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Membership, Organization, User
from core.domain.org_options import LLM_UNDERSTANDING as ORG_OPTION
from core.domain.org_options import llm_allowed
from core.domain.roles import Role, role_at_least
from core.services.audit import audit
from core.services.errors import Forbidden, NotFound, ServiceError

__all__ = [
    "OrgRef", "create_org", "ensure_user", "get_org", "llm_understanding", "make_slug",
    "membership_role", "org_and_role", "require_role", "set_llm_understanding", "set_membership",
]

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})


@dataclass(frozen=True)
class OrgRef:
    id: int
    slug: str
    name: str
    currency: str
    timezone: str
    is_demo: bool


def _ref(org: Organization) -> OrgRef:
    return OrgRef(org.id, org.slug, org.name, org.currency, org.timezone, org.is_demo)


def make_slug(name: str) -> str:
    """`ООО Ромашка` → `ooo-romashka`: readable, ASCII, stable."""
    text = unicodedata.normalize("NFKC", name).lower().translate(_TRANSLIT)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:48] or "org"


async def create_org(session: AsyncSession, name: str, *, currency: str = "RUB",
                     timezone: str = "Europe/Moscow", language: str = "ru",
                     slug: str | None = None, is_demo: bool = False) -> OrgRef:
    """Create an organisation with a unique slug; validates currency and time zone."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ServiceError("organisation name must be 1–200 characters")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ServiceError(f"currency must be a 3-letter ISO code such as RUB, got {currency!r}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError(f"unknown time zone {timezone!r}, e.g. Europe/Moscow") from None
    base = slug or make_slug(name)
    candidate, n = base, 1
    while (await session.execute(
            select(Organization.id).where(Organization.slug == candidate))).first():
        n += 1
        candidate = f"{base}-{n}"
    org = Organization(slug=candidate, name=name, currency=currency, timezone=timezone,
                       language=language, is_demo=is_demo)
    session.add(org)
    await session.flush()
    return _ref(org)


async def get_org(session: AsyncSession, ref: str | int) -> OrgRef:
    """Find by numeric id or by slug (`demo`)."""
    query = select(Organization)
    if isinstance(ref, int) or str(ref).isdigit():
        query = query.where(Organization.id == int(ref))
    else:
        query = query.where(Organization.slug == str(ref))
    org = (await session.execute(query)).scalar_one_or_none()
    if org is None:
        raise NotFound(f"organisation {ref!r} not found")
    return _ref(org)


async def ensure_user(session: AsyncSession, telegram_id: int, *, full_name: str = "",
                      username: str | None = None, language: str | None = None) -> User:
    """The user row for a Telegram id, created on first contact."""
    user = (await session.execute(
        select(User).where(User.telegram_id == telegram_id))).scalar_one_or_none()
    if user is None:
        user = User(telegram_id=telegram_id, full_name=full_name, username=username,
                    language=language)
        session.add(user)
        await session.flush()
    return user


async def membership_role(session: AsyncSession, org_id: int, user_id: int) -> Role | None:
    role = (await session.execute(select(Membership.role).where(
        Membership.org_id == org_id, Membership.user_id == user_id))).scalar_one_or_none()
    return Role(role) if role else None


async def org_and_role(session: AsyncSession, org_id: int,
                       user_id: int) -> tuple[OrgRef | None, Role | None]:
    """The organisation (None if it does not exist) and the user's role in it (None if not a
    member), in one statement: `get_org` and `membership_role` together, read on every update."""
    row = (await session.execute(
        select(Organization, Membership.role)
        .outerjoin(Membership, and_(Membership.org_id == Organization.id,
                                    Membership.user_id == user_id))
        .where(Organization.id == org_id))).one_or_none()
    if row is None:
        return None, None
    org, role = row
    return _ref(org), Role(role) if role else None


async def require_role(session: AsyncSession, org_id: int, user_id: int, required: Role) -> Role:
    """The caller's role, or Forbidden when it is below `required` (NotFound when not a member)."""
    role = await membership_role(session, org_id, user_id)
    if role is None:
        raise NotFound("organisation not found")
    if not role_at_least(role, required):
        raise Forbidden(f"requires {required.value}")
    return role


async def set_membership(session: AsyncSession, org_id: int, user_id: int, role: Role) -> None:
    row = (await session.execute(select(Membership).where(
        Membership.org_id == org_id, Membership.user_id == user_id))).scalar_one_or_none()
    if row is None:
        session.add(Membership(org_id=org_id, user_id=user_id, role=role.value))
    else:
        row.role = role.value
    await session.flush()


async def llm_understanding(session: AsyncSession, org_id: int) -> bool:
    """Whether the organisation lets unparsed questions go to the configured LLM (on unless
    it switched it off)."""
    org = await session.get(Organization, org_id)
    if org is None:
        raise NotFound("organisation not found")
    return llm_allowed(org.settings)


async def set_llm_understanding(session: AsyncSession, org_id: int, user_id: int,
                                enabled: bool, *, actor_telegram_id: int | None = None) -> bool:
    """Turn LLM understanding on or off for the organisation (admins and owners); audited
    because it decides whether question text may leave the machine. Returns the new state."""
    await require_role(session, org_id, user_id, Role.ADMIN)
    org = await session.get(Organization, org_id)
    if org is None:
        raise NotFound("organisation not found")
    before = llm_allowed(org.settings)
    org.settings = {**(org.settings or {}), ORG_OPTION: enabled}  # a new dict: change tracked
    await session.flush()
    await audit(session, "org.llm_understanding", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="organization",
                object_id=org_id, before=before, after=enabled)
    return enabled
