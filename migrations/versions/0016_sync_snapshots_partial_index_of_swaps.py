"""sync snapshots: a partial index of the swaps under way, per org

Every answer asks whether a file import is switching days of the org's costs right now
(`core.services.updating`), to say so. Finished snapshots pile up by the thousand (one per
sync); the index holds an entry only while a swap is under way.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SWAPPING = sa.text("status = 'swapping'")  # core.db.models.connection.SWAPPING


def upgrade() -> None:
    op.create_index('ix_sync_snapshots_swapping', 'sync_snapshots', ['org_id'], unique=False,
                    sqlite_where=SWAPPING, postgresql_where=SWAPPING)


def downgrade() -> None:
    op.drop_index('ix_sync_snapshots_swapping', table_name='sync_snapshots')
