"""Re-encrypt every connection's credentials under a new primary key, in one transaction."""

from __future__ import annotations

import os

from sqlalchemy import select

from core.app import AppContext
from core.db.models import Connection
from core.security.vault import Vault

__all__ = ["rotate_all"]


async def rotate_all(ctx: AppContext, new_key: str) -> int:
    """Decrypt with the current keys, encrypt with `new_key`; store the key where it came from.

    When the deployment uses the generated key file, the file is replaced (old key kept as
    a second line until the next rotation) so the next start reads the new key. When the key
    comes from INFRAZEN_SECRET_KEY, the operator must update the variable (the CLI says so).
    """
    current = ctx.vault
    rotated = current.with_primary(new_key)
    new_only = Vault([new_key.encode()])
    count = 0
    async with ctx.session() as session:
        for conn in (await session.execute(select(Connection))).scalars():
            conn.credentials = new_only.encrypt(current.decrypt(conn.credentials))
            count += 1
    if ctx.settings.infrazen_secret_key is None:
        path = ctx.settings.key_file
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key + "\n")
        tmp.replace(path)
    ctx.vault = rotated
    return count
