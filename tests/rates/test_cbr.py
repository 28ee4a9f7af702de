"""The Bank of Russia's official rates against a loopback fake of XML_daily.asp: the client
reads windows-1251 XML with decimal commas and nominals, the sync stores them as `cbr` under
the date they are in force and never over a manual rate, the daily job covers every RUB
organisation once, and `infrazen rates sync` does the same from the terminal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import cli
from bot.composition import default_adapters
from connectors.cbr import CbrClient, parse_daily
from connectors.errors import ProviderError
from connectors.http import ProviderHttp, RetryPolicy
from core.clock import FrozenClock
from core.jobs.rates import sync_official_rates
from core.services import costs, currency
from core.services.cbr_rates import sync_cbr_rates
from core.services.orgs import create_org
from tests.rates.fake_cbr import FakeCbr, body
from tests.rates.seed import D1, D2, D3, rub_org_with_usd
from tests.support.fake_server import run_fake
from tests.support.jobs import job_runtime

D4 = date(2026, 10, 4)  # no rates set that day: the fake answers with Oct 3's set
NOW = datetime(2026, 10, 4, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


@pytest.fixture
async def cbr() -> AsyncIterator[tuple[FakeCbr, str]]:
    fake = FakeCbr()
    async with run_fake(fake.app()) as url:
        yield fake, url


def _client(http: httpx.AsyncClient, url: str) -> CbrClient:
    no_wait = RetryPolicy(attempts=2, backoff_base=0, backoff_max=0)
    return CbrClient(ProviderHttp(http, "cbr", policy=no_wait), url)


def test_the_published_format_parses_with_nominals_and_decimal_commas() -> None:
    rates = parse_daily(body(D1))
    assert rates.day == D1
    assert rates.rates["USD"] == Decimal("90")
    assert rates.rates["JPY"] == Decimal("0.612345")  # 61,2345 ₽ per 100 yen
    with pytest.raises(ProviderError, match="unreadable rates XML"):
        parse_daily(b"<html>maintenance")


async def test_client_errors_are_typed(cbr: tuple[FakeCbr, str]) -> None:
    fake, url = cbr
    async with httpx.AsyncClient() as http:
        client = _client(http, url)
        assert (await client.daily(D4)).day == D3  # a day without its own set
        fake.fail_with = 503
        with pytest.raises(ProviderError, match="503"):
            await client.daily(D1)
        fake.fail_with, fake.malformed = None, True
        with pytest.raises(ProviderError, match="unreadable"):
            await client.daily(D1)


async def test_sync_stores_official_rates_and_keeps_manual_ones(
        cbr: tuple[FakeCbr, str], session_maker: async_sessionmaker[AsyncSession]) -> None:
    fake, url = cbr
    async with session_maker() as session:
        org = await rub_org_with_usd(session)
        await currency.set_rate_as_operator(session, org, "USD", "95", D2)
        await session.commit()
    async with httpx.AsyncClient() as http:
        daily = _client(http, url).daily
        result = await sync_cbr_rates(session_maker, org, daily, today=D4)
        assert (result.start, result.end, result.currencies) == (D1, D4, ("USD",))
        # Oct 2 already has a (manual) rate, Oct 4 answers with Oct 3's set: stored twice
        assert result.stored == 2
        assert sorted(fake.asked) == [D1, D3, D4]
        async with session_maker() as session:
            rates = {(r.valid_from, r.source): r.rate
                     for r in await currency.list_rates(session, org)}
            assert rates == {(D1, "cbr"): Decimal(90), (D2, "manual"): Decimal(95),
                             (D3, "cbr"): Decimal("92.25")}
            assert await costs.left_out(session, org, D1, D3) == ()
            assert await costs.total(session, org, D1, D3) == (
                Decimal(100) + Decimal("10.25") * 90 + Decimal("20.50") * 95
                + Decimal("5.00") * Decimal("92.25"))
        # the next run asks only for days after the latest official rate
        fake.asked.clear()
        again = await sync_cbr_rates(session_maker, org, daily, today=D4)
        assert (again.stored, fake.asked) == (0, [D4])
        # an explicit period and an extra currency; an unpublished one is reported
        fake.asked.clear()
        extra = await sync_cbr_rates(session_maker, org, daily, today=D4, start=D1, end=D2,
                                     currencies=["jpy", "XAF"])
        assert extra.currencies == ("JPY", "XAF")
        assert extra.unpublished == ("XAF",)
        async with session_maker() as session:
            jpy = [r for r in await currency.list_rates(session, org) if r.currency == "JPY"]
            assert [(r.valid_from, r.rate) for r in jpy] == [(D1, Decimal("0.612345")),
                                                             (D2, Decimal("0.61"))]


async def test_sync_refuses_an_organisation_that_does_not_report_in_rubles(
        cbr: tuple[FakeCbr, str], session_maker: async_sessionmaker[AsyncSession]) -> None:
    _, url = cbr
    async with session_maker() as session:
        org = await create_org(session, "Dollar Co", currency="USD")
        await session.commit()
    async with httpx.AsyncClient() as http:
        with pytest.raises(currency.RateInputError) as caught:
            await sync_cbr_rates(session_maker, org.id, _client(http, url).daily, today=D4,
                                 start=D1, end=D3, currencies=["EUR"])
    assert caught.value.reason == "cbr_base"


async def test_daily_job_covers_each_rub_org_once_per_lease(
        cbr: tuple[FakeCbr, str], session_maker: async_sessionmaker[AsyncSession]) -> None:
    fake, url = cbr
    async with session_maker() as session:
        first = await rub_org_with_usd(session, slug="first")
        second = await rub_org_with_usd(session, slug="second", rub_line=False)
        dollars = await create_org(session, "Dollar Co", currency="USD")
        await session.commit()
    async with httpx.AsyncClient() as http:
        deps = SimpleNamespace(sessions=session_maker, adapters=default_adapters(),
                               http=http, clock=FrozenClock(NOW),
                               vault=None, settings=SimpleNamespace(cbr_url=url))
        done = await sync_official_rates(job_runtime(deps, "w1"))
        assert sorted(r.org_id for r in done) == sorted([first, second])
        assert dollars.id not in {r.org_id for r in done}
        assert all(r.stored == 3 for r in done)
        # another worker in the same window finds the lease taken
        assert await sync_official_rates(job_runtime(deps, "w2")) == []
        deps.settings.cbr_url = None  # CBR_URL="" turns it off
        assert await sync_official_rates(job_runtime(deps, "w1")) == []
    assert fake.asked  # it really went over HTTP


async def test_cli_sync_set_list_and_costs_json(
        cbr: tuple[FakeCbr, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, url = cbr
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'infrazen.db'}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    monkeypatch.setenv("CBR_URL", url)

    async def run(*args: str) -> tuple[int, str, str]:
        result = await asyncio.to_thread(CliRunner().invoke, cli, ["--lang", "en", *args])
        return result.exit_code, result.stdout, result.stderr

    assert (await run("migrate"))[0] == 0
    from core.db.engine import create_engine, session_factory
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'infrazen.db'}")
    async with session_factory(engine)() as session:
        await rub_org_with_usd(session)
    await engine.dispose()

    code, out, _ = await run("costs", "--org", "acme", "--from", "2026-10-01", "--to",
                             "2026-10-03", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["currency"], Decimal(report["total"])) == ("RUB", Decimal(100))
    assert [{**m, "amount": Decimal(m["amount"])} for m in report["left_out"]] == [
        {"currency": "USD", "amount": Decimal("35.75"), "first_day": "2026-10-01",
         "last_day": "2026-10-03", "reason": "no_rate"}]
    code, out, _ = await run("costs", "--org", "acme", "--from", "2026-10-01", "--to",
                             "2026-10-03")
    assert "Excludes USD $35.75 of Oct 1, 2026 – Oct 3, 2026: no USD→RUB rate." in out
    assert "infrazen rates set --org acme --currency USD" in out

    code, out, _ = await run("rates", "sync", "--org", "acme", "--from", "2026-10-01", "--to",
                             "2026-10-03")
    assert code == 0, out
    assert "USD" in out
    assert "3 days asked, 3 rates stored" in out
    code, out, _ = await run("rates", "set", "--org", "acme", "--currency", "usd", "--rate",
                             "95,5", "--from", "02.10.2026")
    assert (code, out.strip()) == (0, "1 USD = 95.5 RUB from October 2, 2026 (manual)")
    code, out, _ = await run("rates", "list", "--org", "acme", "--json")
    assert [(r["valid_from"], r["rate"], r["source"]) for r in json.loads(out)] == [
        ("2026-10-01", "90.00000000", "cbr"), ("2026-10-02", "95.50000000", "manual"),
        ("2026-10-03", "92.25000000", "cbr")]
    code, out, _ = await run("costs", "--org", "acme", "--from", "2026-10-01", "--to",
                             "2026-10-03", "--json")
    report = json.loads(out)
    assert report["left_out"] == []
    assert Decimal(report["total"]) == (Decimal(100) + Decimal("10.25") * 90
                                        + Decimal("20.50") * Decimal("95.5")
                                        + Decimal(5) * Decimal("92.25"))

    for args, message in (
            (("--currency", "EURO", "--rate", "90"), "“EURO” is not an ISO 4217 currency code"),
            (("--currency", "USD", "--rate", "-1"), "must be a positive number"),
            (("--currency", "USD", "--rate", "abc"), "“abc” is not a number"),
            (("--currency", "RUB", "--rate", "1"), "RUB is the organisation's currency"),
            (("--currency", "USD", "--rate", "90", "--from", "31.02.2026"), "is not a date")):
        code, _, err = await run("rates", "set", "--org", "acme", *args)
        assert code == 2
        assert message in err
    code, _, err = await run("--lang", "ru", "rates", "set", "--org", "acme", "--currency",
                             "USD", "--rate", "ноль")
    assert "«ноль» — не число" in err
