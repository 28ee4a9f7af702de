"""Run Alembic from code (`infrazen migrate`, `infrazen run`) and check models against it."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

import core.db.models  # noqa: F401
from core.db.base import Base, not_a_view

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["alembic_config", "schema_drift", "script_heads", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)


def script_heads() -> frozenset[str] | None:
    """Head revisions read from the scripts' `revision`/`down_revision` lines, without importing
    Alembic (about a third of a CLI command's start-up); None when a script cannot be read that
    way, and Alembic decides. A test checks this against Alembic's own heads."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((key, value) for key, value in _REVISION.findall(path.read_text("utf-8")))
        try:
            revision = ast.literal_eval(found["revision"].strip())
            down = ast.literal_eval(found["down_revision"].strip())
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        parents.update([down] if isinstance(down, str) else (down or ()))
    return frozenset(revisions - parents) or None


def _current_revisions(connection: Any) -> frozenset[str]:
    if not inspect(connection).has_table("alembic_version"):
        return frozenset()
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(str(row[0]) for row in rows)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision` (idempotent). A database already at
    the scripts' heads is left alone without loading Alembic."""
    if revision == "head" and (heads := script_heads()) is not None:
        async with engine.connect() as conn:
            if await conn.run_sync(_current_revisions) == heads:
                return
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))

    def _go(connection: Any) -> None:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_go)


async def schema_drift(engine: AsyncEngine) -> list[Any]:
    """Differences autogenerate would write between the models and the migrated database.

    Expression indexes are beyond autogenerate (it warns and skips them): the migration that
    creates one says so, and `expression_indexes` lists them for a test to check by name."""

    import warnings

    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def _diff(connection: Any) -> list[Any]:
        ctx = MigrationContext.configure(connection, opts={"compare_type": True,
                                                             "include_object": not_a_view})
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*expression-based index")
            return list(compare_metadata(ctx, Base.metadata))

    async with engine.connect() as conn:
        return await conn.run_sync(_diff)


def expression_indexes() -> dict[str, set[str]]:
    """Table → names of the models' expression indexes (those `schema_drift` cannot see)."""
    out: dict[str, set[str]] = {}
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            if any(not hasattr(e, "name") for e in index.expressions):
                out.setdefault(table.name, set()).add(str(index.name))
    return out
