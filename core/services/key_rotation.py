"""Key rotation that a crash at any step cannot turn into lost credentials.

The order is what makes it safe:

1. plan: every stored credential must decrypt with a known key (else stop, naming them);
2. keep the new key durably *before* anything is encrypted with it: in key-file mode the new
   key goes on the first line above all the old ones (temp file, fsync, atomic rename, fsync
   of the directory); in environment mode the operator brought the key (`--new-key`);
3. tell the operator (the CLI prints; a failing stdout stops here, before the database);
4. re-encrypt, in ONE transaction, every credential that is not under the new key yet;
5. old keys stay until `prune_keys`, which drops only keys that no stored credential uses.

Re-running after a crash completes the job: credentials already under the new key are
skipped, a key already first in the file is not added again, and in key-file mode a run
without `--new-key` finishes an interrupted rotation instead of starting another.
`crash_point` is a fault-injection seam for the tests (INFRAZEN_TEST_CRASH_AT=step).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.app import AppContext
from core.db.models import Connection
from core.security.vault import Vault, fingerprint, read_key_file, valid_key, write_key_file
from core.settings import Settings

__all__ = ["CRASH_ENV", "KeyRotationError", "Pruned", "Rotation", "crash_point", "plan_rotation",
           "prune_keys", "reencrypt", "rotate_keys"]

CRASH_ENV = "INFRAZEN_TEST_CRASH_AT"


def crash_point(step: str) -> None:
    """SIGKILL this process at `step` when INFRAZEN_TEST_CRASH_AT names it (tests only): a real
    kill, so nothing is flushed, rolled back or committed on the way out."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


