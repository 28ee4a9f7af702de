"""Helpers every command uses: the CLI language, run a coroutine with an AppContext, print JSON,
fail cleanly."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from core.services.errors import Conflict, ServiceError
from renderers.i18n import normalise_language, t

if TYPE_CHECKING:  # core.app pulls SQLAlchemy and Alembic: imported by with_app when it runs
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.app import AppContext

__all__ = ["SERVICES", "cli_lang", "configure_logging", "default_language", "echo_json", "fail",
           "msg", "set_cli_lang", "with_app"]

T = TypeVar("T")
_LANG_KEY = "infrazen.lang"
_chosen: list[str] = []  # the global --lang of this process, for messages outside a context


SERVICES = frozenset({"run", "worker"})  # long-running: their logs are the operator's record
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_NOISY = ("httpx", "httpcore", "aiosqlite", "asyncio", "matplotlib", "PIL", "alembic",
          "fontTools")  # httpx logs URLs unredacted at INFO: never above WARNING


def configure_logging(verbose: bool, command: str | None) -> int:
    """The terminal shows what a command prints, not library or internal INFO lines.

    One-shot commands log WARNING and above; `-v` shows DEBUG (secrets redacted); `run` and
    `worker` log at LOG_LEVEL (default INFO) since their log is the service's record. A root
    logger that already has handlers (a test harness, an embedding app) is left alone.
    Returns the level chosen.
    """
    if verbose:
        level = logging.DEBUG
    elif command in SERVICES:
        named = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO").strip().upper())
        level = named if isinstance(named, int) else logging.INFO
    else:
        level = logging.WARNING
    for noisy in _NOISY:  # always: their debug output carries URLs and headers (secrets)
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if logging.getLogger().handlers:
        return level  # configured by whoever embeds us (a test harness, an app): theirs wins
    logging.basicConfig(level=level, format=_FORMAT)
    return level


def default_language() -> str:
    """DEFAULT_LANGUAGE straight from the environment: a hint must print even when other
    settings are invalid (no BOT_TOKEN, a bad time zone)."""
    return normalise_language(os.environ.get("DEFAULT_LANGUAGE"), "ru")


def set_cli_lang(lang: str | None) -> str:
    """Record the global `infrazen --lang` (or the default) for every message of this run."""
    chosen = normalise_language(lang, default_language()) if lang else default_language()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[_LANG_KEY] = chosen
    _chosen[:] = [chosen]
    return chosen


def cli_lang(override: str | None = None) -> str:
    """A command's own --lang wins; then the global --lang; then DEFAULT_LANGUAGE."""
    if override:
        return override
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_LANG_KEY):
        return str(ctx.meta[_LANG_KEY])
    return _chosen[0] if _chosen else default_language()


def msg(key: str, lang: str | None = None, /, **params: Any) -> str:
    """Message `cli.<key>` in the CLI language."""
    return t(f"cli.{key}", cli_lang(lang), **params)


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit, never a traceback."""
    click.echo(message, err=True)
    sys.exit(code)


def with_app(fn: Callable[[AppContext], Awaitable[T]], *, migrate: bool = True) -> T:
    """Open the app (migrating the database), run `fn`, close everything."""
    from bot.composition import open_app
    from core.settings import load_settings

    settings = load_settings()

    async def _go() -> T:
        async with open_app(settings, migrate=migrate) as ctx:
            return await fn(ctx)

    try:
        return asyncio.run(_go())
    except ServiceError as exc:
        fail(msg("common.error", detail=exc.detail or exc.code))


async def refuse_if_switching(session: AsyncSession, org_id: int, first: date,
                              last: date) -> None:
    """Refuse a document of [first, last] while a file import is switching its days (SQLite:
    it would be half old, half new): a Conflict that `with_app` prints as one line."""
    from core.services.updating import days_updating

    if found := await days_updating(session, org_id, first, last):
        raise Conflict(msg("common.updating", connection=found[0].connection,
                           first=found[0].first.isoformat(), last=found[0].last.isoformat()))


def jsonable(value: Any) -> Any:
    """Dataclasses, dicts and sequences as plain JSON values; Decimal and dates as strings
    (exact amounts, ISO dates), so `--json` never rounds money through a float."""
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
