"""`infrazen budget | budgets | allocation rule | allocation suggestions | allocation accept |
rec …` on SQLite and PostgreSQL: what a finance person runs from a terminal, end to end.

Cost lines are written through the sync service; the CLI runs in a thread (it owns its event
loop) against the same database; the clock is the system's, so figures are computed from it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.cli import cli
from core.db.models import AuditEntry, Connection, Recommendation
from core.domain.collection import (
    AccountInfo,
    Collection,
    CostLine,
    ResourceKind,
    ResourceRecord,
    Window,
)
from core.domain.levels import LEVELS
from core.services.orgs import create_org
from core.services.sync.apply import apply_collection

DAILY = {"web-1": 500, "api-1": 300, "k8s-c": 200}  # 1 000 a day in all
SECRET = "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="


async def _seed(sessions: async_sessionmaker[AsyncSession], today: date) -> None:
    """Org `acme`, one Selectel connection, 40 days of costs; k8s-a/b tagged team k8s."""
    now = datetime.now(UTC)
    start = today - timedelta(days=40)
    async with sessions() as s, s.begin():
        org = await create_org(s, "Acme")
        conn = Connection(org_id=org.id, kind="selectel", name="Прод", status="active",
                          credentials=b"x")
        s.add(conn)
        await s.flush()
        records = [ResourceRecord(external_id=n, name=n, kind=ResourceKind.SERVER)
                   for n in DAILY]
        records += [ResourceRecord(external_id=n, name=n, kind=ResourceKind.SERVER,
                                   tags={"team": "k8s"}) for n in ("k8s-a", "k8s-b")]
        lines = []
        for i in range(40):
            day = start + timedelta(days=i)
            begin = datetime.combine(day, time(), tzinfo=UTC)
            lines += [CostLine(charge_period_start=begin,
                               charge_period_end=begin + timedelta(days=1),
                               billed_cost=Decimal(amount), service_name="Compute",
                               resource_id=name, resource_name=name)
                      for name, amount in DAILY.items()]
        await apply_collection(s, org_id=org.id, connection_id=conn.id,
                               collection=Collection(account=AccountInfo(account_id="a"),
                                                     resources=records, cost_lines=lines),
                               window=Window(start, today), started_at=now, now=now)
        s.add(Recommendation(org_id=org.id, dedup_key="idle:web-1", kind="idle",
                             title="Idle web-1", monthly_saving=Decimal("4500"),
                             currency="RUB", status="new", params={"resource": "web-1"}))


async def _cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args))


async def _ok(*args: str) -> str:
    result = await _cli(*args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


@pytest.fixture
async def acme(engine: AsyncEngine, session_maker: async_sessionmaker[AsyncSession],
               monkeypatch: pytest.MonkeyPatch) -> date:
    """The CLI pointed at this test's database; returns today in Moscow."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", SECRET)
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    await _seed(session_maker, today)
    return today


