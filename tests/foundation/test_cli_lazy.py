"""The lazy `infrazen` group: each command module's `COMMANDS` constant (read without importing
it) names exactly what its `register` adds, and a command imports only its own module."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest

from bot.cli import COMMANDS_PACKAGE, cli, command_index


@pytest.mark.parametrize("module", sorted(command_index()))
def test_commands_constant_matches_what_register_adds(module: str) -> None:
    declared = command_index()[module]
    assert declared is not None, f"{module}: add COMMANDS = (...) naming its commands"
    group = click.Group()
    importlib.import_module(f"{COMMANDS_PACKAGE}.{module}").register(group)
    assert sorted(group.commands) == sorted(declared)


def test_every_command_is_listed_and_resolves() -> None:
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    declared = sorted(n for names_ in command_index().values() for n in names_ or ())
    assert names == declared
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None
        assert command.name == name or name == "import"  # `import` is import-focus's alias


def test_parse_imports_neither_the_database_nor_charts() -> None:
    code = ("import sys\n"
            "from bot.cli import cli\n"
            "cli(['parse', 'сколько потратили в октябре', '--today', '2026-11-15'],"
            " standalone_mode=False)\n"
            "heavy = [m for m in ('sqlalchemy', 'alembic', 'matplotlib', 'fpdf', 'numpy',"
            " 'pyarrow', 'aiogram', 'bot.cli.commands.sync_cmd') if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert '"intent": "spend"' in out
    assert "HEAVY []" in out


def test_script_heads_read_without_alembic_equal_alembics_own() -> None:
    from alembic.script import ScriptDirectory

    from core.db.migrate import alembic_config, script_heads

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert script_heads() == frozenset(heads)
