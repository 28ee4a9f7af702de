"""cost line staging indexed by import and day

A file import's swap moves its staged lines into `cost_lines` a few days per short
transaction (`core.services.focus_import`): it picks them by (import_id, day), so the index
on import_id alone becomes one on (import_id, day).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:25:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cost_line_staging', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_line_staging_import_id')
        batch_op.create_index('ix_cost_line_staging_import_day', ['import_id', 'day'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cost_line_staging', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_line_staging_import_day')
        batch_op.create_index('ix_cost_line_staging_import_id', ['import_id'], unique=False)
