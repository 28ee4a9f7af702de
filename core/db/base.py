"""Declarative base with a naming convention: Alembic migrations are identical on both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db.types import UTCDateTime

__all__ = ["Base", "BigId", "IdMixin", "TimestampMixin", "not_a_view", "utcnow"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def not_a_view(obj: Any, name: str | None, type_: str, reflected: bool,
               compare_to: Any) -> bool:
    """Alembic's `include_object`: a model over a view (its table's `info["view"]`) is made
    by a migration's own SQL, not compared with the database as a table."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return not (table is not None and getattr(table, "info", {}).get("view"))


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