class KeyRotationError(Exception):
    """A refusal with a reason (a catalogue key `cli.rotate_key.<reason>`) and its details."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(f"{reason}: {params}")
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Rotation:
    """What a rotation will do; `keys` is the list to keep configured afterwards (new first)."""

    new_key: str
    keys: tuple[str, ...]
    key_file: Path | None  # None: the keys live in INFRAZEN_SECRET_KEY / _OLD_SECRET_KEYS
    generated: bool
    resumed: bool
    pending: int
    total: int

    @property
    def old_keys(self) -> tuple[str, ...]:
        return self.keys[1:]


@dataclass(frozen=True)
class Pruned:
    """Keys dropped from the key file, and INFRAZEN_OLD_SECRET_KEYS entries no longer needed."""

    key_file: Path | None
    removed: tuple[str, ...]  # fingerprints
    kept: int
    env_unused: tuple[str, ...]  # fingerprints
    env_value: str  # what INFRAZEN_OLD_SECRET_KEYS should be (comma-separated keys still used)


def _unique(keys: Sequence[str]) -> list[str]:
    out: list[str] = []
    for key in keys:
        if key not in out:
            out.append(key)
    return out


def _env_old(settings: Settings) -> list[str]:
    return [k.get_secret_value().strip() for k in settings.infrazen_old_secret_keys]


async def _tokens(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, bytes]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Connection.id, Connection.credentials).order_by(Connection.id))
        return [(cid, bytes(token)) for cid, token in rows]


def _undecryptable(ids: Sequence[int], keys: Sequence[str], key_file: Path | None) -> None:
    if ids:
        raise KeyRotationError("undecryptable" if key_file else "undecryptable_env",
                               ids=", ".join(str(i) for i in ids),
                               fingerprints=", ".join(fingerprint(k) for k in keys),
                               where=str(key_file))


async def plan_rotation(ctx: AppContext, new_key: str | None) -> Rotation:
    """Check every credential decrypts and choose the new key; changes nothing."""
    settings = ctx.settings
    env_old = _env_old(settings)
    if new_key is not None:
        new_key = new_key.strip()
        if not valid_key(new_key):
            raise KeyRotationError("bad_new_key")
    key_file: Path | None
    if settings.infrazen_secret_key is not None:
        if new_key is None:
            raise KeyRotationError("env_needs_new_key")
        key_file = None
        configured = _unique([settings.infrazen_secret_key.get_secret_value().strip(), *env_old])
    else:
        key_file = settings.key_file
        configured = read_key_file(key_file)
    known = _unique([*([new_key] if new_key else []), *configured, *env_old])
    probe = Vault(known)
    tokens = await _tokens(ctx.sessions)
    where = [probe.key_index(token) for _, token in tokens]
    _undecryptable([cid for (cid, _), i in zip(tokens, where, strict=True) if i is None],
                   known, key_file)
    generated = resumed = False
    if new_key is None:  # key-file mode: finish an interrupted rotation, else start one
        new_key = configured[0]
        resumed = any(i != 0 for i in where)
        if not resumed:
            new_key, generated = Fernet.generate_key().decode(), True
    newest = Fernet(new_key)
    pending = sum(1 for _, token in tokens if not _decrypts(newest, token))
    return Rotation(new_key=new_key, keys=tuple(_unique([new_key, *configured])),
                    key_file=key_file, generated=generated, resumed=resumed, pending=pending,
                    total=len(tokens))


def _decrypts(fernet: Fernet, token: bytes) -> bool:
    try:
        fernet.decrypt(token)
    except Exception:  # InvalidToken, or a malformed token
        return False
    return True


def save_keys(rotation: Rotation) -> bool:
    """Key-file mode: put the new key first above every old key, durably; False when the file
    already says exactly that (a re-run)."""
    if rotation.key_file is None:
        return False
    if read_key_file(rotation.key_file) == list(rotation.keys):
        return False
    write_key_file(rotation.key_file, rotation.keys,
                   before_replace=lambda: crash_point("before_keyfile_replace"))
    return True


async def reencrypt(sessions: async_sessionmaker[AsyncSession], vault: Vault) -> tuple[int, int]:
    """Re-encrypt under `vault`'s primary every credential not already under it, in one
    transaction (rows locked on PostgreSQL); returns (re-encrypted, total)."""
    async with sessions() as session, session.begin():
        rows = (await session.execute(
            select(Connection.id, Connection.credentials).order_by(Connection.id)
            .with_for_update())).all()
        changed = 0
        lost: list[int] = []
        for cid, token in rows:
            index = vault.key_index(bytes(token))
            if index == 0:
                continue
            if index is None:
                lost.append(cid)
                continue
            await session.execute(update(Connection).where(Connection.id == cid)
                                  .values(credentials=vault.rotate(bytes(token))))
            changed += 1
        _undecryptable(lost, vault.keys, vault.key_file)
        await session.flush()
        crash_point("before_commit")
    return changed, len(rows)


async def rotate_keys(ctx: AppContext, new_key: str | None,
                      announce: Callable[[Rotation], None]) -> tuple[Rotation, int]:
    """Plan, keep the key, announce, re-encrypt (see the module docstring for why this order).

    `announce` runs after the key is kept and before the database changes; if it raises (say,
    stdout is a broken pipe) the database is untouched. Returns (plan, re-encrypted count)."""
    rotation = await plan_rotation(ctx, new_key)
    save_keys(rotation)
    crash_point("after_keyfile")
    announce(rotation)
    crash_point("after_print")
    vault = Vault(_unique([*rotation.keys, *_env_old(ctx.settings)]), key_file=rotation.key_file)
    changed, _ = await reencrypt(ctx.sessions, vault)
    crash_point("after_commit")
    ctx.vault.reload_if_changed(force=True)
    return rotation, changed


async def prune_keys(ctx: AppContext) -> Pruned:
    """Drop the key-file keys (never the primary) that no stored credential uses; say which
    INFRAZEN_OLD_SECRET_KEYS entries are unused (the environment is the operator's to edit)."""
    settings = ctx.settings
    env_old = _env_old(settings)
    key_file = None if settings.infrazen_secret_key is not None else settings.key_file
    if key_file is None:
        assert settings.infrazen_secret_key is not None
        own = [settings.infrazen_secret_key.get_secret_value().strip()]
    else:
        own = read_key_file(key_file)
    known = _unique([*own, *env_old])
    probe = Vault(known)
    tokens = await _tokens(ctx.sessions)
    used = {probe.key_index(token) for _, token in tokens}
    _undecryptable([cid for cid, token in tokens if probe.key_index(token) is None], known,
                   key_file)
    in_use = {known[i] for i in used if i is not None}
    keep = [k for n, k in enumerate(own) if n == 0 or k in in_use]
    removed = tuple(fingerprint(k) for k in own if k not in keep)
    if key_file is not None and removed:
        write_key_file(key_file, keep)
        ctx.vault.reload_if_changed(force=True)
    env_keep = [k for k in env_old if k in in_use and k not in keep]
    env_unused = tuple(fingerprint(k) for k in env_old if k not in env_keep and k not in keep)
    return Pruned(key_file=key_file, removed=removed, kept=len(keep), env_unused=env_unused,
                  env_value=",".join(env_keep))
