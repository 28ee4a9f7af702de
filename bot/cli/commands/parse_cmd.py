"""`infrazen parse "TEXT"`: show how the bot reads a question, without a database or a token."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from bot.cli.runtime import echo_json, fail, msg
from core.clock import SystemClock
from core.query import Vocabulary, parse

COMMANDS = ("parse",)  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(parse_command)


def _vocabulary(path: Path | None) -> Vocabulary | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Vocabulary.build(**data)
    except (OSError, ValueError, TypeError) as exc:
        fail(msg("parse.bad_vocabulary", path=path, detail=exc))


def _today(given: datetime | None, tz: str) -> date:
    if given is not None:
        return given.date()
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fail(msg("parse.bad_tz", tz=repr(tz)))
    return SystemClock().now().astimezone(zone).date()


@click.command("parse")
@click.argument("text")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date the question is asked on (default: today in --tz).")
@click.option("--tz", default="Europe/Moscow", show_default=True,
              help="Time zone for the default --today.")
@click.option("--lang", type=click.Choice(["ru", "en"]), default=None,
              help="Reply language (default: detected from the text).")
@click.option("--vocabulary", "vocabulary_path", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="JSON of the organisation's names: connections, services, regions, "
                   "projects, teams, resources, tags.")
def parse_command(text: str, today: datetime | None, tz: str, lang: str | None,
                  vocabulary_path: Path | None) -> None:
    """Print the parsed question as JSON; period end is inclusive."""
    parsed = parse(text, today=_today(today, tz), lang=lang, known=_vocabulary(vocabulary_path))
    echo_json(parsed.to_dict())
