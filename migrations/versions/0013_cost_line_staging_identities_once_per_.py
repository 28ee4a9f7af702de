"""cost line staging: identities once per import, lines narrow

A staged line kept every column of a cost line (30 values, most of them the same texts on
each of a resource's days); writing, moving and deleting them was most of a file import's
database time. Now a staged line holds its day, amounts and an identity number, and
`cost_line_staging_idents` holds each identity's columns once per import; the swap joins the
two. Rows staged before the upgrade (a swap a dead process left half done) are kept: each
becomes an identity of its own (number = its id). The periods of a staged line are always
its day (the importer stages daily lines only); resource_id and row_hash were always null.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.types

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDENTITY = ('org_id', 'connection_id', 'billing_currency', 'provider', 'provider_name',
            'service_name', 'service_category', 'charge_category', 'resource_external_id',
            'resource_name', 'resource_type', 'region_id', 'sub_account_id',
            'sub_account_name', 'pricing_unit', 'sku_id', 'tags', 'source')
DROPPED = (*IDENTITY, 'resource_id', 'charge_period_start', 'charge_period_end', 'row_hash')


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    """The columns of cost_line_staging that move to the identities (as 0004 made them)."""
    return [
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('billing_currency', sa.String(length=3), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('provider_name', sa.String(length=64), nullable=False),
        sa.Column('service_name', sa.String(length=128), nullable=True),
        sa.Column('service_category', sa.String(length=64), nullable=True),
        sa.Column('charge_category', sa.String(length=32), nullable=False),
        sa.Column('resource_external_id', sa.String(length=255), nullable=True),
        sa.Column('resource_name', sa.String(length=255), nullable=True),
        sa.Column('resource_type', sa.String(length=64), nullable=True),
        sa.Column('region_id', sa.String(length=64), nullable=True),
        sa.Column('sub_account_id', sa.String(length=255), nullable=True),
        sa.Column('sub_account_name', sa.String(length=255), nullable=True),
        sa.Column('pricing_unit', sa.String(length=64), nullable=True),
        sa.Column('sku_id', sa.String(length=128), nullable=True),
        sa.Column('tags', sa.JSON(), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('cost_line_staging_idents',
                    sa.Column('import_id', sa.String(length=32), nullable=False),
                    sa.Column('number', sa.Integer(), nullable=False),
                    *_columns(),
                    sa.PrimaryKeyConstraint('import_id', 'number',
                                            name=op.f('pk_cost_line_staging_idents')))
    names = ', '.join(IDENTITY)
    op.execute(f'INSERT INTO cost_line_staging_idents (import_id, number, {names}) '
               f'SELECT import_id, id, {names} FROM cost_line_staging')
    with op.batch_alter_table('cost_line_staging', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ident', sa.Integer(), nullable=True))
    op.execute('UPDATE cost_line_staging SET ident = id')
    with op.batch_alter_table('cost_line_staging', schema=None) as batch_op:
        batch_op.alter_column('ident', existing_type=sa.Integer(), nullable=False)
        for name in DROPPED:
            batch_op.drop_column(name)


def downgrade() -> None:
    staged = op.get_bind().execute(sa.text('SELECT count(*) FROM cost_line_staging')).scalar()
    if staged:
        raise RuntimeError('cost_line_staging holds lines of an unfinished import: start the '
                           'application once (it finishes or drops them), then downgrade')
    with op.batch_alter_table('cost_line_staging', schema=None) as batch_op:
        batch_op.drop_column('ident')
        batch_op.add_column(sa.Column('resource_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('charge_period_start',
                                      core.db.types.UTCDateTime(timezone=True),
                                      nullable=False))
        batch_op.add_column(sa.Column('charge_period_end',
                                      core.db.types.UTCDateTime(timezone=True),
                                      nullable=False))
        for column in _columns():
            batch_op.add_column(column)
        batch_op.add_column(sa.Column('row_hash', sa.String(length=32), nullable=True))
    op.drop_table('cost_line_staging_idents')
