"""cost lines: partial index of estimated lines, index of purchases by org and day

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:03:34.684091
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the clause estimated_days repeats word for word (core.db.models.costs.ESTIMATED_LINE)
ESTIMATED = sa.text('CAST(tags AS TEXT) LIKE \'%"infrazen:estimated"%\'')


def upgrade() -> None:
    with op.batch_alter_table('cost_lines', schema=None) as batch_op:
        batch_op.create_index('ix_cost_lines_estimated', ['org_id', 'day', 'connection_id'],
                              unique=False, sqlite_where=ESTIMATED, postgresql_where=ESTIMATED)
        batch_op.create_index('ix_cost_lines_org_category_day',
                              ['org_id', 'charge_category', 'day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cost_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_lines_org_category_day')
        batch_op.drop_index('ix_cost_lines_estimated', sqlite_where=ESTIMATED,
                            postgresql_where=ESTIMATED)
