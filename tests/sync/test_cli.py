"""The operator commands end to end on a temporary SQLite file (click's CliRunner)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from core.domain.collection import AccountInfo, Collection, CostLine, ResourceKind, ResourceRecord
from tests.sync.fake_connector import FakeConnector
from tests.sync.test_focus_import import OFFICIAL


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'infrazen.db'}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    return tmp_path


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--lang", "en", *args], input=input)
    return result.exit_code, result.output


def test_connectors_lists_kinds_and_marks_secrets() -> None:
    code, out = run("connectors")
    assert code == 0
    assert "focus" in out
    assert "manual_csv" in out
    code, out = run("connectors", "--json")
    described = {d["kind"]: d for d in json.loads(out)}
    assert {f["name"]: f["secret"] for f in described["focus"]["fields"]} == {
        "account_name": False, "default_currency": False}


def test_focus_connection_import_and_costs(env: Path) -> None:
    assert run("org", "create", "--name", "Acme", "--currency", "USD")[0] == 0
    code, out = run("connection", "add", "--org", "acme", "--kind", "focus", "--name", "AWS",
                    "--credentials", "-", input='{"account_name": "payer"}')
    assert code == 0, out
    conn_id = out.strip().splitlines()[-1]
    assert conn_id == "1"
    assert "Nothing is due." in run("sync")[1]  # file-fed connections are never collected
    code, out = run("import-focus", str(OFFICIAL), "--connection", conn_id)
    assert code == 0, out
    assert "Imported 1000 rows" in out
    assert "total USD: $20.52" in out
    code, out = run("costs", "--org", "acme", "--from", "2024-09-01", "--to", "2024-10-31",
                    "--by", "provider", "--json")
    assert code == 0, out
    body = json.loads(out)
    assert (body["currency"], body["left_out"]) == ("USD", [])  # a USD org: all converts
    rows = {r["key"]: Decimal(r["amount"]) for r in body["rows"]}
    assert rows.keys() == {"aws", "azure", "oci"}
    assert Decimal(body["total"]) == sum(rows.values(), Decimal(0))
    assert sum(rows.values(), Decimal(0)).quantize(Decimal("0.01")) == Decimal("20.52")
    assert body["updating"] == []

    # a swap under way (SQLite: a file's days switch a few at a time): named, then gone
    with sqlite3.connect(env / "infrazen.db") as db:
        db.execute("INSERT INTO sync_snapshots (org_id, connection_id, started_at, status, "
                   "trigger, resources_total, created, updated, deleted, unchanged, "
                   "cost_lines, totals, warnings) VALUES (1, 1, '2026-12-07 10:00:00', "
                   "'swapping', 'manual', 0, 0, 0, 0, 0, 0, ?, '[]')", (json.dumps(
                       {"swap": {"scope": [["aws", [None], "2024-09-20", "2024-11-05"]]}}),))
    code, out = run("costs", "--org", "acme", "--from", "2024-09-01", "--to", "2024-10-31",
                    "--json")
    assert json.loads(out)["updating"] == [
        {"connection": "AWS", "first_day": "2024-09-20", "last_day": "2024-10-31"}]
    code, out = run("costs", "--org", "acme", "--from", "2024-09-01", "--to", "2024-10-31")
    assert ("A file is being loaded into «AWS»: days September 20, 2024 to October 31, 2024 "
            "are switching to its lines") in out
    for kind in ("csv", "focus"):  # no half-switched file is written
        code, out = run("export", "--org", "acme", "--format", kind, "--from", "2024-10-01",
                        "--to", "2024-10-31", "--out", str(env / f"october.{kind}.csv"))
        assert code == 2
        assert "a file is being loaded into «AWS» right now: days 2024-10-01 to 2024-10-31" \
            in out
        assert not (env / f"october.{kind}.csv").exists()
    code, out = run("brief", "--org", "acme", "--period", "2024-10", "--out",
                    str(env / "october.pdf"))
    assert code == 2
    assert "being loaded into «AWS»" in out
    assert not (env / "october.pdf").exists()
    with sqlite3.connect(env / "infrazen.db") as db:
        db.execute("UPDATE sync_snapshots SET status = 'success' WHERE status = 'swapping'")
    code, out = run("costs", "--org", "acme", "--from", "2024-09-01", "--to", "2024-10-31")
    assert "being loaded" not in out
    code, out = run("export", "--org", "acme", "--format", "csv", "--from", "2024-10-01",
                    "--to", "2024-10-31", "--out", str(env / "october.csv.csv"))
    assert code == 0, out

    code, out = run("connection", "list", "--org", "acme")
    assert code == 0
    assert "AWS" in out
    code, out = run("sync", "--connection", conn_id)
    assert code == 2
    assert "file import" in out


def test_bad_input_is_one_clear_line(env: Path, tmp_path: Path) -> None:
    run("org", "create", "--name", "Acme")
    code, out = run("connection", "add", "--org", "acme", "--kind", "focus", "--name", "x",
                    "--credentials", "-", input="{not json")
    assert code == 2
    assert "not valid JSON" in out
    code, out = run("connection", "add", "--org", "acme", "--kind", "nope", "--name", "x",
                    "--credentials", "-", input="{}")
    assert code == 2
    assert "unknown kind" in out
    run("connection", "add", "--org", "acme", "--kind", "focus", "--name", "x",
        "--credentials", "-", input="{}")
    bad = tmp_path / "bad.csv"
    bad.write_text("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n"
                   "1,USD,2025-01-01,2025-01-02\n2,USD,yesterday,2025-01-02\n")
    code, out = run("import-focus", str(bad), "--connection", "1")
    assert code == 2
    assert "line 3, column ChargePeriodStart" in out
    assert "Nothing was imported" in out
    code, out = run("costs", "--org", "acme", "--from", "2025-02-01", "--to", "2025-01-01")
    assert code == 2
    assert "before" in out


def test_add_then_sync_through_a_connector(env: Path, fake_kind: type[FakeConnector]) -> None:
    run("org", "create", "--name", "Acme")
    code, out = run("connection", "add", "--org", "acme", "--kind", "fake", "--name", "f",
                    "--credentials", "-", input='{"account": "a", "token": "bad"}')
    assert code == 2
    assert "bad_credentials" in out
    code, out = run("connection", "add", "--org", "acme", "--kind", "fake", "--name", "f",
                    "--credentials", "-", input='{"account": "a", "token": "t0k3n"}')
    assert code == 0, out
    yesterday = datetime.combine(date.today() - timedelta(days=1), datetime.min.time(), UTC)
    fake_kind.queue.append(Collection(
        account=AccountInfo(account_id="a"),
        resources=[ResourceRecord(external_id="vm-1", name="vm", kind=ResourceKind.SERVER)],
        cost_lines=[CostLine(charge_period_start=yesterday,
                             charge_period_end=yesterday + timedelta(days=1),
                             billed_cost=Decimal("12.34"), resource_id="vm-1")]))
    code, out = run("sync")
    assert code == 0, out
    assert "connection 1: success — created 1" in out
    assert "₽12.34" in out
    code, out = run("sync")
    assert "Nothing is due." in out


def test_import_alias_says_how_the_file_was_read_and_what_it_replaced(
        env: Path, tmp_path: Path) -> None:
    run("org", "create", "--name", "Acme")
    run("connection", "add", "--org", "acme", "--kind", "manual_csv", "--name", "m",
        "--credentials", "-", input="{}")
    sheet = tmp_path / "расходы.csv"
    sheet.write_bytes(("Дата;Сервис;Ресурс;Стоимость\r\n"
                       "05.11.2026;ВМ;web-1;1 234,56\r\n").encode("cp1251"))
    code, out = run("import", str(sheet), "--connection", "1")
    assert code == 0, out
    assert "Read as manual CSV: Windows-1251, delimiter «;», decimal comma." in out
    code, out = run("import", str(sheet), "--connection", "1")
    assert code == 0, out
    assert "Replaced earlier lines of the same providers, accounts and days: other 1." in out
