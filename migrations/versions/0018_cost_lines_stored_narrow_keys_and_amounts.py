"""cost lines stored narrow: identities once in cost_keys, a line's day and amounts in cost_amounts

A cost line repeated its identity (resource, SKU, service, account, region, tags: 16 texts)
on each of a resource's days: 354 bytes a line on SQLite, most of a million-line import's
write time. Now each identity is stored once per connection in `cost_keys` (found again by
its `digest`) and a line is its key, day, amounts and, only when it is not the whole day, its
charge period, in `cost_amounts`. The view `cost_lines` joins them back into the columns
every reader queries (`core.db.models.costs.cost_lines_view`).

The lines are moved in batches, their identities hashed by
`core.db.cost_store.key_digest` (so later writes find them); staged identities of an
import in progress get their digest too.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 03:00:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ('billing_currency', 'provider', 'provider_name', 'service_name', 'service_category',
        'charge_category', 'resource_external_id', 'resource_name', 'resource_type',
        'region_id', 'sub_account_id', 'sub_account_name', 'pricing_unit', 'sku_id', 'tags',
        'source')
AMOUNTS = ('billed_cost', 'effective_cost', 'list_cost', 'contracted_cost', 'pricing_quantity')
RESOURCE_KEY = sa.text('coalesce(resource_name, resource_external_id)')
ESTIMATED = sa.text('CAST(tags AS TEXT) LIKE \'%"infrazen:estimated"%\'')
HAS_RESOURCE = sa.text('resource_id IS NOT NULL')
BOUGHT = sa.text("charge_category <> 'Usage'")
BATCH = 20_000
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _key_columns() -> list[sa.Column[Any]]:
    return [
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


def _amount_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column('billed_cost', sa.BigInteger(), nullable=False),
        sa.Column('effective_cost', sa.BigInteger(), nullable=False),
        sa.Column('list_cost', sa.BigInteger(), nullable=True),
        sa.Column('contracted_cost', sa.BigInteger(), nullable=True),
        sa.Column('pricing_quantity', sa.Numeric(precision=24, scale=6), nullable=True),
    ]


def _parent(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['org_id', 'connection_id'],
                                   ['connections.org_id', 'connections.id'],
                                   name=f'fk_{table}_org_id_connections', ondelete='CASCADE')


def _view(dialect: str) -> str:
    if dialect == 'sqlite':
        start = "a.day || ' 00:00:00.000000'"
        end = "date(a.day, '+1 day') || ' 00:00:00.000000'"
    else:
        start = "CAST(a.day AS TIMESTAMP) AT TIME ZONE 'UTC'"
        end = "(CAST(a.day AS TIMESTAMP) + INTERVAL '1 day') AT TIME ZONE 'UTC'"
    keys = ', '.join(f'k.{name}' for name in KEYS)
    return ('CREATE VIEW cost_lines AS SELECT a.id, a.org_id, a.connection_id, k.id AS key_id, '
            f'a.resource_id, a.day, coalesce(a.charge_period_start, {start}) AS '
            f'charge_period_start, coalesce(a.charge_period_end, {end}) AS charge_period_end, '
            'a.billed_cost, a.effective_cost, a.list_cost, a.contracted_cost, '
            f'a.pricing_quantity, a.row_hash, {keys} '
            'FROM cost_amounts a JOIN cost_keys k ON k.id = a.key_id AND k.org_id = a.org_id')


def _digest(values: Sequence[Any]) -> str:
    from core.db.cost_store import key_digest
    return key_digest(values)


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        'cost_keys',
        sa.Column('id', BigId, nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=32), nullable=True),
        *_key_columns(),
        _parent('cost_keys'),
        sa.PrimaryKeyConstraint('id', name='pk_cost_keys'))
    op.create_index('ix_cost_keys_connection_digest', 'cost_keys', ['connection_id', 'digest'],
                    unique=True)
    op.create_index('ix_cost_keys_org_resource_key', 'cost_keys', ['org_id', RESOURCE_KEY])
    op.create_index('ix_cost_keys_estimated', 'cost_keys', ['org_id'],
                    sqlite_where=ESTIMATED, postgresql_where=ESTIMATED)
    op.create_index('ix_cost_keys_org_category', 'cost_keys', ['org_id', 'charge_category'],
                    sqlite_where=BOUGHT, postgresql_where=BOUGHT)
    op.create_table(
        'cost_amounts',
        sa.Column('id', BigId, nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('key_id', sa.BigInteger(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('charge_period_start', sa.DateTime(timezone=True), nullable=True),
        sa.Column('charge_period_end', sa.DateTime(timezone=True), nullable=True),
        *_amount_columns(),
        sa.Column('row_hash', sa.String(length=32), nullable=True),
        _parent('cost_amounts'),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'],
                                name='fk_cost_amounts_resource_id_resources',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_cost_amounts'))
    op.create_index('ix_cost_amounts_org_day_key', 'cost_amounts', ['org_id', 'day', 'key_id'])
    op.create_index('ix_cost_amounts_resource_day', 'cost_amounts', ['resource_id', 'day'],
                    sqlite_where=HAS_RESOURCE, postgresql_where=HAS_RESOURCE)
    with op.batch_alter_table('cost_line_staging_idents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.BigInteger(), nullable=True))
    _move_lines(bind)
    _digest_staged(bind)
    op.drop_table('cost_lines')
    op.execute(_view(bind.dialect.name))
    if bind.dialect.name == 'postgresql':  # ids go on from where the lines' left off
        op.execute("SELECT setval(pg_get_serial_sequence('cost_amounts', 'id'), "
                   "coalesce((SELECT max(id) FROM cost_amounts), 0) + 1, false)")


def _tags(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _move_lines(bind: Any) -> None:
    """Every stored line into a key (found or made by its identity's digest) and amounts,
    keeping its id; its period only when it is not the whole day."""
    from datetime import UTC, date, datetime, timedelta

    lines = sa.table('cost_lines', *(sa.column(n) for n in (
        'id', 'org_id', 'connection_id', 'resource_id', 'day', 'charge_period_start',
        'charge_period_end', *AMOUNTS, 'row_hash', *KEYS)))
    keys = sa.table('cost_keys', *(sa.column(n, sa.JSON()) if n == 'tags' else sa.column(n)
                                   for n in ('id', 'org_id', 'connection_id', 'digest', *KEYS)))
    amounts = sa.table('cost_amounts', *(sa.column(n) for n in (
        'id', 'org_id', 'connection_id', 'key_id', 'resource_id', 'day',
        'charge_period_start', 'charge_period_end', *AMOUNTS, 'row_hash')))
    known: dict[tuple[int, str], int] = {}
    after = -1
    while True:
        rows = bind.execute(sa.select(lines).where(lines.c.id > after)
                            .order_by(lines.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return
        after = rows[-1]['id']
        fresh: list[dict[str, Any]] = []
        for row in rows:
            values = [_tags(row[n]) if n == 'tags' else row[n] for n in KEYS]
            digest = _digest(values)
            if (row['connection_id'], digest) not in known:
                known[(row['connection_id'], digest)] = -1
                fresh.append({'org_id': row['org_id'], 'connection_id': row['connection_id'],
                              'digest': digest, **dict(zip(KEYS, values, strict=True))})
        if fresh:
            bind.execute(sa.insert(keys), fresh)
            for conn_id in {f['connection_id'] for f in fresh}:
                wanted = [f['digest'] for f in fresh if f['connection_id'] == conn_id]
                for i in range(0, len(wanted), 500):
                    for kid, digest in bind.execute(sa.select(keys.c.id, keys.c.digest).where(
                            keys.c.connection_id == conn_id,
                            keys.c.digest.in_(wanted[i:i + 500]))):
                        known[(conn_id, digest)] = kid
        out = []
        for row in rows:
            values = [_tags(row[n]) if n == 'tags' else row[n] for n in KEYS]
            start, end = row['charge_period_start'], row['charge_period_end']
            day = row['day']
            if isinstance(start, str):
                start = datetime.fromisoformat(start)
                end = datetime.fromisoformat(end)
            if isinstance(day, str):
                day = date.fromisoformat(day)
            midnight = datetime.combine(day, datetime.min.time())
            whole = (start.replace(tzinfo=None) if start.tzinfo is None
                     else start.astimezone(UTC).replace(tzinfo=None)) == midnight and \
                (end.replace(tzinfo=None) if end.tzinfo is None
                 else end.astimezone(UTC).replace(tzinfo=None)) == midnight + timedelta(days=1)
            out.append({
                'id': row['id'], 'org_id': row['org_id'],
                'connection_id': row['connection_id'],
                'key_id': known[(row['connection_id'], _digest(values))],
                'resource_id': row['resource_id'], 'day': row['day'],
                'charge_period_start': None if whole else row['charge_period_start'],
                'charge_period_end': None if whole else row['charge_period_end'],
                **{n: row[n] for n in AMOUNTS}, 'row_hash': row['row_hash']})
        bind.execute(sa.insert(amounts), out)


def _digest_staged(bind: Any) -> None:
    """An import's identities staged before this revision: their digests (the swap finds or
    makes their keys by them)."""
    idents = sa.table('cost_line_staging_idents', *(sa.column(n) for n in (
        'import_id', 'number', 'digest', *KEYS)))
    rows = bind.execute(sa.select(idents)).mappings().all()
    for row in rows:
        values = [_tags(row[n]) if n == 'tags' else row[n] for n in KEYS]
        bind.execute(sa.update(idents).where(
            idents.c.import_id == row['import_id'], idents.c.number == row['number'])
            .values(digest=_digest(values)))


def downgrade() -> None:
    bind = op.get_bind()
    op.execute('DROP VIEW cost_lines')
    op.create_table(
        'cost_lines',
        sa.Column('id', BigId, nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('charge_period_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('charge_period_end', sa.DateTime(timezone=True), nullable=False),
        sa.Column('billed_cost', sa.BigInteger(), nullable=False),
        sa.Column('effective_cost', sa.BigInteger(), nullable=False),
        sa.Column('list_cost', sa.BigInteger(), nullable=True),
        sa.Column('contracted_cost', sa.BigInteger(), nullable=True),
        *(c for c in _key_columns() if c.name not in ('pricing_unit', 'sku_id', 'tags',
                                                       'source')),
        sa.Column('pricing_quantity', sa.Numeric(precision=24, scale=6), nullable=True),
        sa.Column('pricing_unit', sa.String(length=64), nullable=True),
        sa.Column('sku_id', sa.String(length=128), nullable=True),
        sa.Column('tags', sa.JSON(), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('row_hash', sa.String(length=32), nullable=True),
        _parent('cost_lines'),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'],
                                name='fk_cost_lines_resource_id_resources',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_cost_lines'))
    named = ', '.join(('id', 'org_id', 'connection_id', 'resource_id', 'day',
                       'charge_period_start', 'charge_period_end', *AMOUNTS, 'row_hash', *KEYS))
    select_lines = _view(bind.dialect.name).split(' AS ', 1)[1]
    op.execute(f'INSERT INTO cost_lines ({named}) SELECT {named} FROM ({select_lines}) AS v')
    op.create_index('ix_cost_lines_org_day_resource_key', 'cost_lines',
                    ['org_id', 'day', RESOURCE_KEY])
    op.create_index('ix_cost_lines_org_conn_day', 'cost_lines',
                    ['org_id', 'connection_id', 'day'])
    op.create_index('ix_cost_lines_resource_day', 'cost_lines', ['resource_id', 'day'],
                    sqlite_where=HAS_RESOURCE, postgresql_where=HAS_RESOURCE)
    op.create_index('ix_cost_lines_estimated', 'cost_lines', ['org_id', 'day', 'connection_id'],
                    sqlite_where=ESTIMATED, postgresql_where=ESTIMATED)
    op.create_index('ix_cost_lines_org_category_day', 'cost_lines',
                    ['org_id', 'charge_category', 'day'],
                    sqlite_where=BOUGHT, postgresql_where=BOUGHT)
    with op.batch_alter_table('cost_line_staging_idents', schema=None) as batch_op:
        batch_op.drop_column('key_id')
        batch_op.drop_column('digest')
    op.drop_table('cost_amounts')
    op.drop_table('cost_keys')
