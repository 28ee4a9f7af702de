"""The webhook's shared secret: WEBHOOK_SECRET, else one generated once and kept in a file.

Without a secret anyone who can reach the webhook port could post updates as any user
(a superadmin's `/admin`, a broadcast). Webhook mode therefore never runs without one: when
WEBHOOK_SECRET is unset a random one is written beside the database (mode 0600, like the
encryption key) and reused on every start, so replicas sharing that volume agree on it.
The file is written to a temporary name and linked into place, so two replicas starting at
once end up with one secret and nobody reads a half-written file. Its value is never logged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
from pathlib import Path

from core.settings import Settings

__all__ = ["WebhookSecretError", "load_or_create_secret", "webhook_secret"]

log = logging.getLogger(__name__)

_VALID = re.compile(r"[A-Za-z0-9_-]{1,256}")  # Telegram's rule for setWebhook secret_token


class WebhookSecretError(Exception):
    """The secret file exists but does not hold a usable secret."""


def _read(path: Path) -> str:
    value = path.read_text().strip()
    if not _VALID.fullmatch(value):
        raise WebhookSecretError(
            f"{path} does not hold a webhook secret (1-256 characters of A-Z a-z 0-9 _ -); "
            "delete it to generate a new one or set WEBHOOK_SECRET")
    return value


def load_or_create_secret(path: Path) -> tuple[str, bool]:
    """Read the secret file, or create it with mode 0600. Returns (secret, created)."""
    if path.exists():
        return _read(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)  # 64 characters of A-Z a-z 0-9 _ -
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # atomic and refuses to replace: the first replica wins
        except FileExistsError:
            return _read(path), False
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return value, True


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or the generated one (created on first use; says where, not what)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    path = settings.webhook_secret_file
    value, created = load_or_create_secret(path)
    if created:
        log.warning("WEBHOOK_SECRET is not set: generated a webhook secret in %s (mode 0600). "
                    "Replicas behind the same webhook must share this file or set "
                    "WEBHOOK_SECRET.", path)
    else:
        log.info("WEBHOOK_SECRET is not set: using the webhook secret in %s", path)
    return value
