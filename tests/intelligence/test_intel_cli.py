"""The intel commands end to end on a fresh demo database: wiring, JSON shape, text output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'infrazen.db'}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    return tmp_path


def _json(*args: str) -> object:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_intel_commands_on_the_demo(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    view = _json("runway", "--org", "demo", "--json")
    assert isinstance(view, dict)
    assert len(view["rows"]) == 4
    recs = _json("recs", "--org", "demo", "--evaluate", "--json")
    assert isinstance(recs, dict)
    assert recs["summary"]["open_count"] == len(recs["recommendations"]) > 20
    assert all("{" not in r["title"] for r in recs["recommendations"])
    budgets = _json("budgets", "--org", "demo", "--json")
    assert isinstance(budgets, list)
    assert {b["name"] for b in budgets} == {"Облако — всего", "Beget Dev"}
    alloc = _json("allocation", "--org", "demo", "--suggest", "--json")
    assert isinstance(alloc, dict)
    assert 85 < float(alloc["coverage"]["share"]) < 100
    assert alloc["suggested_rules"]
    anomalies = _json("anomalies", "--org", "demo", "--json")
    assert isinstance(anomalies, list)
    assert {a["resources"][0]["key"] for a in anomalies} >= {"k8s-worker-02"}
    forecast = _json("forecast", "--org", "demo", "--days", "5")
    assert isinstance(forecast, dict)
    assert forecast["month_end"]["lower"] <= forecast["month_end"]["upper"]
    text = runner.invoke(cli, ["runway", "--org", "demo", "--lang", "en"])
    assert "top up" in text.output
    missing = runner.invoke(cli, ["budgets", "--org", "nope"])
    assert missing.exit_code == 2
    assert "not found" in missing.stderr
