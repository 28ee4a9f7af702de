"""cost line amounts in nano-units (nine decimals)

The columns stay BigInteger (no schema change): the stored integers of billed, effective, list
and contracted cost move from micro-units to nano-units (`core.db.types.CostMoney`), in
`cost_lines` and in `cost_line_staging`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:50:46.121139
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("cost_lines", "cost_line_staging")
_COLUMNS = ("billed_cost", "effective_cost", "list_cost", "contracted_cost")


def upgrade() -> None:
    for table in _TABLES:
        op.execute(f"UPDATE {table} SET "  # noqa: S608 - fixed names
                   + ", ".join(f"{c} = {c} * 1000" for c in _COLUMNS))


def downgrade() -> None:
    for table in _TABLES:
        op.execute(f"UPDATE {table} SET "  # noqa: S608 - fixed names
                   + ", ".join(f"{c} = {c} / 1000" for c in _COLUMNS))
