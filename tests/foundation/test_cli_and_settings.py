"""What an operator sees first: help, org creation, one-line configuration errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from core.settings import SettingsError, load_settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'infrazen.db'}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    return tmp_path


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("migrate", "demo", "org", "rotate-key"):
        assert command in result.output


def test_org_create_prints_the_id_and_slugs_are_unique(env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["org", "create", "--name", "ООО Ромашка"])
    second = runner.invoke(cli, ["org", "create", "--name", "ООО Ромашка", "--currency", "USD"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert first.output.strip().splitlines()[-1] == "1"
    assert second.output.strip().splitlines()[-1] == "2"


def test_org_create_rejects_a_bad_time_zone_in_one_line(env: Path) -> None:
    result = CliRunner().invoke(cli, ["org", "create", "--name", "X",
                                      "--timezone", "Nowhere/City"])
    assert result.exit_code == 2
    assert "unknown time zone" in result.output


def test_migrate_on_an_empty_file(env: Path) -> None:
    result = CliRunner().invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output
    assert (env / "infrazen.db").exists()


@pytest.mark.parametrize(("name", "value", "needle"), [
    ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
    ("DEFAULT_TIMEZONE", "Mars/Base", "DEFAULT_TIMEZONE"),
    ("SUPERADMIN_IDS", "12,abc", "SUPERADMIN_IDS"),
    ("DEFAULT_LANGUAGE", "de", "DEFAULT_LANGUAGE"),
    ("TELEGRAM_API_SERVER", "localhost:8081", "TELEGRAM_API_SERVER"),
])
def test_bad_settings_fail_with_one_line_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, name: str, value: str, needle: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value).startswith(needle)
    assert "\n" not in str(info.value)


def test_bad_setting_from_the_real_command_is_one_line(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "infrazen"
    result = subprocess.run([str(exe), "--lang", "en", "migrate"], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "DEFAULT_TIMEZONE": "Mars/Base",
                                 "HOME": str(tmp_path)}, cwd=tmp_path, check=False)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Configuration error: DEFAULT_TIMEZONE: unknown time zone 'Mars/Base', "
                     "e.g. Europe/Moscow"]


@pytest.mark.parametrize("token", ["abc", "123456", "12 34:abc", ":abc"])
def test_a_malformed_bot_token_is_one_line_not_a_traceback(token: str) -> None:
    with pytest.raises(SettingsError, match="^BOT_TOKEN: does not look like a token"):
        load_settings(BOT_TOKEN=token)


def test_an_empty_bot_token_means_unset() -> None:
    assert load_settings(BOT_TOKEN="  ").bot_token is None
