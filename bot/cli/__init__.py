"""`infrazen` command line: every module in `bot/cli/commands/` registers its own commands.

Adding a command = one module with `def register(cli: click.Group) -> None` and a module
constant `COMMANDS = ("name", ...)` naming the top-level commands it registers. The group reads
that constant from the source without importing the module, so `infrazen parse` imports only
the parse module, not SQLAlchemy, matplotlib or pyarrow; a test checks every constant against
what `register` really adds. A module without the constant still works: it is imported when a
name is not found in any index (slower, and the test fails until the constant is added).
"""

from __future__ import annotations

import ast
import gc
import importlib
import re
import sys
from functools import cache
from pathlib import Path

import click

from bot.cli.runtime import configure_logging, msg, set_cli_lang
from renderers.i18n import LANGUAGES

__all__ = ["COMMANDS_PACKAGE", "LazyGroup", "cli", "command_index", "main"]

COMMANDS_PACKAGE = "bot.cli.commands"
_COMMANDS_DIR = Path(__file__).resolve().parent / "commands"
_CONSTANT = re.compile(r"^COMMANDS\s*=\s*(\([^)]*\))", re.MULTILINE)
_START_UP: list[bool] = []  # main() collects no garbage until the command's imports are done


@cache
def command_index() -> dict[str, tuple[str, ...] | None]:
    """Module name -> the command names its `COMMANDS` constant declares (None: no constant).

    Read with a regex and `ast.literal_eval`, never by importing: that is the point."""
    index: dict[str, tuple[str, ...] | None] = {}
    for path in sorted(_COMMANDS_DIR.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        found = _CONSTANT.search(path.read_text(encoding="utf-8"))
        names = ast.literal_eval(found.group(1)) if found else None
        index[path.stem] = tuple(names) if names is not None else None
    return index


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is asked for
    (click's documented lazy-loading pattern, driven by the modules' `COMMANDS` constants)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._loaded: set[str] = set()

    def _load(self, module: str) -> None:
        if module in self._loaded:
            return
        importlib.import_module(f"{COMMANDS_PACKAGE}.{module}").register(self)
        self._loaded.add(module)  # after success: a failed import fails again, not "no such"

    def list_commands(self, ctx: click.Context) -> list[str]:
        names: set[str] = set(self.commands)
        for module, declared in command_index().items():
            if declared is None:
                self._load(module)
            else:
                names.update(declared)
        return sorted(names | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            index = command_index()
            owner = next((m for m, names in index.items() if names and cmd_name in names), None)
            if owner is not None:
                self._load(owner)
            else:  # an undeclared module may own it
                for module, declared in index.items():
                    if declared is None:
                        self._load(module)
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug output (secrets are redacted).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the messages (default: DEFAULT_LANGUAGE, else ru).")
def cli(verbose: bool, lang: str | None) -> None:
    """InfraZen: your cloud cost department in a Telegram chat."""
    set_cli_lang(lang)
    configure_logging(verbose, click.get_current_context().invoked_subcommand)
    _end_start_up()


def _end_start_up() -> None:
    """Collect garbage again, with the start-up heap frozen (`gc.freeze`).

    Importing a command's modules allocates over a hundred thousand objects (`costs`: ~130k)
    and almost no garbage; collections walking them as they grow were about a tenth of a CPU
    second of a command's start. Frozen, later full collections skip them (the bot freezes
    again before its first update). Only main() turns collection off: tests invoking `cli` are
    left alone."""
    if _START_UP:
        _START_UP.clear()
        gc.freeze()
        gc.enable()


def main() -> None:
    gc.disable()  # until the command's modules are imported: see _end_start_up
    _START_UP.append(True)
    try:
        cli(standalone_mode=True)
    except Exception as exc:
        # A SettingsError can only come from core.settings once a command imported it; not
        # importing it here keeps pydantic off the start path of commands that never need it.
        settings = sys.modules.get("core.settings")
        if settings is None or not isinstance(exc, settings.SettingsError):
            raise
        click.echo(msg("common.config_error", detail=exc), err=True)
        sys.exit(2)
