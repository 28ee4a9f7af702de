"""`infrazen parse` and `infrazen costs` start in under a second because each imports only what
it uses: run as a user runs them (a fresh process through `main()`), neither loads the bot
framework, charts, PDFs, the columnar reader, the HTTP client or the billing-file readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

KEY = "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="
# what neither command needs; each is tenths of a second of start-up (aiogram: seconds)
HEAVY = ("aiogram", "matplotlib", "fpdf", "numpy", "pyarrow", "httpx", "anyio", "alembic",
         "tenacity", "connectors.files", "connectors.registry", "connectors.cbr")
# the child runs the console script's entry point and reports what it loaded as it exits
CHILD = """import json, sys
from bot.cli import main
sys.argv = ["infrazen", *json.loads(sys.argv[1])]
try:
    main()
finally:
    print("LOADED " + json.dumps([m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)
"""


def _run(args: list[str], db: Path, cwd: Path) -> tuple[str, list[str]]:
    """(stdout, the HEAVY modules the command's process loaded)."""
    code = CHILD.format(heavy=list(HEAVY))
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
           "INFRAZEN_SECRET_KEY": KEY}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(args)], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    loaded = next(line for line in done.stderr.splitlines() if line.startswith("LOADED "))
    return done.stdout, json.loads(loaded.removeprefix("LOADED "))


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "infrazen.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", KEY)
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    return db


def test_costs_answers_the_demo_without_loading_what_it_does_not_use(
        demo_db: Path, tmp_path: Path) -> None:
    # the whole demo history, whatever day it is today
    out, loaded = _run(["--lang", "en", "costs", "--org", "demo", "--from", "2000-01-01",
                        "--to", "2100-12-31", "--by", "service"], demo_db, tmp_path)
    assert "No costs in this period" not in out
    rows = [line for line in out.splitlines() if line.strip()]
    assert len(rows) >= 3  # one line per service, each with an amount
    assert all(any(ch.isdigit() for ch in row) for row in rows)
    assert loaded == []


def test_parse_loads_neither_the_network_nor_the_database(tmp_path: Path) -> None:
    out, loaded = _run(["parse", "сколько потратили в октябре",
                        "--today", "2026-12-07"], tmp_path / "unused.db", tmp_path)
    assert '"intent": "spend"' in out
    assert loaded == []
    assert not (tmp_path / "unused.db").exists()
