"""Credential vault: Fernet with key rotation (MultiFernet: newest key encrypts, all decrypt).

The key comes from INFRAZEN_SECRET_KEY; when absent, one is generated on first run into a
0600 key file beside the database, and the operator is told once. Old keys listed in
INFRAZEN_OLD_SECRET_KEYS keep decrypting until `infrazen rotate-key` re-encrypts everything.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.settings import Settings

__all__ = ["Vault", "VaultError", "load_or_create_key", "vault_from_settings"]

log = logging.getLogger(__name__)


class VaultError(Exception):
    """Credentials cannot be decrypted with any configured key."""


class Vault:
    """Encrypts credential dicts to bytes and back; never logs what it holds."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise VaultError("no encryption key configured")
        try:
            self._fernets = [Fernet(k) for k in keys]
        except (ValueError, TypeError) as exc:
            raise VaultError("INFRAZEN_SECRET_KEY: not a valid Fernet key "
                             "(32 url-safe base64 bytes; generate one with "
                             "`infrazen rotate-key --print-new`)") from exc
        self._multi = MultiFernet(self._fernets)
        self._keys = [k if isinstance(k, bytes) else k.encode() for k in keys]

    def with_primary(self, key: str | bytes) -> Vault:
        """A vault that encrypts under `key` and still decrypts with every current key."""
        return Vault([key, *self._keys])

    def encrypt(self, data: Mapping[str, Any]) -> bytes:
        return self._multi.encrypt(json.dumps(dict(data), sort_keys=True).encode())

    def decrypt(self, token: bytes) -> dict[str, Any]:
        try:
            result: dict[str, Any] = json.loads(self._multi.decrypt(token))
        except InvalidToken:
            raise VaultError("credentials cannot be decrypted with the configured keys; "
                             "was INFRAZEN_SECRET_KEY changed without rotate-key?") from None
        return result

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the primary (first) key."""
        try:
            return self._multi.rotate(token)
        except InvalidToken:
            raise VaultError("credentials cannot be decrypted for rotation") from None

    def is_primary(self, token: bytes) -> bool:
        try:
            self._fernets[0].decrypt(token)
        except InvalidToken:
            return False
        return True


def load_or_create_key(path: Path) -> tuple[str, bool]:
    """Read the key file, or create it (0600). Returns (key, created)."""
    if path.exists():
        return path.read_text().strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key, True


def vault_from_settings(settings: Settings) -> Vault:
    """The vault for this deployment; generates the key file on first run and says so once."""
    if settings.infrazen_secret_key is not None:
        primary = settings.infrazen_secret_key.get_secret_value()
    else:
        primary, created = load_or_create_key(settings.key_file)
        if created:
            log.warning("INFRAZEN_SECRET_KEY is not set: generated a new key in %s (mode 0600). "
                        "Back it up: without it stored credentials cannot be read.",
                        settings.key_file)
    old = [k.get_secret_value() for k in settings.infrazen_old_secret_keys]
    return Vault([primary, *old])
