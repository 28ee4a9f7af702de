"""`infrazen parse`: the JSON shape, no database or bot token needed, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli


@pytest.fixture(autouse=True)
def _no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "BOT_TOKEN", "INFRAZEN_SECRET_KEY", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


def test_prints_the_parsed_question_as_json() -> None:
    result = CliRunner().invoke(cli, ["parse", "топ-5 ресурсов в селектеле за прошлую неделю",
                                      "--today", "2026-11-18"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == {
        "intent": "top", "period": {"start": "2026-11-09", "end": "2026-11-15"},
        "period_source": "text", "filters": {"provider": "selectel"}, "top_n": 5,
        "understood": True, "lang": "ru", "unparsed": [], "reading": None, "heard_period": None,
        "group_by": "resource",
    }


def test_the_chosen_reading_of_an_ambiguous_period_is_printed() -> None:
    result = CliRunner().invoke(cli, ["parse", "расходы в прошлую пятницу",
                                      "--today", "2026-11-18", "--lang", "ru"])
    data = json.loads(result.output)
    assert data["period"] == {"start": "2026-11-13", "end": "2026-11-13"}
    assert data["reading"] == "weekday"


def test_not_understood_has_the_same_shape_with_the_default_period() -> None:
    result = CliRunner().invoke(cli, ["parse", "hello friend", "--today", "2026-11-18",
                                      "--lang", "ru"])
    data = json.loads(result.output)
    assert data["intent"] == "unknown"
    assert data["understood"] is False
    assert data["period"] == {"start": "2026-11-01", "end": "2026-11-18"}
    assert data["period_source"] == "default"
    assert data["lang"] == "ru"
    assert data["unparsed"] == ["hello", "friend"]


def test_vocabulary_file_is_used(tmp_path: Path) -> None:
    path = tmp_path / "vocab.json"
    path.write_text(json.dumps({"projects": ["Маркетинг"]}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["parse", "расходы проекта маркетинга", "--today",
                                      "2026-11-18", "--vocabulary", str(path)])
    assert json.loads(result.output)["filters"] == {"project": "Маркетинг"}


def test_without_today_it_uses_the_current_date() -> None:
    result = CliRunner().invoke(cli, ["parse", "вчера"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["period"]["start"] == data["period"]["end"]


@pytest.mark.parametrize(("args", "message"), [
    (["parse", "x", "--today", "18.11.2026"], "Invalid value for '--today'"),
    (["parse", "x", "--lang", "de"], "Invalid value for '--lang'"),
    (["parse", "x", "--tz", "Nowhere/City"], "Unknown time zone"),
    (["parse", "x", "--vocabulary", "/nonexistent/v.json"], "Cannot read the vocabulary"),
])
def test_bad_options_fail_in_one_clear_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["--lang", "en", *args])
    assert result.exit_code == 2
    assert message in result.output
