"""cost lines: one foreign key (org, connection) → connections; partial indexes of resources' and bought lines

Every line inserted into `cost_lines` ran the foreign-key checks of its org and of its
connection: on PostgreSQL about 3 µs each per line (the row trigger queries the parent),
so a million-line import spent ~6 s of the server's time on them. One composite key to
connections (org_id, id) checks both at once, and says more: a line's connection is of the
line's own org. Deleting an organisation still removes its lines (organisation → its
connections → their lines, by cascade).

Two indexes held an entry for every line though their queries only want a few:
(resource_id, day) is read for synced resources (file imports have no resource_id), and
(org, charge_category, day) for purchases (most lines are `Usage`). Each now holds only those
lines; the purchases' query repeats the predicate word for word
(core.db.models.costs.BOUGHT_LINE).

On SQLite changing a foreign key rebuilds the table (every line copied once; every index is
dropped first and made again after, since a rebuild would lose the expression index and the
partial predicates).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESOURCE_KEY = sa.text('coalesce(resource_name, resource_external_id)')
ESTIMATED = sa.text('CAST(tags AS TEXT) LIKE \'%"infrazen:estimated"%\'')
HAS_RESOURCE = sa.text('resource_id IS NOT NULL')
BOUGHT = sa.text("charge_category <> 'Usage'")  # core.db.models.costs.BOUGHT_LINE


def _indexes(*, partial: bool) -> list[tuple[str, list[object], sa.TextClause | None]]:
    return [
        ('ix_cost_lines_org_day_resource_key', ['org_id', 'day', RESOURCE_KEY], None),
        ('ix_cost_lines_org_conn_day', ['org_id', 'connection_id', 'day'], None),
        ('ix_cost_lines_resource_day', ['resource_id', 'day'], HAS_RESOURCE if partial else None),
        ('ix_cost_lines_estimated', ['org_id', 'day', 'connection_id'], ESTIMATED),
        ('ix_cost_lines_org_category_day', ['org_id', 'charge_category', 'day'],
         BOUGHT if partial else None),
    ]


def _switch(*, partial: bool) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    changed = {'ix_cost_lines_resource_day', 'ix_cost_lines_org_category_day'}
    for name, _, _ in _indexes(partial=partial):
        if sqlite or name in changed:
            op.execute(f'DROP INDEX IF EXISTS {name}')
    with op.batch_alter_table('cost_lines', schema=None) as batch_op:
        if partial:
            batch_op.drop_constraint('fk_cost_lines_org_id_organizations', type_='foreignkey')
            batch_op.drop_constraint('fk_cost_lines_connection_id_connections',
                                     type_='foreignkey')
            batch_op.create_foreign_key('fk_cost_lines_org_id_connections', 'connections',
                                        ['org_id', 'connection_id'], ['org_id', 'id'],
                                        ondelete='CASCADE')
        else:
            batch_op.drop_constraint('fk_cost_lines_org_id_connections', type_='foreignkey')
            batch_op.create_foreign_key('fk_cost_lines_org_id_organizations', 'organizations',
                                        ['org_id'], ['id'], ondelete='CASCADE')
            batch_op.create_foreign_key('fk_cost_lines_connection_id_connections',
                                        'connections', ['connection_id'], ['id'],
                                        ondelete='CASCADE')
    for name, columns, where in _indexes(partial=partial):
        if sqlite or name in changed:
            op.create_index(name, 'cost_lines', columns, unique=False,  # type: ignore[arg-type]
                            sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    # a foreign key needs its referred columns unique
    op.create_index('ix_connections_org_id_id', 'connections', ['org_id', 'id'], unique=True)
    _switch(partial=True)


def downgrade() -> None:
    _switch(partial=False)
    op.drop_index('ix_connections_org_id_id', table_name='connections')
