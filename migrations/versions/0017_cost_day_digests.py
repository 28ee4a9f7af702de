"""cost day digests: what the last file import stored on a day, per replace scope

A re-import of a month-to-date export whose lines of a day are those already stored leaves
the day as it is (`core.services.focus_import`): the digest of the lines the last import
wrote for the day says so without reading them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'cost_day_digests',
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('scope', sa.String(length=32), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.Column('billed_units', sa.BigInteger(), nullable=False),
        sa.Column('digest', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['org_id', 'connection_id'],
                                ['connections.org_id', 'connections.id'],
                                name='fk_cost_day_digests_org_id_connections',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('connection_id', 'day', 'scope',
                                name='pk_cost_day_digests'))


def downgrade() -> None:
    op.drop_table('cost_day_digests')
