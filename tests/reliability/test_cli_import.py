"""`infrazen import-focus` into a connection that is already importing: one clear line, exit
code 2, nothing imported (it used to end in a long traceback)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import cli
from core.db.engine import create_engine
from core.db.models import CostLine, JobLease
from tests.sync.test_focus_import import OFFICIAL


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'infrazen.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    return url


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--lang", "en", *args], input=input)
    return result.exit_code, result.output


async def _another_import_running(url: str, connection_id: int) -> None:
    engine = create_engine(url)
    async with AsyncSession(engine) as session, session.begin():
        session.add(JobLease(name=f"import:{connection_id}", owner="bot:77:abcdef",
                             expires_at=datetime.now(UTC) + timedelta(minutes=2)))
    await engine.dispose()


async def _lines(url: str) -> int:
    engine = create_engine(url)
    async with AsyncSession(engine) as session:
        count = (await session.execute(select(func.count()).select_from(CostLine))).scalar_one()
    await engine.dispose()
    return int(count)


def test_import_into_a_busy_connection_says_so_in_one_line(database: str) -> None:
    assert run("org", "create", "--name", "Acme", "--currency", "USD")[0] == 0
    code, out = run("connection", "add", "--org", "acme", "--kind", "focus", "--name", "AWS",
                    "--credentials", "-", input='{"account_name": "payer"}')
    assert code == 0, out
    asyncio.run(_another_import_running(database, 1))
    code, out = run("import-focus", str(OFFICIAL), "--connection", "1")
    assert code == 2
    assert out.strip() == ("An import into connection 1 is already running. Nothing was "
                           "imported; run this again when it has finished.")
    assert asyncio.run(_lines(database)) == 0
