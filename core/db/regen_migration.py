"""Regenerate the initial migration from the models (pre-release only: no database has shipped).

    .venv/bin/python -m core.db.regen_migration
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from alembic import command

from core.db.engine import create_engine
from core.db.migrate import MIGRATIONS, alembic_config

INITIAL = MIGRATIONS / "versions" / "0001_initial.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'regen.db'}"
        cfg = alembic_config(url)
        engine = create_engine(url)

        async def _gen() -> None:
            async with engine.begin() as conn:
                def _rev(connection: object) -> None:
                    cfg.attributes["connection"] = connection
                    command.revision(cfg, message="initial schema", autogenerate=True,
                                     rev_id="0001")
                await conn.run_sync(_rev)
            await engine.dispose()

        asyncio.run(_gen())
    generated = next((MIGRATIONS / "versions").glob("0001_*.py"))
    if generated != INITIAL:
        generated.rename(INITIAL)
    print(f"wrote {INITIAL}")  # noqa: T201


if __name__ == "__main__":
    main()
