"""`infrazen` command line: every module in `bot/cli/commands/` registers its own commands.

Adding a command = one module with `def register(cli: click.Group) -> None`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from bot.cli import commands as _commands
from bot.cli.runtime import configure_logging, msg, set_cli_lang
from core.settings import SettingsError
from renderers.i18n import LANGUAGES

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug output (secrets are redacted).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the messages (default: DEFAULT_LANGUAGE, else ru).")
def cli(verbose: bool, lang: str | None) -> None:
    """InfraZen: your cloud cost department in a Telegram chat."""
    set_cli_lang(lang)
    configure_logging(verbose, click.get_current_context().invoked_subcommand)


for _info in sorted(pkgutil.iter_modules(_commands.__path__), key=lambda m: m.name):
    importlib.import_module(f"{_commands.__name__}.{_info.name}").register(cli)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except SettingsError as exc:
        click.echo(msg("common.config_error", detail=exc), err=True)
        sys.exit(2)
