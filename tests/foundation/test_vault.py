"""Credentials at rest: unreadable in the database, rotatable to a new key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import cli
from core.db.models import Connection
from core.security.vault import Vault, VaultError, load_or_create_key
from core.services.orgs import create_org

SECRET = "s3cr3t-P@ssw0rd-for-test"


async def test_credentials_are_not_readable_in_the_database(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    async with session_maker() as session:
        org = await create_org(session, "Acme")
        session.add(Connection(org_id=org.id, kind="beget", name="b",
                               credentials=vault.encrypt({"login": "acme", "password": SECRET})))
        await session.commit()
        raw = (await session.execute(select(Connection.credentials))).scalar_one()
        engine_url = str(session.get_bind().engine.url)
    assert SECRET.encode() not in raw
    assert b"acme" not in raw
    assert vault.decrypt(raw)["password"] == SECRET
    if engine_url.startswith("sqlite"):
        path = Path(engine_url.split(":///", 1)[1])
        data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"Acme" in data  # the file is really the database we wrote to
        assert SECRET.encode() not in data


def test_vault_rotation_keeps_old_tokens_readable_until_re_encrypted() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = Vault([old]).encrypt({"k": SECRET})
    both = Vault([new, old])
    assert both.decrypt(token) == {"k": SECRET}
    assert not both.is_primary(token)
    rotated = both.rotate(token)
    assert Vault([new]).decrypt(rotated) == {"k": SECRET}
    with pytest.raises(VaultError):
        Vault([new]).decrypt(token)


def test_bad_key_is_one_clear_error() -> None:
    with pytest.raises(VaultError, match="INFRAZEN_SECRET_KEY"):
        Vault(["not-a-key"])


def test_generated_key_file_is_private(tmp_path: Path) -> None:
    key, created = load_or_create_key(tmp_path / "infrazen.key")
    assert created
    assert (tmp_path / "infrazen.key").stat().st_mode & 0o777 == 0o600
    assert load_or_create_key(tmp_path / "infrazen.key") == (key, False)


def test_rotate_key_command_re_encrypts_everything(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "infrazen.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.delenv("INFRAZEN_SECRET_KEY", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    old_key = (tmp_path / "infrazen.key").read_text().strip()
    new_key = Fernet.generate_key().decode()
    result = runner.invoke(cli, ["rotate-key", "--new-key", new_key])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "перешифровано подключений 4 из 4" in result.output
    # the old key stays on the second line until `rotate-key --prune`
    assert (tmp_path / "infrazen.key").read_text().split() == [new_key, old_key]
    rows = sqlite3.connect(db).execute("select credentials from connections").fetchall()
    assert len(rows) == 4
    for (token,) in rows:
        assert Vault([new_key]).decrypt(token) == {"demo": True}
        with pytest.raises(VaultError):
            Vault([old_key]).decrypt(token)
