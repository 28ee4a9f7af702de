"""`infrazen migrate` and `infrazen rotate-key`."""

from __future__ import annotations

import contextlib
import os
import sys

import click
from cryptography.fernet import Fernet

from bot.cli.runtime import fail, msg, with_app
from core.app import AppContext
from core.security.vault import fingerprint
from core.services.key_rotation import (
    KeyRotationError,
    Pruned,
    Rotation,
    prune_keys,
    rotate_keys,
)

COMMANDS = ("migrate", "rotate-key")  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(migrate)
    cli.add_command(rotate_key)


@click.command()
def migrate() -> None:
    """Upgrade the database schema to the latest version."""

    async def _go(ctx: AppContext) -> str:
        return ctx.engine.url.render_as_string(hide_password=True)

    url = with_app(_go)
    click.echo(msg("migrate.done", url=url))


class StdoutFailed(Exception):
    """Standard output is closed, full or a broken pipe."""


def _emit(lines: list[str]) -> None:
    """Print and flush now, so a failing stdout is known before the database changes."""
    stream = sys.stdout
    if stream is None:  # fd 1 was closed when Python started; click would print nowhere
        raise StdoutFailed("standard output is closed")
    try:
        for line in lines:
            click.echo(line, file=stream)
        stream.flush()
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError):  # nothing more goes there, even at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        raise StdoutFailed(exc.strerror or str(exc)) from None


def _announce(rotation: Rotation) -> None:
    new = fingerprint(rotation.new_key)
    if rotation.key_file is not None:
        lines = [msg("rotate_key.resuming", fingerprint=new, path=rotation.key_file)
                 if rotation.resumed else
                 msg("rotate_key.saved", fingerprint=new, path=rotation.key_file,
                     old=len(rotation.old_keys))]
    else:
        lines = [msg("rotate_key.env_set"),
                 f"INFRAZEN_SECRET_KEY={rotation.new_key}",
                 f"INFRAZEN_OLD_SECRET_KEYS={','.join(rotation.old_keys)}",
                 msg("rotate_key.env_restart")]
    lines.append(msg("rotate_key.reencrypting", pending=rotation.pending, total=rotation.total))
    _emit(lines)


def _prune_lines(pruned: Pruned) -> list[str]:
    lines = []
    if pruned.key_file is not None:
        lines.append(msg("rotate_key.pruned", count=len(pruned.removed), path=pruned.key_file,
                         fingerprints=", ".join(pruned.removed) or "—", kept=pruned.kept)
                     if pruned.removed else
                     msg("rotate_key.prune_nothing", path=pruned.key_file, kept=pruned.kept))
    if pruned.env_unused:
        lines.append(msg("rotate_key.prune_env", fingerprints=", ".join(pruned.env_unused)))
        lines.append(f"INFRAZEN_OLD_SECRET_KEYS={pruned.env_value}")
    elif pruned.key_file is None:
        lines.append(msg("rotate_key.prune_env_nothing"))
    return lines


HELP = """Re-encrypt every stored credential under a new key, safely.

\b
Key file mode (INFRAZEN_SECRET_KEY unset): infrazen.key beside the database
holds one Fernet key per line, newest (primary) first; every line decrypts.
The new key is written to the file above all old ones (durably) before any
credential is re-encrypted; running bots and workers re-read the file within
seconds. A run without --new-key generates the key, or finishes a rotation
that was interrupted (credentials still under an older key).

\b
Environment mode (INFRAZEN_SECRET_KEY set): bring the key yourself:
  infrazen rotate-key --print-new        # keep the printed key safe
  infrazen rotate-key --new-key KEY
The command prints exactly what to set (INFRAZEN_SECRET_KEY=KEY and the old
key added to INFRAZEN_OLD_SECRET_KEYS) before it changes the database; restart
the bot and worker with those values. No downtime: set them and restart first,
then run --new-key with the key already in INFRAZEN_SECRET_KEY.

\b
Credentials are re-encrypted in one transaction; a crash at any step loses
nothing and a re-run completes. Old keys are kept until --prune, which removes
the keys no stored credential uses (run it after the bots picked up the new
key; a /connect wizard in progress then asks for its secret again).
"""


@click.command("rotate-key", help=HELP)
@click.option("--new-key", envvar="INFRAZEN_NEW_SECRET_KEY", default=None,
              help="The new Fernet key (required when INFRAZEN_SECRET_KEY is set; "
                   "default in key-file mode: generate one).")
@click.option("--print-new", is_flag=True, help="Only print a freshly generated key.")
@click.option("--prune", is_flag=True,
              help="Remove old keys that no stored credential uses (never the primary).")
def rotate_key(new_key: str | None, print_new: bool, prune: bool) -> None:
    if print_new:
        click.echo(Fernet.generate_key().decode())
        return
    try:
        if prune:
            async def _prune(ctx: AppContext) -> Pruned:
                return await prune_keys(ctx)

            _emit(_prune_lines(with_app(_prune)))
            return

        async def _go(ctx: AppContext) -> tuple[Rotation, int]:
            return await rotate_keys(ctx, new_key, _announce)

        rotation, changed = with_app(_go)
    except KeyRotationError as exc:
        fail(msg(f"rotate_key.{exc.reason}", **exc.params))
    except StdoutFailed as exc:
        fail(msg("rotate_key.stdout_failed", error=exc))
    except OSError as exc:
        fail(msg("rotate_key.io_failed", error=exc.strerror or exc,
                 path=exc.filename or "?"))
    try:
        _emit([msg("rotate_key.done", changed=changed, total=rotation.total,
                   skipped=rotation.total - changed, fingerprint=fingerprint(rotation.new_key))])
    except StdoutFailed:
        sys.exit(0)  # done and durable; only the confirmation could not be shown
