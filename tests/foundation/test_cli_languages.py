"""`infrazen --lang ru|en`: every line the operator reads comes in the chosen language,
Russian by default (DEFAULT_LANGUAGE), a command's own --lang winning over the global one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEFAULT_LANGUAGE", raising=False)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'infrazen.db'}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_run_without_a_token_speaks_both_languages_in_one_line(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = {}
    for args in ((), ("--lang", "ru"), ("--lang", "en")):
        result = run(*args, "run")
        assert result.exit_code == 2
        found = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(found) == 1
        assert "BOT_TOKEN" in found[0]
        assert "@BotFather" in found[0]
        lines[args[1] if args else "default"] = found[0]
    assert "не задан" in lines["ru"]
    assert "is not set" in lines["en"]
    assert lines["default"] == lines["ru"]  # Russian first
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    assert "is not set" in run("run").stderr  # DEFAULT_LANGUAGE picks the default


def test_demo_connectors_and_intel_in_russian_and_english(env: Path) -> None:
    ru = run("demo")
    assert ru.exit_code == 0, ru.output
    assert "Демо-организация готова" in ru.output
    assert "Последние 30 дней:" in ru.output
    assert "\u00a0₽" in ru.output
    en = run("--lang", "en", "demo")
    assert en.exit_code == 0, en.output
    assert "Demo organisation ready" in en.output
    assert "Last 30 days: ₽" in en.output
    assert "Демо" not in en.output.split(":")[0]

    assert "[секрет]" in run("connectors").output
    assert "[secret]" in run("--lang", "en", "connectors").output
    assert "[secret]" not in run("--lang", "ru", "connectors").output

    assert "хватит на" in run("--lang", "ru", "runway", "--org", "demo").output
    assert "top up" in run("--lang", "en", "runway", "--org", "demo").output
    # A command's own --lang overrides the global one.
    assert "хватит на" in run("--lang", "en", "runway", "--org", "demo", "--lang", "ru").output


def test_errors_stay_one_line_in_both_languages(env: Path) -> None:
    ru = run("--lang", "ru", "costs", "--org", "demo", "--from", "2025-02-01",
             "--to", "2025-01-01")
    en = run("--lang", "en", "costs", "--org", "demo", "--from", "2025-02-01",
             "--to", "2025-01-01")
    assert (ru.exit_code, en.exit_code) == (2, 2)
    assert ru.stderr.strip() == "Ошибка: дата --to раньше даты --from"
    assert en.stderr.strip() == "Error: --to is before --from"
    missing = run("--lang", "ru", "budgets", "--org", "nope")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("Ошибка: ")
    assert missing.stderr.count("\n") == 1
