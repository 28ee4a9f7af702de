"""Daily cost lines (FOCUS column names), usage metrics and currency rates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, IdMixin
from core.db.types import CostMoney, UTCDateTime
from core.domain.collection import ESTIMATED_TAG

# A line InfraZen priced (tagged ESTIMATED_TAG), as SQL: the predicate of the partial index
# below, and the clause a query repeats word for word so both engines use that index (a
# literal, not a parameter: SQLite matches a partial index only to the same literal term).
ESTIMATED_LINE = f"CAST(tags AS TEXT) LIKE '%\"{ESTIMATED_TAG}\"%'"
# A line the bill marks as other than usage (purchases, taxes, credits): the predicate of the
# partial index of charge categories, repeated word for word by a query that wants them.
BOUGHT_LINE = "charge_category <> 'Usage'"


# The columns that say what a line is of (everything but its day, period and amounts): stored
# once per distinct combination in `cost_keys`, in this order (`core.db.cost_store`)
KEY_COLUMNS = ("billing_currency", "provider", "provider_name", "service_name",
               "service_category", "charge_category", "resource_external_id", "resource_name",
               "resource_type", "region_id", "sub_account_id", "sub_account_name",
               "pricing_unit", "sku_id", "tags", "source")


class CostKey(Base):
    """What cost lines are of: one row per distinct identity of a connection's lines (resource,
    SKU, service, account, region, tags, …), which a resource's every day repeats. Lines refer
    to it by id (`CostAmount.key_id`), so a line is stored as a key, a day and its amounts:
    a quarter of the bytes a whole line took to write and index. `digest` is the identity's
    hash (`core.db.cost_store.key_digest`): writers find a known identity by it."""

    __tablename__ = "cost_keys"
    __table_args__ = (
        Index("ix_cost_keys_connection_digest", "connection_id", "digest", unique=True),
        # the resource key `costs` groups resources by, and `resource_months` sums a few of
        Index("ix_cost_keys_org_resource_key", "org_id",
              text("coalesce(resource_name, resource_external_id)")),
        # which keys are estimates / purchases: a few out of many, found without a scan
        Index("ix_cost_keys_estimated", "org_id",
              sqlite_where=text(ESTIMATED_LINE), postgresql_where=text(ESTIMATED_LINE)),
        Index("ix_cost_keys_org_category", "org_id", "charge_category",
              sqlite_where=text(BOUGHT_LINE), postgresql_where=text(BOUGHT_LINE)),
        ForeignKeyConstraint(["org_id", "connection_id"],
                             ["connections.org_id", "connections.id"], ondelete="CASCADE"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer)
    connection_id: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str | None] = mapped_column(String(32))
    billing_currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(32))
    provider_name: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str | None] = mapped_column(String(128))
    service_category: Mapped[str | None] = mapped_column(String(64))
    charge_category: Mapped[str] = mapped_column(String(32), default="Usage")
    resource_external_id: Mapped[str | None] = mapped_column(String(255))
    resource_name: Mapped[str | None] = mapped_column(String(255))
    resource_type: Mapped[str | None] = mapped_column(String(64))
    region_id: Mapped[str | None] = mapped_column(String(64))
    sub_account_id: Mapped[str | None] = mapped_column(String(255))
    sub_account_name: Mapped[str | None] = mapped_column(String(255))
    pricing_unit: Mapped[str | None] = mapped_column(String(64))
    sku_id: Mapped[str | None] = mapped_column(String(128))
    tags: Mapped[dict[str, str] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16), default="sync")


class CostAmount(Base):
    """One day of one key: the narrow row a cost line is stored as. Its charge period is
    stored only when it is not the whole day (NULL: [day 00:00 UTC, next day 00:00 UTC)).
    `key_id` has no foreign key: a check per line cost as much as the write (PostgreSQL runs
    a query per key and line); the writers (`core.db.cost_store`) write a line's key
    first and delete keys only once no line refers to them."""

    __tablename__ = "cost_amounts"
    __table_args__ = (
        # a period's lines with their keys (readers join keys by it), and the few lines of
        # the keys a question picks by the keys' own indexes (estimates, purchases, a
        # resource's key: a seek per listed day and key). The only full index: led by the
        # day, as imports write lines (an index led by the key took a random write per line:
        # a first import 20 % slower)
        Index("ix_cost_amounts_org_day_key", "org_id", "day", "key_id"),

        # a synced resource's lines (file imports have no resource_id: no entry for theirs)
        Index("ix_cost_amounts_resource_day", "resource_id", "day",
              sqlite_where=text("resource_id IS NOT NULL"),
              postgresql_where=text("resource_id IS NOT NULL")),
        # a line's connection is of its own org; an org's deletion reaches its lines
        # through its connections
        ForeignKeyConstraint(["org_id", "connection_id"],
                             ["connections.org_id", "connections.id"], ondelete="CASCADE"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer)
    connection_id: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[int] = mapped_column(BigInteger)
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resources.id", ondelete="SET NULL"))
    day: Mapped[date] = mapped_column(Date)
    charge_period_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    charge_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    billed_cost: Mapped[Decimal] = mapped_column(CostMoney())
    effective_cost: Mapped[Decimal] = mapped_column(CostMoney())
    list_cost: Mapped[Decimal | None] = mapped_column(CostMoney())
    contracted_cost: Mapped[Decimal | None] = mapped_column(CostMoney())
    pricing_quantity: Mapped[Decimal | None] = mapped_column(Numeric(24, 6))
    # fingerprint of the row as the sync engine wrote it: a re-sync keeps identical rows
    row_hash: Mapped[str | None] = mapped_column(String(32))


def cost_lines_view(dialect: str) -> str:
    """The view `cost_lines`: each stored line with its key's columns and its period, the
    shape every reader queries (written by migration 0018, compared by a test). Its
    `key_id` is the key's own id: a question that picks keys first (`key_id IN (…)`) then
    drives from them, each key's lines found by equality (on the lines' column SQLite
    also used the list for the inner loop: 80x the seeks, 600 ms for 80 resources)."""
    if dialect == "sqlite":  # as SQLAlchemy writes a UTC datetime there
        start = "a.day || ' 00:00:00.000000'"
        end = "date(a.day, '+1 day') || ' 00:00:00.000000'"
    else:
        start = "CAST(a.day AS TIMESTAMP) AT TIME ZONE 'UTC'"
        end = "(CAST(a.day AS TIMESTAMP) + INTERVAL '1 day') AT TIME ZONE 'UTC'"
    keys = ", ".join(f"k.{name}" for name in KEY_COLUMNS)
    return ("CREATE VIEW cost_lines AS SELECT a.id, a.org_id, a.connection_id, k.id AS key_id, "
            f"a.resource_id, a.day, coalesce(a.charge_period_start, {start}) AS "
            f"charge_period_start, coalesce(a.charge_period_end, {end}) AS charge_period_end, "
            "a.billed_cost, a.effective_cost, a.list_cost, a.contracted_cost, "
            f"a.pricing_quantity, a.row_hash, {keys} "
            "FROM cost_amounts a JOIN cost_keys k ON k.id = a.key_id AND k.org_id = a.org_id")


class CostLine(Base):
    """One day of one SKU/service of one resource, with FOCUS column names in snake_case: the
    view `cost_lines` over `cost_amounts` and `cost_keys`, read-only (writers go through
    `core.db.cost_store`). `info["view"]`: migrations make it, not the metadata."""

    __tablename__ = "cost_lines"
    __table_args__ = {"info": {"view": True}}
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer)
    connection_id: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[int] = mapped_column(BigInteger)
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resources.id", ondelete="SET NULL"))
    day: Mapped[date] = mapped_column(Date)
    charge_period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    charge_period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    billed_cost: Mapped[Decimal] = mapped_column(CostMoney())
    effective_cost: Mapped[Decimal] = mapped_column(CostMoney())
    list_cost: Mapped[Decimal | None] = mapped_column(CostMoney())
    contracted_cost: Mapped[Decimal | None] = mapped_column(CostMoney())
    billing_currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(32))
    provider_name: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str | None] = mapped_column(String(128))
    service_category: Mapped[str | None] = mapped_column(String(64))
    charge_category: Mapped[str] = mapped_column(String(32), default="Usage")
    resource_external_id: Mapped[str | None] = mapped_column(String(255))
    resource_name: Mapped[str | None] = mapped_column(String(255))
    resource_type: Mapped[str | None] = mapped_column(String(64))
    region_id: Mapped[str | None] = mapped_column(String(64))
    sub_account_id: Mapped[str | None] = mapped_column(String(255))
    sub_account_name: Mapped[str | None] = mapped_column(String(255))
    pricing_quantity: Mapped[Decimal | None] = mapped_column(Numeric(24, 6))
    pricing_unit: Mapped[str | None] = mapped_column(String(64))
    sku_id: Mapped[str | None] = mapped_column(String(128))
    tags: Mapped[dict[str, str] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16), default="sync")
    row_hash: Mapped[str | None] = mapped_column(String(32))


# Where a file import on SQLite puts its daily lines until they replace the stored ones in
# short transactions (core.services.focus_import; on PostgreSQL an import is one transaction
# with temporary tables of the same columns): per line only its day, amounts and identity
# number; each identity's columns (the same on all of a resource's days) once per import in
# cost_line_staging_idents. A narrow row is ~4x cheaper to write and delete than the whole
# line; the swap joins the two. Rows of an import that died are swept by the next.
STAGED_AMOUNTS = ("billed_cost", "effective_cost", "list_cost", "contracted_cost",
                  "pricing_quantity")
STAGED_IDENTITY = ("org_id", "connection_id", *KEY_COLUMNS)


def _staged(names: tuple[str, ...]) -> list[Column[object]]:
    return [Column(c.name, Integer() if c.foreign_keys else c.type, nullable=c.nullable)
            for c in CostLine.__table__.columns if c.name in names]


cost_line_staging = Table(
    "cost_line_staging", Base.metadata,
    Column("id", BigId, primary_key=True),
    Column("import_id", String(32), nullable=False),
    Column("ident", Integer, nullable=False),  # cost_line_staging_idents.number
    Column("day", Date, nullable=False),
    *_staged(STAGED_AMOUNTS),
    Index("ix_cost_line_staging_import_day", "import_id", "day"),  # the swap moves days
)
cost_line_staging_idents = Table(
    "cost_line_staging_idents", Base.metadata,
    Column("import_id", String(32), primary_key=True),
    Column("number", Integer, primary_key=True),
    *_staged(STAGED_IDENTITY),
    Column("digest", String(32)),  # the identity's `cost_keys.digest`
    Column("key_id", BigInteger),  # its `cost_keys.id`, once the swap has found or made it
)

# What the last file import into a connection stored on a day, per replace scope: how many
# lines, their billed sum (units of CostMoney) and a digest of every column of them
# (core.services.focus_import.DayDigests). A re-import whose staged lines of the day have
# the same digest, and whose stored lines of the day still count and sum as recorded, leaves
# the day as it is: a month-to-date export imported again each day rewrites only the days
# that changed. Written by the swap step that stores the day, cleared by any swap step that
# changes it; gone with the connection.
cost_day_digests = Table(
    "cost_day_digests", Base.metadata,
    Column("org_id", Integer, nullable=False),
    Column("connection_id", Integer, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("scope", String(32), primary_key=True),
    Column("lines", Integer, nullable=False),
    Column("billed_units", BigInteger, nullable=False),
    Column("digest", String(32), nullable=False),
    ForeignKeyConstraint(["org_id", "connection_id"], ["connections.org_id", "connections.id"],
                         ondelete="CASCADE", name="fk_cost_day_digests_org_id_connections"),
)


class UsageMetric(Base):
    """A utilisation sample (CPU %, memory %) for rightsizing evidence."""

    __tablename__ = "usage_metrics"
    __table_args__ = (Index("ix_usage_metrics_resource_metric_ts", "resource_id", "metric", "ts"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                        index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(32))
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="percent")


class CurrencyRate(IdMixin, Base):
    """How many units of the org currency one unit of `currency` costs from `valid_from` on."""

    __tablename__ = "currency_rates"
    __table_args__ = (UniqueConstraint("org_id", "currency", "valid_from"),)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    base_currency: Mapped[str] = mapped_column(String(3), default="RUB")
    rate: Mapped[Decimal] = mapped_column(Numeric(20, 8))
    valid_from: Mapped[date] = mapped_column(Date)
    # "manual" (a person set it) or "cbr" (the Bank of Russia's official rate, fetched)
    source: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")