async def test_budget_commands(acme: date, session_maker: async_sessionmaker[AsyncSession]
                               ) -> None:
    today = acme
    month_id = int(await _ok("budget", "add", "--org", "acme", "--name", "Облако",
                             "--amount", "30 000,50", "--thresholds", "50, 80,100"))
    quarter_id = int(await _ok("budget", "add", "--org", "acme", "--name", "Selectel Q",
                               "--amount", "90000", "--period", "quarter",
                               "--provider", "selectel"))
    two = await _cli("budget", "add", "--org", "acme", "--name", "x", "--amount", "1",
                     "--provider", "selectel", "--team", "web")
    assert two.exit_code == 2
    bad = await _cli("--lang", "en", "budget", "add", "--org", "acme", "--name", "x",
                     "--amount", "thirty")
    assert bad.exit_code == 2
    assert "amount" in bad.stderr

    listed = json.loads(await _ok("budget", "list", "--org", "acme", "--json"))
    assert json.loads(await _ok("budgets", "--org", "acme", "--json")) == listed
    by_id = {b["id"]: b for b in listed}
    month = by_id[month_id]
    assert set(month) >= {"id", "name", "scope", "period", "amount", "currency", "spent",
                          "forecast", "level", "thresholds", "crossed"}
    spent = Decimal(1000 * (today.day - 1))  # the 1st … yesterday, at 1 000 a day
    assert (month["name"], month["scope"], month["period"], month["currency"]) == (
        "Облако", {"kind": "org", "value": None}, "month", "RUB")
    assert (Decimal(month["amount"]), Decimal(month["spent"])) == (Decimal("30000.50"), spent)
    assert month["thresholds"] == [50, 80, 100]
    share = spent * 100 / Decimal("30000.50")
    assert month["crossed"] == [t for t in (50, 80, 100) if share >= t]
    assert month["level"] in LEVELS
    assert month["level"] == ("red" if share >= 100 else "amber" if share >= 80
                              or Decimal(month["forecast"]) > Decimal("30000.50") else "green")
    quarter = by_id[quarter_id]
    assert quarter["scope"] == {"kind": "provider", "value": "selectel"}
    assert quarter["period"] == "quarter"

    text = await _ok("--lang", "en", "budget", "list", "--org", "acme")
    assert f"#{month_id} Облако (the whole organisation, month)" in text
    assert f"#{quarter_id} Selectel Q (provider selectel, quarter)" in text

    assert str(quarter_id) in await _ok("budget", "rm", "--org", "acme", str(quarter_id))
    assert [b["id"] for b in json.loads(
        await _ok("budgets", "--org", "acme", "--json"))] == [month_id]
    gone = await _cli("budget", "rm", "--org", "acme", str(quarter_id))
    assert gone.exit_code == 2
    assert "not found" in gone.stderr
    async with session_maker() as s:
        audit = (await s.execute(select(AuditEntry.action, AuditEntry.details).where(
            AuditEntry.object_type == "budget").order_by(AuditEntry.id))).all()
    assert [a for a, _ in audit] == ["budget.create", "budget.create", "budget.delete"]
    assert all(d["via"] == "cli" for _, d in audit)


async def test_a_budget_on_a_name_no_cost_has_is_made_with_a_warning(acme: date) -> None:
    """A misspelt scope from the terminal: the budget is made (its costs may be yet to come),
    stderr says nothing matches, and `budget list` says its 0 means "found nothing"."""
    misspelt = await _cli("--lang", "en", "budget", "add", "--org", "acme", "--name", "Typo",
                          "--amount", "5000", "--service", "Compyte")
    assert misspelt.exit_code == 0, misspelt.output
    assert "nothing in the last 90 days of costs is in this scope" in misspelt.stderr
    typo_id = int(misspelt.stdout)
    right = await _cli("budget", "add", "--org", "acme", "--name", "Вычисления",
                       "--amount", "5000", "--service", "compute")
    assert right.exit_code == 0, right.output
    assert right.stderr == ""
    listed = {b["id"]: b for b in json.loads(
        await _ok("budget", "list", "--org", "acme", "--json"))}
    # "compute" is the stored "Compute": matched (its spend may still be 0 on the 1st)
    assert (listed[typo_id]["unmatched"], listed[int(right.stdout)]["unmatched"]) == (True, False)
    text = await _ok("--lang", "en", "budget", "list", "--org", "acme")
    assert text.count("the 0 means “found nothing”") == 1


