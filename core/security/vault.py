"""Credential vault: Fernet with key rotation (MultiFernet: the newest key encrypts, all decrypt).

Where the keys come from:

* INFRAZEN_SECRET_KEY set: that key encrypts; INFRAZEN_OLD_SECRET_KEYS (comma-separated)
  keep decrypting. A running process sees new values only after a restart.
* otherwise the key file beside the database (`infrazen.key`, mode 0600): one Fernet key per
  line, newest (primary) first, every line still decrypting; blank lines and `#` comments are
  ignored. It is generated on first run. INFRAZEN_OLD_SECRET_KEYS are added for decryption.
  A running bot or worker re-reads the file when it changes (checked every few seconds and
  at once when a token does not decrypt), so `infrazen rotate-key` needs no restart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.security.files import create_exclusive, durable_replace, tighten
from core.services.errors import ServiceError
from core.settings import Settings

__all__ = ["KEY_FILE_CHECK_SECONDS", "Vault", "VaultError", "fingerprint", "load_or_create_key",
           "read_key_file", "valid_key", "vault_from_settings", "write_key_file"]

log = logging.getLogger(__name__)

KEY_FILE_CHECK_SECONDS = 2.0  # a stat() this often is free; a rotation is seen within it


class VaultError(ServiceError):
    """Credentials cannot be decrypted with any configured key, or a key is unusable.

    A ServiceError, so the CLI prints one line and the bot answers politely (`vault`)."""

    code = "vault"


def fingerprint(key: str | bytes) -> str:
    """A short, non-secret name for a key (first 8 hex digits of its SHA-256)."""
    raw = key.encode() if isinstance(key, str) else key
    return hashlib.sha256(raw.strip()).hexdigest()[:8]


def valid_key(key: str | bytes) -> bool:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return False
    return True


def _as_bytes(key: str | bytes) -> bytes:
    return (key.encode() if isinstance(key, str) else key).strip()


def read_key_file(path: Path) -> list[str]:
    """The keys in `path`, primary first, duplicates dropped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VaultError(f"cannot read the key file {path}: {exc.strerror or exc}") from None
    keys: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        key = line.strip()
        if not key or key.startswith("#"):
            continue
        if not valid_key(key):
            raise VaultError(f"{path} line {number}: not a valid Fernet key "
                             "(32 url-safe base64 bytes)")
        if key not in keys:
            keys.append(key)
    if not keys:
        raise VaultError(f"{path} holds no key")
    return keys


def write_key_file(path: Path, keys: Sequence[str], *,
                   before_replace: Callable[[], None] | None = None) -> None:
    """Durably replace the key file (0600): the old or the new list survives any crash."""
    durable_replace(path, "".join(f"{k}\n" for k in keys).encode(),
                    before_replace=before_replace)


def load_or_create_key(path: Path) -> tuple[str, bool]:
    """The primary key of the key file, creating the file (0600) on first run.

    Returns (key, created). Two processes starting at once agree on one key."""
    if not path.exists():
        key = Fernet.generate_key().decode()
        if create_exclusive(path, f"{key}\n".encode()):
            return key, True
    tighten(path)
    return read_key_file(path)[0], False


@dataclass(frozen=True)
class _KeySet:
    keys: tuple[bytes, ...]
    fernets: tuple[Fernet, ...]
    multi: MultiFernet


def _key_set(keys: Sequence[str | bytes]) -> _KeySet:
    unique: list[bytes] = []
    for key in keys:
        raw = _as_bytes(key)
        if raw not in unique:
            unique.append(raw)
    if not unique:
        raise VaultError("no encryption key configured")
    try:
        fernets = tuple(Fernet(k) for k in unique)
    except (ValueError, TypeError):
        raise VaultError("INFRAZEN_SECRET_KEY: not a valid Fernet key "
                         "(32 url-safe base64 bytes; generate one with "
                         "`infrazen rotate-key --print-new`)") from None
    return _KeySet(tuple(unique), fernets, MultiFernet(list(fernets)))


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


