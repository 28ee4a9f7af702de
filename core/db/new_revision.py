"""Write the next Alembic revision from what the models changed (autogenerate on a scratch DB).

    .venv/bin/python -m core.db.new_revision "what changed"

The scratch database is SQLite upgraded to head; revisions render in batch mode, which
SQLite needs and PostgreSQL runs as plain ALTERs, so one revision serves both engines.
`tests/db/test_migrations.py` then proves there is no drift on either.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory

from core.db.engine import create_engine
from core.db.migrate import MIGRATIONS, alembic_config, upgrade


def next_rev_id() -> str:
    ids = [int(m[1]) for p in (MIGRATIONS / "versions").glob("*.py")
           if (m := re.match(r"^(\d{4})_", p.name))]
    return f"{max(ids, default=0) + 1:04d}"


def main(message: str) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'scratch.db'}"
        cfg = alembic_config(url)
        rev_id = next_rev_id()

        async def _gen() -> None:
            engine = create_engine(url)
            await upgrade(engine)
            async with engine.begin() as conn:
                def _rev(connection: Any) -> None:
                    cfg.attributes["connection"] = connection
                    command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
                await conn.run_sync(_rev)
            await engine.dispose()

        asyncio.run(_gen())
    script = ScriptDirectory.from_config(cfg).get_revision(rev_id)
    if script is None or script.path is None:
        raise RuntimeError(f"alembic wrote no revision {rev_id}")
    return Path(script.path)


if __name__ == "__main__":
    print(f"wrote {main(' '.join(sys.argv[1:]) or 'schema change')}")  # noqa: T201
