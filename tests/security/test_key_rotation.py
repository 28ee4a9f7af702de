"""`infrazen rotate-key` loses nothing, whatever happens to it.

The rotation runs as a real `infrazen` subprocess against a database (SQLite and PostgreSQL)
holding several connections' credentials, and is SIGKILLed at every step (the rotation code
kills itself at the step named by INFRAZEN_TEST_CRASH_AT: a real SIGKILL, nothing flushed or
rolled back on the way out). After each kill every credential must decrypt with the keys on
disk, and a plain re-run must finish the job. A failing stdout (closed, full, broken pipe)
must stop the rotation before the database changes. Errors are one line, never a traceback.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.engine import session_factory
from core.db.models import Connection
from core.security.vault import (
    Vault,
    VaultError,
    fingerprint,
    load_or_create_key,
    read_key_file,
    write_key_file,
)
from core.services.key_rotation import KeyRotationError, reencrypt
from core.services.orgs import create_org

INFRAZEN = str(Path(sys.executable).with_name("infrazen"))
N = 5
STEPS = ["before_keyfile_replace", "after_keyfile", "after_print", "before_commit",
         "after_commit"]


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("INFRAZEN_") and k not in ("DATABASE_URL", "DEFAULT_LANGUAGE")}
    env.update(DATABASE_URL=db_url, DEFAULT_LANGUAGE="en", **extra)
    return env


def _run(cwd: Path, db_url: str, *args: str, stdout: int | TextIO = subprocess.PIPE,
         env: Mapping[str, str] | None = None,
         **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([INFRAZEN, "rotate-key", *args], cwd=cwd,
                          env=_env(db_url, **(env or {}), **extra),
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120,
                          check=False)


def _url(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=False)


async def _seed(engine: AsyncEngine, vault: Vault, n: int = N) -> dict[int, dict[str, Any]]:
    """N connections whose credentials differ, encrypted with `vault`."""
    expected: dict[int, dict[str, Any]] = {}
    async with session_factory(engine)() as session:
        org = await create_org(session, "Acme")
        rows = []
        for i in range(n):
            creds = {"login": f"user-{i}", "password": f"secret-{i}-{os.urandom(4).hex()}"}
            conn = Connection(org_id=org.id, kind="beget", name=f"c{i}",
                              credentials=vault.encrypt(creds))
            session.add(conn)
            rows.append((conn, creds))
        await session.commit()
        for conn, creds in rows:
            expected[conn.id] = creds
    return expected


async def _tokens(engine: AsyncEngine) -> dict[int, bytes]:
    async with session_factory(engine)() as session:
        rows = await session.execute(select(Connection.id, Connection.credentials))
        return {cid: bytes(token) for cid, token in rows}


async def _assert_all_decrypt(engine: AsyncEngine, keys: list[str],
                              expected: dict[int, dict[str, Any]]) -> dict[int, bytes]:
    tokens = await _tokens(engine)
    assert set(tokens) == set(expected)
    vault = Vault(keys)
    for cid, token in tokens.items():
        assert vault.decrypt(token) == expected[cid], f"connection {cid}"
    return tokens


@pytest.fixture
async def seeded(sqlite_engine: AsyncEngine,
                 tmp_path: Path) -> tuple[AsyncEngine, Path, str, dict[int, dict[str, Any]]]:
    """A SQLite database with N connections under the key file's generated key (key-file
    mode; the file lives beside the database). The subprocess runs cost ~10 s each on a busy
    machine, so the kill matrix runs on SQLite; the one-transaction re-encryption it relies
    on is tested on both engines below."""
    key_file = tmp_path / "infrazen.key"
    first, _ = load_or_create_key(key_file)
    expected = await _seed(sqlite_engine, Vault.from_key_file(key_file))
    return sqlite_engine, key_file, first, expected


@pytest.mark.parametrize("step", STEPS)
async def test_killed_at_any_step_nothing_is_lost_and_a_rerun_completes(
        seeded: tuple[AsyncEngine, Path, str, dict[int, dict[str, Any]]], tmp_path: Path,
        step: str) -> None:
    engine, key_file, first, expected = seeded
    killed = await asyncio.to_thread(_run, tmp_path, _url(engine), INFRAZEN_TEST_CRASH_AT=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    on_disk = read_key_file(key_file)
    assert first in on_disk  # the old key is never dropped by a rotation
    await _assert_all_decrypt(engine, on_disk, expected)
    if step == "before_keyfile_replace":
        assert on_disk == [first]
    else:  # from here on the new key is durable, above the old one
        assert len(on_disk) == 2
        assert on_disk[1] == first
    if step == "after_commit":  # the rotation itself was complete
        await _assert_all_decrypt(engine, on_disk[:1], expected)

    rerun = await asyncio.to_thread(_run, tmp_path, _url(engine))
    assert rerun.returncode == 0, rerun.stderr
    assert "Traceback" not in rerun.stderr
    final = read_key_file(key_file)
    if step in ("before_keyfile_replace", "after_commit"):  # nothing pending: a new rotation
        assert final[1:] == on_disk
    else:  # finished the interrupted rotation, did not start another
        assert final == on_disk
        assert "Finishing an interrupted rotation" in rerun.stdout
    assert final[-1] == first
    assert key_file.read_text().count("\n") == len(set(final))  # one key a line, no repeats
    await _assert_all_decrypt(engine, final[:1], expected)  # all under the new primary
    with pytest.raises(VaultError):
        Vault([first]).decrypt(next(iter((await _tokens(engine)).values())))


async def test_rerun_with_the_same_new_key_is_idempotent(
        seeded: tuple[AsyncEngine, Path, str, dict[int, dict[str, Any]]],
        tmp_path: Path) -> None:
    engine, key_file, first, expected = seeded
    new = Fernet.generate_key().decode()
    killed = await asyncio.to_thread(_run, tmp_path, _url(engine), "--new-key", new,
                                     INFRAZEN_TEST_CRASH_AT="before_commit")
    assert killed.returncode == -signal.SIGKILL
    done = await asyncio.to_thread(_run, tmp_path, _url(engine), "--new-key", new)
    assert done.returncode == 0, done.stderr
    assert f"{N} of {N} connection(s) re-encrypted" in done.stdout
    again = await asyncio.to_thread(_run, tmp_path, _url(engine), "--new-key", new)
    assert again.returncode == 0, again.stderr
    assert f"0 of {N} connection(s) re-encrypted under key {fingerprint(new)}; {N} already" \
        in again.stdout
    assert read_key_file(key_file) == [new, first]
    await _assert_all_decrypt(engine, [new], expected)


def _closed_stdout(cwd: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", "-c", 'exec "$0" rotate-key >&-', INFRAZEN], cwd=cwd,
                          env=_env(db_url), stderr=subprocess.PIPE, text=True, timeout=120,
                          check=False)


def _full_stdout(cwd: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC
        return _run(cwd, db_url, stdout=full)


def _broken_pipe(cwd: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen([INFRAZEN, "rotate-key"], cwd=cwd, env=_env(db_url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before the command prints anything
    _, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", err)


@pytest.mark.parametrize("broken", [_closed_stdout, _full_stdout, _broken_pipe],
                         ids=["closed", "dev_full", "broken_pipe"])
async def test_failing_stdout_stops_before_the_database_changes(
        sqlite_engine: AsyncEngine, tmp_path: Path, broken: Any) -> None:
    key_file = tmp_path / "infrazen.key"
    first, _ = load_or_create_key(key_file)
    expected = await _seed(sqlite_engine, Vault.from_key_file(key_file))
    before = await _tokens(sqlite_engine)

    failed = await asyncio.to_thread(broken, tmp_path, _url(sqlite_engine))
    assert failed.returncode == 2, failed.stderr
    assert "Cannot write to standard output" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert await _tokens(sqlite_engine) == before  # the database was not touched
    on_disk = read_key_file(key_file)
    assert on_disk[1:] == [first]
    await _assert_all_decrypt(sqlite_engine, on_disk, expected)

    rerun = await asyncio.to_thread(_run, tmp_path, _url(sqlite_engine))
    assert rerun.returncode == 0, rerun.stderr
    assert read_key_file(key_file) == on_disk
    await _assert_all_decrypt(sqlite_engine, on_disk[:1], expected)


async def test_environment_key_rotation_prints_what_to_set_before_changing_anything(
        sqlite_engine: AsyncEngine, tmp_path: Path) -> None:
    old, older = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    expected = await _seed(sqlite_engine, Vault([old, older]))
    url = _url(sqlite_engine)
    env = {"INFRAZEN_SECRET_KEY": old, "INFRAZEN_OLD_SECRET_KEYS": older}

    refused = await asyncio.to_thread(_run, tmp_path, url, env=env)
    assert refused.returncode == 2
    assert "INFRAZEN_SECRET_KEY is set, so the new key must come from you" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert "Traceback" not in refused.stderr

    new = Fernet.generate_key().decode()
    killed = await asyncio.to_thread(_run, tmp_path, url, "--new-key", new,
                                     INFRAZEN_TEST_CRASH_AT="after_print", env=env)
    assert killed.returncode == -signal.SIGKILL
    assert f"INFRAZEN_SECRET_KEY={new}\n" in killed.stdout
    assert f"INFRAZEN_OLD_SECRET_KEYS={old},{older}\n" in killed.stdout
    await _assert_all_decrypt(sqlite_engine, [old], expected)  # not changed yet
    assert not (tmp_path / "infrazen.key").exists()  # environment mode writes no key file

    done = await asyncio.to_thread(_run, tmp_path, url, "--new-key", new, env=env)
    assert done.returncode == 0, done.stderr
    # exactly what was printed decrypts everything, and the new key alone does
    await _assert_all_decrypt(sqlite_engine, [new, old, older], expected)
    await _assert_all_decrypt(sqlite_engine, [new], expected)

    # the operator set the printed values and restarted: --prune says the old ones can go
    pruned = await asyncio.to_thread(
        _run, tmp_path, url, "--prune", INFRAZEN_SECRET_KEY=new,
        INFRAZEN_OLD_SECRET_KEYS=f"{old},{older}")
    assert pruned.returncode == 0, pruned.stderr
    assert f"{fingerprint(old)}, {fingerprint(older)}" in pruned.stdout
    assert pruned.stdout.endswith("INFRAZEN_OLD_SECRET_KEYS=\n")


async def test_undecryptable_credential_is_named_and_nothing_changes(
        sqlite_engine: AsyncEngine, tmp_path: Path) -> None:
    key_file = tmp_path / "infrazen.key"
    first, _ = load_or_create_key(key_file)
    await _seed(sqlite_engine, Vault.from_key_file(key_file), n=2)
    stranger = await _seed_foreign(sqlite_engine)
    before = await _tokens(sqlite_engine)

    failed = await asyncio.to_thread(_run, tmp_path, _url(sqlite_engine))
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1
    assert "Traceback" not in failed.stderr
    assert f"Connection(s) {stranger}: no configured key decrypts" in failed.stderr
    assert fingerprint(first) in failed.stderr
    assert str(key_file) in failed.stderr
    assert read_key_file(key_file) == [first]
    assert await _tokens(sqlite_engine) == before


async def _seed_foreign(engine: AsyncEngine) -> int:
    """A connection stored under a key nobody configured (a lost key)."""
    async with session_factory(engine)() as session:
        org = await create_org(session, "Other")
        conn = Connection(org_id=org.id, kind="beget", name="lost",
                          credentials=Vault([Fernet.generate_key()]).encrypt({"k": "v"}))
        session.add(conn)
        await session.commit()
        return conn.id


async def test_prune_drops_only_keys_no_credential_uses(sqlite_engine: AsyncEngine,
                                                        tmp_path: Path) -> None:
    key_file = tmp_path / "infrazen.key"
    first, _ = load_or_create_key(key_file)
    expected = await _seed(sqlite_engine, Vault.from_key_file(key_file))
    url = _url(sqlite_engine)
    assert (await asyncio.to_thread(_run, tmp_path, url)).returncode == 0
    second = read_key_file(key_file)[0]
    # a straggler: stored under the first key after the rotation (a bot that had not reloaded)
    expected |= await _seed_more(sqlite_engine, Vault([first]))
    assert (await asyncio.to_thread(_run, tmp_path, url, "--new-key",
                                    Fernet.generate_key().decode(),
                                    INFRAZEN_TEST_CRASH_AT="after_print")).returncode < 0
    third = read_key_file(key_file)[0]
    assert read_key_file(key_file) == [third, second, first]

    pruned = await asyncio.to_thread(_run, tmp_path, url, "--prune")
    assert pruned.returncode == 0, pruned.stderr
    # `second` encrypts every other credential, `first` the straggler: both still needed
    assert read_key_file(key_file) == [third, second, first]
    assert "nothing removed" in pruned.stdout

    assert (await asyncio.to_thread(_run, tmp_path, url, "--new-key", third)).returncode == 0
    pruned = await asyncio.to_thread(_run, tmp_path, url, "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert f"{fingerprint(second)}, {fingerprint(first)}" in pruned.stdout
    assert read_key_file(key_file) == [third]
    assert key_file.stat().st_mode & 0o777 == 0o600
    await _assert_all_decrypt(sqlite_engine, [third], expected)


async def _seed_more(engine: AsyncEngine, vault: Vault) -> dict[int, dict[str, Any]]:
    async with session_factory(engine)() as session:
        org_id = (await session.execute(select(Connection.org_id))).scalars().first()
        assert org_id is not None
        conn = Connection(org_id=org_id, kind="beget", name="late",
                          credentials=vault.encrypt({"late": True}))
        session.add(conn)
        await session.commit()
        return {conn.id: {"late": True}}


async def test_reencrypt_is_one_transaction(
        session_maker: async_sessionmaker[AsyncSession], engine: AsyncEngine) -> None:
    """On both engines: one credential no key decrypts → none of the others is rewritten."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    expected = await _seed(engine, Vault([old]))
    lost = await _seed_foreign(engine)
    before = await _tokens(engine)
    with pytest.raises(KeyRotationError, match="undecryptable") as refused:
        await reencrypt(session_maker, Vault([new, old]))
    assert str(lost) in str(refused.value)
    assert await _tokens(engine) == before

    async with session_maker() as session:
        await session.execute(delete(Connection).where(Connection.id == lost))
        await session.commit()
    assert await reencrypt(session_maker, Vault([new, old])) == (N, N)
    await _assert_all_decrypt(engine, [new], expected)
    assert await reencrypt(session_maker, Vault([new, old])) == (0, N)


def test_running_vault_follows_the_key_file(tmp_path: Path) -> None:
    """A bot's vault sees a rotation without a restart: at once for a token it cannot read,
    and for new encryptions after its check interval (0 here, 2 s in production)."""
    key_file = tmp_path / "infrazen.key"
    first, _ = load_or_create_key(key_file)
    running = Vault.from_key_file(key_file)
    follows = Vault.from_key_file(key_file, check_every=0)
    new = Fernet.generate_key().decode()
    write_key_file(key_file, [new, first])
    token = Vault([new]).encrypt({"k": "v"})
    assert running.decrypt(token) == {"k": "v"}  # the failure made it look at the file
    assert running.primary == new
    assert Vault([new]).decrypt(follows.encrypt({"x": 1})) == {"x": 1}
    key_file.write_text("garbage\n")  # a bad edit does not take the keys away
    assert Vault([new]).decrypt(follows.encrypt({"x": 2})) == {"x": 2}
    assert follows.keys == (new, first)
    assert running.decrypt(token) == {"k": "v"}
