"""Helpers every command uses: run a coroutine with an AppContext, print JSON, fail cleanly."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import click

from core.app import AppContext, open_app
from core.services.errors import ServiceError
from core.settings import load_settings

__all__ = ["echo_json", "fail", "with_app"]

T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit, never a traceback."""
    click.echo(message, err=True)
    sys.exit(code)


def with_app(fn: Callable[[AppContext], Awaitable[T]], *, migrate: bool = True) -> T:
    """Open the app (migrating the database), run `fn`, close everything."""
    settings = load_settings()

    async def _go() -> T:
        async with open_app(settings, migrate=migrate) as ctx:
            return await fn(ctx)

    try:
        return asyncio.run(_go())
    except ServiceError as exc:
        fail(f"Error: {exc.detail or exc.code}")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
