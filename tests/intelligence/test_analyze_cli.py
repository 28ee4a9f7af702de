"""`infrazen analyze FILE.csv`: JSON on good input; one clear line naming the row otherwise."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli


def _csv(rows: list[str], header: str = "date,cost") -> str:
    return "\n".join([header, *rows]) + "\n"


def _good(days: int = 90) -> str:
    start = date(2026, 1, 1)
    rows = []
    for i in range(days):
        day = start + timedelta(days=i)
        cost = 12000 if i == 70 else (3000 if day.weekday() < 5 else 2000)
        rows.append(f"{day.isoformat()},{cost}")
    return _csv(rows)


def _run(tmp_path: Path, text: str | bytes, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "series.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--lang", "en", "analyze", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_prints_forecast_and_anomalies_as_json(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, _good(), "--days", "7")
    assert code == 0
    data = json.loads(out)
    assert data["days"] == 90
    assert len(data["forecast"]["next_days"]["points"]) == 7
    month = data["forecast"]["month_end"]
    assert float(month["lower"]) <= float(month["total"]) <= float(month["upper"])
    (spike,) = data["anomalies"]
    assert spike["start"] == "2026-03-12"
    assert spike["kind"] == "spike"
    assert float(spike["delta"]) == pytest.approx(9000, rel=0.01)
    assert data["backtest"]["daily_mape_percent"] < 5


def test_comma_decimals_and_a_bom_are_accepted(tmp_path: Path) -> None:
    text = "\ufeffDate,Cost\n2026-01-01,\"100,50\"\n2026-01-02,101\n"
    code, out, _ = _run(tmp_path, text)
    assert code == 0
    assert json.loads(out)["total"] == "201.50"


@pytest.mark.parametrize(("text", "message"), [
    ("", "No header: the first line must be date,cost"),
    ("day,amount\n2026-01-01,5\n",
     "Columns date and cost are required; the file has: day, amount"),
    ("date,cost\n", "The file has no data rows"),
    ("date,cost\n2026-01-01,5\n", "Only one day of data: a forecast needs at least two"),
    ("date,cost\n2026-01-01,5\n2026-01-02,\n", "Row 3: the cost column is empty"),
    ("date,cost\n2026-01-01,5\n,7\n", "Row 3: the date column is empty"),
    ("date,cost\n2026-01-01,5\n2026-01-02,abc\n", "Row 3: 'abc' is not a number"),
    ("date,cost\n2026-01-01,5\n2026-01-02,NaN\n", "Row 3: 'NaN' is not a number"),
    ("date,cost\n2026-01-01,5\n02.01.2026,7\n",
     "Row 3: '02.01.2026' is not a date (expected YYYY-MM-DD)"),
    ("date,cost\n2026-01-01,5\n2026-01-04,7\n",
     "Row 3: days are missing before 2026-01-04 — every day is needed"),
    ("date,cost\n2026-01-02,5\n2026-01-02,7\n", "Row 3: date 2026-01-02 appears twice"),
    ("date,cost\n2026-01-02,5\n2026-01-01,7\n",
     "Row 3: date 2026-01-01 comes before the previous one — sort by date"),
])
def test_bad_input_gives_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    code, out, err = _run(tmp_path, text)
    assert code == 2
    assert out == ""
    assert err.strip() == message
    assert "Traceback" not in err


def test_russian_messages_and_unreadable_files(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "date,cost\n2026-01-01,5\n2026-01-02,abc\n", "--lang", "ru")
    assert (code, err.strip()) == (2, "Строка 3: «abc» — не число")
    code, _, err = _run(tmp_path, b"date,cost\n2026-01-01,\xff\xfe\n")
    assert code == 2
    assert "is not UTF-8 text" in err
    result = CliRunner().invoke(cli, ["--lang", "en", "analyze", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"File {tmp_path / 'nope.csv'} not found"
