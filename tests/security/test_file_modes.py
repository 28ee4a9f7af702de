"""Files holding costs or credentials are readable by their owner only (0600), whatever the
umask: the SQLite database with its -wal and -shm, the key file, and what the CLI exports."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from core.db.engine import create_engine, session_factory
from core.db.migrate import upgrade
from core.security.vault import vault_from_settings
from core.services.orgs import create_org
from core.settings import load_settings


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture(autouse=True)
def _lax_umask() -> Iterator[None]:
    """The usual umask 022, which would make new files 0644."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


async def test_new_database_its_wal_and_shm_and_the_key_file_are_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRAZEN_SECRET_KEY", raising=False)
    db = tmp_path / "data" / "infrazen.db"
    url = f"sqlite+aiosqlite:///{db}"
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session:
            await create_org(session, "Acme")
            await session.flush()  # a write in progress: the -wal and -shm exist now
            for path in (db, db.with_name("infrazen.db-wal"), db.with_name("infrazen.db-shm")):
                assert path.exists(), path
                assert _mode(path) == 0o600, path
            await session.commit()
    finally:
        await engine.dispose()
    settings = load_settings(DATABASE_URL=url)
    vault_from_settings(settings)
    assert settings.key_file == tmp_path / "data" / "infrazen.key"
    assert _mode(settings.key_file) == 0o600


async def test_a_world_readable_database_is_tightened_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRAZEN_SECRET_KEY", raising=False)
    db = tmp_path / "infrazen.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    db.chmod(0o644)
    key = tmp_path / "infrazen.key"
    key.write_text("kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=\n")
    key.chmod(0o644)
    caplog.set_level(logging.WARNING)
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await engine.dispose()
    assert _mode(db) == 0o600
    vault_from_settings(load_settings(DATABASE_URL=f"sqlite+aiosqlite:///{db}"))
    assert _mode(key) == 0o600
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(db) in m and "readable by other users" in m for m in warned)
    assert any(str(key) in m and "readable by other users" in m for m in warned)


def test_cli_exports_and_briefs_are_private(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'infrazen.db'}")
    monkeypatch.delenv("INFRAZEN_SECRET_KEY", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    first, last = date.today() - timedelta(days=30), date.today()
    existing = tmp_path / "existing.csv"
    existing.write_text("old\n")
    existing.chmod(0o644)
    for fmt, out in (("csv", tmp_path / "costs.csv"), ("focus", tmp_path / "focus.csv"),
                     ("chargeback", existing)):
        result = runner.invoke(cli, ["export", "--org", "demo", "--format", fmt,
                                     "--from", f"{first}", "--to", f"{last}", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 100, fmt
        assert _mode(out) == 0o600, fmt
    pdf = tmp_path / "brief.pdf"
    result = runner.invoke(cli, ["brief", "--org", "demo", "--period", f"{last:%Y-%m}",
                                 "--out", str(pdf)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _mode(pdf) == 0o600
    assert _mode(tmp_path / "infrazen.db") == 0o600
    assert _mode(tmp_path / "infrazen.key") == 0o600