class Vault:
    """Encrypts credential dicts to bytes and back; never logs what it holds.

    Built from a key file, it follows the file: a changed file (another inode after the
    atomic rename, or another mtime/size) is re-read before the next use."""

    def __init__(self, keys: Sequence[str | bytes], *, key_file: Path | None = None,
                 extra_keys: Sequence[str | bytes] = (),
                 check_every: float = KEY_FILE_CHECK_SECONDS) -> None:
        self._extra = [_as_bytes(k) for k in extra_keys]
        self._key_file = key_file
        self._check_every = check_every
        self._checked = time.monotonic()
        self._stamp = _stamp(key_file) if key_file is not None else None
        self._state = _key_set([*keys, *self._extra])

    @classmethod
    def from_key_file(cls, path: Path, *, extra_keys: Sequence[str | bytes] = (),
                      check_every: float = KEY_FILE_CHECK_SECONDS) -> Vault:
        """A vault that follows `path` (stat before read: a change in between is seen later)."""
        stamp = _stamp(path)
        vault = cls(read_key_file(path), key_file=path, extra_keys=extra_keys,
                    check_every=check_every)
        vault._stamp = stamp
        return vault

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key that decrypts, primary first (as last loaded)."""
        return tuple(k.decode() for k in self._state.keys)

    @property
    def primary(self) -> str:
        return self._state.keys[0].decode()

    @property
    def key_file(self) -> Path | None:
        return self._key_file

    def reload_if_changed(self, *, force: bool = False) -> bool:
        """Re-read the key file if it changed; True when the keys were replaced.

        Without `force` the file is looked at once per `check_every` seconds. A file that
        cannot be read keeps the current keys (and is retried): a running bot must not lose
        the keys it has because an operator is editing the file."""
        if self._key_file is None:
            return False
        now = time.monotonic()
        if not force and now - self._checked < self._check_every:
            return False
        self._checked = now
        stamp = _stamp(self._key_file)
        if stamp is None or stamp == self._stamp:
            return False
        try:
            keys = read_key_file(self._key_file)
            state = _key_set([*keys, *self._extra])
        except VaultError as exc:
            log.warning("key file changed but cannot be used, keeping the loaded keys: %s", exc)
            return False
        self._stamp = stamp
        self._state = state
        log.info("key file %s re-read: %d key(s), primary %s", self._key_file, len(keys),
                 fingerprint(keys[0]))
        return True

    def encrypt(self, data: Mapping[str, Any]) -> bytes:
        self.reload_if_changed()
        return self._state.multi.encrypt(json.dumps(dict(data), sort_keys=True).encode())

    def decrypt(self, token: bytes) -> dict[str, Any]:
        self.reload_if_changed()
        try:
            plain = self._state.multi.decrypt(token)
        except InvalidToken:
            if not self.reload_if_changed(force=True):
                raise VaultError("credentials cannot be decrypted with the configured keys; "
                                 "was the key changed without `infrazen rotate-key`?") from None
            return self.decrypt(token)
        result: dict[str, Any] = json.loads(plain)
        return result

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the primary (first) key (no reload: the caller chose the keys)."""
        try:
            return self._state.multi.rotate(token)
        except InvalidToken:
            raise VaultError("credentials cannot be decrypted for rotation") from None

    def key_index(self, token: bytes) -> int | None:
        """Which key (0 = primary) decrypts `token`, or None."""
        for index, fernet in enumerate(self._state.fernets):
            try:
                fernet.decrypt(token)
            except InvalidToken:
                continue
            return index
        return None

    def is_primary(self, token: bytes) -> bool:
        return self.key_index(token) == 0


def vault_from_settings(settings: Settings) -> Vault:
    """The vault for this deployment; generates the key file on first run and says so once."""
    old = [k.get_secret_value() for k in settings.infrazen_old_secret_keys]
    if settings.infrazen_secret_key is not None:
        return Vault([settings.infrazen_secret_key.get_secret_value(), *old])
    _, created = load_or_create_key(settings.key_file)
    if created:
        log.warning("INFRAZEN_SECRET_KEY is not set: generated a new key in %s (mode 0600). "
                    "Back it up: without it stored credentials cannot be read.",
                    settings.key_file)
    return Vault.from_key_file(settings.key_file, extra_keys=old)

