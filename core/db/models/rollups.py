"""Daily rollups of cost lines: what answers, digests, briefs, budgets and alerts read.

One row per org × day × connection × provider × service (and its category) × project ×
team × environment × region × currency, with the sums of billed and effective cost and how
many lines they summarise. `core.services.rollups` keeps it equal to a GROUP BY over
`cost_lines` (joined with `resources` for project, team and environment) in the same
transaction as every write that changes those lines or a resource's grouping; connection
and organisation deletions cascade.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId
from core.db.types import CostMoney


class CostRollup(Base):
    """The daily sum of the lines sharing one grouping key (see the module doc)."""

    __tablename__ = "cost_rollups"
    __table_args__ = (
        Index("ix_cost_rollups_org_day", "org_id", "day"),
        Index("ix_cost_rollups_org_conn_day", "org_id", "connection_id", "day"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(32))
    service_name: Mapped[str | None] = mapped_column(String(128))
    service_category: Mapped[str | None] = mapped_column(String(64))
    region_id: Mapped[str | None] = mapped_column(String(64))
    # the resource's project, else the line's sub-account name (as costs.py groups "project")
    project: Mapped[str | None] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(100))
    environment: Mapped[str | None] = mapped_column(String(32))
    billing_currency: Mapped[str] = mapped_column(String(3))
    billed_cost: Mapped[Decimal] = mapped_column(CostMoney())
    effective_cost: Mapped[Decimal] = mapped_column(CostMoney())
    lines: Mapped[int] = mapped_column(Integer)


class ServiceRollup(Base):
    """`cost_rollups` summed over project, team, environment and region: the daily sum per
    connection × provider × service (and its category) × currency.

    About 25× fewer rows than `cost_rollups` on a large account (800 keys a day become 35), so
    what needs only these columns — totals, the spend and its split by provider or service,
    daily series and the anomaly detector's 13 months by service — reads it instead. Kept by
    `core.services.rollups` from the `cost_rollups` slice it has just recomputed.
    """

    __tablename__ = "cost_service_rollups"
    __table_args__ = (
        Index("ix_cost_service_rollups_org_day", "org_id", "day"),
        Index("ix_cost_service_rollups_org_conn_day", "org_id", "connection_id", "day"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(32))
    service_name: Mapped[str | None] = mapped_column(String(128))
    service_category: Mapped[str | None] = mapped_column(String(64))
    billing_currency: Mapped[str] = mapped_column(String(3))
    billed_cost: Mapped[Decimal] = mapped_column(CostMoney())
    effective_cost: Mapped[Decimal] = mapped_column(CostMoney())
    lines: Mapped[int] = mapped_column(Integer)


class ResourceMonth(Base):
    """A resource's spend in one month of one connection, per currency, split into its
    charges and its credits: what ranks the costliest resources without reading the lines.

    The key is the line's resource name, else its external id (how `costs` groups by resource).
    A month's rows are valid only while `ResourceMonthState.built == version` for it: every
    write that changes the month's lines bumps the version in its own transaction (by
    `core.services.rollups`), and `core.services.resource_months` rebuilds stale months in
    the background, so writers never pay for it and readers never read a stale month.
    """

    __tablename__ = "cost_resource_months"
    __table_args__ = (Index("ix_cost_resource_months_org_month", "org_id", "month"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # its first day
    provider: Mapped[str] = mapped_column(String(32))
    resource_key: Mapped[str | None] = mapped_column(String(255))
    billing_currency: Mapped[str] = mapped_column(String(3))
    charges: Mapped[Decimal] = mapped_column(CostMoney())  # the sum of its positive amounts
    credits: Mapped[Decimal] = mapped_column(CostMoney())  # the sum of its negative amounts
    lines: Mapped[int] = mapped_column(Integer)


class ResourceMonthState(Base):
    """Whether a connection's month in `cost_resource_months` is current: `version` counts
    the writes to the month's lines, `built` is the version its rows were computed from."""

    __tablename__ = "cost_resource_month_states"
    __table_args__ = (UniqueConstraint("org_id", "connection_id", "month"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=0)
    built: Mapped[int | None] = mapped_column(Integer)
