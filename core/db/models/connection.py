"""Connections to providers, their sync snapshots, resources and resource history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, IdMixin, TimestampMixin
from core.db.types import Money, UTCDateTime


class Connection(IdMixin, TimestampMixin, Base):
    """One set of provider credentials (encrypted) and its sync state and lease."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("org_id", "name"),
                      # what cost lines refer to: (org, connection) in one foreign key
                      Index("ix_connections_org_id_id", "org_id", "id", unique=True))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    credentials: Mapped[bytes] = mapped_column(LargeBinary)
    endpoint: Mapped[str | None] = mapped_column(String(500))
    options: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    sync_interval_minutes: Mapped[int] = mapped_column(Integer, default=360)
    next_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_code: Mapped[str | None] = mapped_column(String(32))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    balance: Mapped[Decimal | None] = mapped_column(Money())
    balance_currency: Mapped[str | None] = mapped_column(String(3))
    daily_rate: Mapped[Decimal | None] = mapped_column(Money())
    days_to_block: Mapped[int | None] = mapped_column(Integer)
    balance_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    account_info: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


SWAPPING = "status = 'swapping'"  # a file import's swap under way (core.services.focus_import)


class SyncSnapshot(IdMixin, Base):
    """One sync run: timing, counts, totals by type and status, warnings or the error."""

    __tablename__ = "sync_snapshots"
    __table_args__ = (
        Index("ix_sync_snapshots_conn_started", "connection_id", "started_at"),
        # the swaps under way of an org (`core.services.updating`, asked with every answer):
        # an entry only while one is, among thousands of finished snapshots
        Index("ix_sync_snapshots_swapping", "org_id",
              sqlite_where=text(SWAPPING), postgresql_where=text(SWAPPING)),
    )
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="running")
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")
    resources_total: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    cost_lines: Mapped[int] = mapped_column(Integer, default=0)
    cost_total: Mapped[Decimal | None] = mapped_column(Money())
    totals: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(32))


class Resource(IdMixin, Base):
    """The latest known state of one provider resource; history is in ResourceState."""

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("connection_id", "external_id"),
        Index("ix_resources_org_kind", "org_id", "kind"),
    )
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="unknown")
    region: Mapped[str | None] = mapped_column(String(64))
    project: Mapped[str | None] = mapped_column(String(255))
    service_name: Mapped[str | None] = mapped_column(String(128))
    daily_cost: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    tags: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    config: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    parent_external_id: Mapped[str | None] = mapped_column(String(255))
    is_orphan: Mapped[bool] = mapped_column(Boolean, default=False)
    is_zombie: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    team: Mapped[str | None] = mapped_column(String(100))
    environment: Mapped[str | None] = mapped_column(String(32))
    cost_center: Mapped[str | None] = mapped_column(String(100))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ResourceState(Base):
    """What one sync saw of one resource: the change kind, the hash and what changed."""

    __tablename__ = "resource_states"
    __table_args__ = (Index("ix_resource_states_resource", "resource_id", "snapshot_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("sync_snapshots.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    cost_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    status_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    config_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str | None] = mapped_column(String(16))
    daily_cost: Mapped[Decimal | None] = mapped_column(Money())
    details: Mapped[dict[str, object] | None] = mapped_column(JSON)


class UnrecognizedItem(IdMixin, Base):
    """Something billing names that inventory does not; kept raw for an operator to review."""

    __tablename__ = "unrecognized_items"
    __table_args__ = (UniqueConstraint("connection_id", "external_id", "metric_id"),)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("sync_snapshots.id", ondelete="SET NULL"))
    external_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    metric_id: Mapped[str] = mapped_column(String(128), default="")
    inferred_type: Mapped[str] = mapped_column(String(32), default="other")
    raw: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