async def test_allocation_rule_commands(acme: date,
                                        session_maker: async_sessionmaker[AsyncSession]) -> None:
    added = (await _ok("--lang", "en", "allocation", "rule", "add", "--org", "acme",
                       "--team", "web", "--match", "name=web-*")).splitlines()
    web_rule = int(added[0])
    assert "50.0 % of spend owned by teams" in added[1]  # web-1: 500 of 1 000 a day
    bad = await _cli("allocation", "rule", "add", "--org", "acme", "--team", "x",
                     "--match", "colour=red")
    assert bad.exit_code == 2
    listed = json.loads(await _ok("allocation", "rule", "list", "--org", "acme", "--json"))
    assert [(r["id"], r["status"], r["team"], r["match"]) for r in listed["rules"]] == [
        (web_rule, "active", "web", {"name": "web-*"})]
    assert Decimal(listed["coverage"]["share"]) == Decimal("50.0")

    suggested = json.loads(await _ok("allocation", "suggestions", "--org", "acme", "--json"))
    k8s = next(r for r in suggested if r["team"] == "k8s")  # k8s-a/b are tagged, k8s-c not
    accepted = await _ok("--lang", "en", "allocation", "accept", "--org", "acme",
                         str(k8s["id"]))
    assert "70.0 % of spend owned by teams" in accepted
    again = await _cli("allocation", "accept", "--org", "acme", str(k8s["id"]))
    assert again.exit_code == 2  # already accepted

    removed = await _ok("--lang", "en", "allocation", "rule", "rm", "--org", "acme",
                        str(web_rule))
    assert "20.0 % of spend owned by teams" in removed
    old = json.loads(await _ok("allocation", "--org", "acme", "--json"))  # as before
    assert Decimal(old["coverage"]["share"]) == Decimal("20.0")
    text = await _ok("--lang", "en", "allocation", "rule", "list", "--org", "acme")
    assert f"#{k8s['id']} [active]" in text
    async with session_maker() as s:
        actions = (await s.execute(select(AuditEntry.action).where(
            AuditEntry.object_type == "allocation_rule").order_by(AuditEntry.id))).scalars()
        assert list(actions) == ["allocation_rule.create", "allocation_rule.accept",
                                 "allocation_rule.delete"]


async def test_recommendation_settings_commands(
        acme: date, session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as s:
        rec_id = (await s.execute(select(Recommendation.id))).scalar_one()
    rules = json.loads(await _ok("rec", "rules", "--org", "acme", "--json"))
    idle = next(r for r in rules if r["kind"] == "idle")
    assert idle["enabled"] is True
    assert idle["thresholds"]["cpu_percent"] == 5.0
    assert (await _ok("rec", "threshold", "--org", "acme", "idle", "cpu_percent", "2,5")
            ).strip() == "idle.cpu_percent = 2.5"
    out_of_range = await _cli("rec", "threshold", "--org", "acme", "idle", "cpu_percent", "500")
    assert out_of_range.exit_code == 2

    def open_count(raw: str) -> int:
        return int(json.loads(raw)["summary"]["open_count"])

    assert open_count(await _ok("recs", "--org", "acme", "--json")) == 1
    assert "1" in await _ok("--lang", "en", "rec", "off", "--org", "acme", "idle")
    assert open_count(await _ok("recs", "--org", "acme", "--json")) == 0  # out of the total
    assert "1" in await _ok("--lang", "en", "rec", "on", "--org", "acme", "idle")
    assert open_count(await _ok("recs", "--org", "acme", "--json")) == 1
    await _ok("rec", "snooze", "--org", "acme", str(rec_id), "--days", "7",
              "--reason", "после релиза")
    await _ok("rec", "dismiss", "--org", "acme", str(rec_id), "--reason", "plan: migrate")
    assert open_count(await _ok("recs", "--org", "acme", "--json")) == 0
    async with session_maker() as s:
        rec = await s.get(Recommendation, rec_id)
        assert rec is not None
        assert (rec.status, rec.decision_reason) == ("dismissed", "plan: migrate")
        reasons = (await s.execute(select(AuditEntry.details["reason"]).where(
            AuditEntry.object_type == "recommendation").order_by(AuditEntry.id))).scalars()
        assert list(reasons) == ["после релиза", "plan: migrate"]
    rules = json.loads(await _ok("rec", "rules", "--org", "acme", "--json"))
    assert next(r for r in rules if r["kind"] == "idle")["thresholds"]["cpu_percent"] == 2.5
