"""`infrazen rollups check | rebuild`: an operator can prove the rollup is right and mend it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "infrazen.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    return path


def test_check_finds_a_damaged_rollup_and_rebuild_mends_it(db: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    ok = runner.invoke(cli, ["--lang", "en", "rollups", "check"])
    assert ok.exit_code == 0, ok.output
    assert "matches" in ok.output
    with sqlite3.connect(db) as conn:
        org = conn.execute("SELECT slug FROM organizations").fetchone()[0]
        conn.execute("DELETE FROM cost_rollups WHERE id IN "
                     "(SELECT id FROM cost_rollups ORDER BY id LIMIT 3)")
        conn.execute("UPDATE cost_rollups SET billed_cost = billed_cost + 1")
    bad = runner.invoke(cli, ["--lang", "ru", "rollups", "check", "--org", org])
    assert bad.exit_code == 1
    assert "Сводка расходится" in bad.output
    fixed = runner.invoke(cli, ["--lang", "en", "rollups", "rebuild", "--org", org])
    assert fixed.exit_code == 0, fixed.output
    assert "Rollup rebuilt" in fixed.output
    # the demo's months were written by the seed: the rebuild made them current too
    months = int(fixed.output.rsplit("resource months rebuilt: ", 1)[1].split(".")[0])
    assert months > 0
    assert runner.invoke(cli, ["rollups", "check"]).exit_code == 0
    # the service rollup is checked and mended alike
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE cost_service_rollups SET lines = lines + 1 WHERE id = "
                     "(SELECT min(id) FROM cost_service_rollups)")
    assert runner.invoke(cli, ["rollups", "check"]).exit_code == 1
    again = runner.invoke(cli, ["--lang", "ru", "rollups", "rebuild"])
    assert again.exit_code == 0, again.output
    # a rebuild recomputes every slice, so every month again
    assert f"помесячных сводок по ресурсам пересчитано: {months}." in again.output
    assert runner.invoke(cli, ["rollups", "check"]).exit_code == 0
