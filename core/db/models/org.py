"""Organisations, people, memberships, invites and bound group chats."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, TimestampMixin
from core.db.types import UTCDateTime


class Organization(IdMixin, TimestampMixin, Base):
    """A tenant: every other row belongs to exactly one."""

    __tablename__ = "organizations"
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    language: Mapped[str] = mapped_column(String(2), default="ru")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    runway_target_days: Mapped[int] = mapped_column(Integer, default=30)
    settings: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class User(IdMixin, TimestampMixin, Base):
    """A Telegram user; language and time zone are per person."""

    __tablename__ = "users"
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))
    active_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"))
    is_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Membership(IdMixin, TimestampMixin, Base):
    """A user's role in an organisation (owner, admin, finance, member, viewer)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class Invite(IdMixin, TimestampMixin, Base):
    """A single-use, expiring invitation carried by a `/start inv_<code>` deep link."""

    __tablename__ = "invites"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BoundChat(IdMixin, TimestampMixin, Base):
    """A group chat that receives one scope's alerts (whole org, a provider or a project)."""

    __tablename__ = "bound_chats"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    scope_kind: Mapped[str] = mapped_column(String(16), default="org")
    scope_value: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="ru")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    bound_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class NotificationPreference(IdMixin, Base):
    """How a member wants alerts: minimum severity, now or in the digest, quiet hours."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "org_id"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    min_severity: Mapped[str] = mapped_column(String(16), default="warning")
    mode: Mapped[str] = mapped_column(String(16), default="immediate")
    quiet_start: Mapped[time | None] = mapped_column(Time())
    quiet_end: Mapped[time | None] = mapped_column(Time())
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_hour: Mapped[int] = mapped_column(Integer, default=9)
    last_digest_on: Mapped[str | None] = mapped_column(String(10))
