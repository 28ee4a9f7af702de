"""What turns costs into decisions: allocation rules, budgets, recommendations, alerts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, TimestampMixin
from core.db.types import Money, UTCDateTime


class AllocationRule(IdMixin, TimestampMixin, Base):
    """Assigns team / project / environment / cost centre to resources that match, without tags."""

    __tablename__ = "allocation_rules"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    match: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    team: Mapped[str | None] = mapped_column(String(100))
    project: Mapped[str | None] = mapped_column(String(100))
    environment: Mapped[str | None] = mapped_column(String(32))
    cost_center: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="active")


class Budget(IdMixin, TimestampMixin, Base):
    """A spending limit over a scope and a period, with alert thresholds in percent."""

    __tablename__ = "budgets"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope_kind: Mapped[str] = mapped_column(String(16), default="org")
    scope_value: Mapped[str | None] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(16), default="month")
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    thresholds: Mapped[list[int]] = mapped_column(JSON, default=lambda: [50, 80, 100])
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Where its alerts go: a bound group or a member's private chat; None = the usual routing.
    alert_chat_id: Mapped[int | None] = mapped_column(BigInteger)


class Recommendation(IdMixin, TimestampMixin, Base):
    """A saving with its evidence; lifecycle new → accepted / snoozed / dismissed → done."""

    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("org_id", "dedup_key"),
                      Index("ix_recommendations_org_status", "org_id", "status"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resources.id", ondelete="SET NULL"))
    dedup_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    evidence: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    monthly_saving: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    status: Mapped[str] = mapped_column(String(16), default="new")
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(String(300))  # why dismissed / snoozed
    baseline_daily_cost: Mapped[Decimal | None] = mapped_column(Money())
    realised_monthly_saving: Mapped[Decimal | None] = mapped_column(Money())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertEvent(IdMixin, TimestampMixin, Base):
    """Something worth telling people; the dedup key keeps it from being told twice."""

    __tablename__ = "alert_events"
    __table_args__ = (UniqueConstraint("org_id", "dedup_key"),
                      Index("ix_alert_events_org_created", "org_id", "created_at"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(200))
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resources.id", ondelete="SET NULL"))
    provider: Mapped[str | None] = mapped_column(String(32))
    project: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="open")
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertFeedback(IdMixin, TimestampMixin, Base):
    """A button pressed on an alert (ack, snooze, planned, expected, details): its precision."""

    __tablename__ = "alert_feedback"
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))


class AnomalyExclusion(IdMixin, TimestampMixin, Base):
    """A day of a series a user marked planned/expected: the detector leaves it alone."""

    __tablename__ = "anomaly_exclusions"
    __table_args__ = (UniqueConstraint("org_id", "series_key", "day"),)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    series_key: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(16), default="planned")
    note: Mapped[str | None] = mapped_column(Text)
