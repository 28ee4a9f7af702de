"""Numbers you can trust (issue 11): every billing file imports right or is refused, naming why.

Real files on both engines: the official FOCUS sample with a decimal-comma cell, with
semicolons, in Russian Excel's decimal comma; a Windows-1251 manual CSV with Russian headers; a
Yandex Cloud billing detail with credits; AWS then Microsoft lines into one connection; FOCUS
1.2 files of three providers from `focus-data-toolkit`, reconciled per service and per day to
the cent against a plain csv + Decimal sum of each file, through the stored lines, the import
summary and `costs`.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from focus_data_toolkit.cli import main as focus_toolkit
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.errors import InvalidInput
from connectors.files import BILLING_FILES as FILES
from connectors.focus.layout import MONEY_COLUMNS
from connectors.parsing import NumberReader
from core.db.models import Connection, CostLine
from core.security.vault import Vault
from core.services.costs import Dimension, breakdown
from core.services.focus_import import import_file
from core.services.orgs import create_org
from tests.sync.conftest import NOW, make_org_and_connection
from tests.sync.test_focus_import import OFFICIAL

CENT = Decimal("0.01")
SAMPLE_TOTAL = Decimal("20.52022672899")  # SOURCES.md: the sample's exact BilledCost sum


def sample_rows() -> list[list[str]]:
    with OFFICIAL.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def as_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


async def import_bytes(sessions: async_sessionmaker[AsyncSession], org: int, conn: int,
                       data: bytes | Path):
    source = data if isinstance(data, Path) else io.BytesIO(data)
    async with sessions() as session:
        return await import_file(session, FILES, org, conn, source, now=NOW)


async def stored_lines(sessions: async_sessionmaker[AsyncSession], conn: int) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(CostLine).where(
            CostLine.connection_id == conn))).scalar_one())


async def stored_by(sessions: async_sessionmaker[AsyncSession], conn: int,
                    *columns: object) -> dict[tuple[object, ...], Decimal]:
    async with sessions() as session:
        rows = (await session.execute(select(*columns, func.sum(CostLine.billed_cost))  # type: ignore[call-overload]
                                      .where(CostLine.connection_id == conn)
                                      .group_by(*columns))).all()
    return {tuple(r[:-1]): r[-1] for r in rows}


# --- one number reader ----------------------------------------------------------------------

@pytest.mark.parametrize(("sample", "cell", "value"), [
    (["0.5"], "0.125", "0.125"),
    (["0.5"], "$10,000.00", "10000.00"),
    (["0.5"], "(5.00)", "-5.00"),
    (["0.5"], "1'234.50", "1234.50"),
    (["0.5"], "-1.5E-7", "-1.5E-7"),
    (["0,5"], "1 234,56", "1234.56"),
    (["0,5"], "1\u00a0234,56", "1234.56"),
    (["0,5"], "1\u202f234,5", "1234.5"),
    (["0,5"], "5,00-", "-5.00"),
    (["0,5"], "\u22123,5", "-3.5"),
    (["0,5"], "1.234.567,89", "1234567.89"),
    (["1,234.56"], "1,500", "1500"),  # the file groups thousands with commas
    ([], "0,125", "0.125"),  # a leading zero group: only a decimal comma reads it
    ([], "12", "12"),
])
def test_one_number_rule(sample: list[str], cell: str, value: str) -> None:
    assert NumberReader.from_sample(sample)(cell) == Decimal(value)


@pytest.mark.parametrize(("sample", "cell", "needle"), [
    (["0.5"], "0,125", "decimal comma, but this file writes decimals with a point"),
    (["0.5"], "1,500", "could be 1.500 or 1500"),  # never a silent ×1000
    (["0,5"], "1.500", "could be 1.500 or 1500"),
    (["0,5"], "0.5", "decimal point, but this file writes decimals with a comma"),
    ([], "1,500", "nothing in the file shows which"),
    (["0.5"], "12 34", "groups of three"),
    (["0.5"], "abc", "not a number"),
    (["0.5"], "NaN", "not a finite number"),
])
def test_contradicting_or_ambiguous_cells_are_refused(sample: list[str], cell: str,
                                                      needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        NumberReader.from_sample(sample)(cell)


# --- FOCUS sample: decimal comma, semicolons, Windows-1251 ---------------------------------

async def test_a_decimal_comma_cell_in_the_sample_is_refused_naming_line_and_column(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    rows = sample_rows()
    billed = rows[0].index("BilledCost")
    rows[5][billed] = "0,125"  # was imported as 125 before
    with pytest.raises(InvalidInput) as err:
        await import_bytes(session_maker, org, conn, as_bytes(rows))
    assert (err.value.row, err.value.column) == (6, "BilledCost")
    assert "'0,125' is written with a decimal comma" in err.value.detail
    assert await stored_lines(session_maker, conn) == 0


@pytest.mark.parametrize(("delimiter", "comma", "encoding", "label"), [
    (";", False, "utf-8", "UTF-8"),
    (";", True, "cp1251", "UTF-8"),  # Russian Excel: ASCII content reads the same
    ("\t", True, "utf-8-sig", "UTF-8 with BOM"),
])
async def test_the_sample_in_other_dialects_imports_to_its_total(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, delimiter: str,
        comma: bool, encoding: str, label: str) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    rows = sample_rows()
    money = {i for i, name in enumerate(rows[0])
             if name in MONEY_COLUMNS or name.endswith("UnitPrice") or name.endswith("Quantity")}
    if comma:
        rows = [rows[0]] + [[c.replace(".", ",") if i in money else c
                             for i, c in enumerate(row)] for row in rows[1:]]
    result = await import_bytes(session_maker, org, conn,
                                as_bytes(rows, delimiter=delimiter, encoding=encoding))
    assert result.rows == 1000
    assert result.totals == {"USD": SAMPLE_TOTAL}  # exact, all eleven places
    assert result.facts is not None
    assert (result.facts.format, result.facts.encoding, result.facts.delimiter,
            result.facts.decimal) == ("FOCUS 1.0", label,
                                      "tab" if delimiter == "\t" else delimiter,
                                      "comma" if comma else "point")
    by_cur = await stored_by(session_maker, conn, CostLine.billing_currency)
    assert by_cur[("USD",)].quantize(CENT) == Decimal("20.52")


async def test_tiny_amounts_are_kept(session_maker: async_sessionmaker[AsyncSession],
                                     vault: Vault) -> None:
    """Every stored daily line holds its exact sum within 5e-10 (nine places): no small
    line becomes 0, and the stored total is the file's to 1e-8."""
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    await import_bytes(session_maker, org, conn, OFFICIAL)
    async with session_maker() as session:
        amounts = list((await session.execute(select(CostLine.billed_cost).where(
            CostLine.connection_id == conn))).scalars())
    assert sum(amounts, Decimal(0)) - SAMPLE_TOTAL < Decimal("1e-8")
    tiny = [a for a in amounts if a and abs(a) < Decimal("5e-7")]
    assert len(tiny) > 50  # lines a 6-place column stored as 0
    assert all(a.as_tuple().exponent == -9 for a in amounts)


# --- manual CSV in Windows-1251 with Russian headers ---------------------------------------

async def test_windows_1251_semicolon_manual_csv_with_russian_headers(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="manual_csv")
    text = ("Дата;Сервис;Ресурс;Стоимость, руб;Теги\r\n"
            "05.11.2026;Виртуальные машины;web-1;1 234,56;команда=веб\r\n"
            "05.11.2026;Виртуальные машины;web-1;0,44;команда=веб\r\n"
            "06.11.2026;Хранилище;диск-2;(10,50);\r\n")
    result = await import_bytes(session_maker, org, conn, text.encode("cp1251"))
    assert result.rows == 3
    assert result.totals == {"RUB": Decimal("1224.50")}
    assert result.facts is not None
    assert (result.facts.format, result.facts.encoding, result.facts.delimiter,
            result.facts.decimal) == ("manual CSV", "Windows-1251", ";", "comma")
    by_service = await stored_by(session_maker, conn, CostLine.service_name, CostLine.day)
    assert by_service == {("Виртуальные машины", date(2026, 11, 5)): Decimal("1235"),
                          ("Хранилище", date(2026, 11, 6)): Decimal("-10.5")}


async def test_a_manual_csv_point_file_refuses_a_comma_cell(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="manual_csv")
    text = ("date,service,resource,cost\n2026-11-05,VM,a,1.25\n2026-11-05,VM,b,\"1,500\"\n")
    with pytest.raises(InvalidInput) as err:
        await import_bytes(session_maker, org, conn, text.encode())
    assert (err.value.row, err.value.column) == (3, "cost")
    assert "could be 1.500 or 1500" in err.value.detail


# --- Yandex Cloud billing detail as a file --------------------------------------------------

YANDEX = (
    "billing_account_id,billing_account_name,cloud_id,cloud_name,folder_id,folder_name,"
    "resource_id,service_id,service_name,sku_id,sku_name,date,currency,pricing_quantity,"
    "pricing_unit,cost,credit,monetary_grant_credit,volume_incentive_credit,cud_credit,"
    "misc_credit,label.user_labels.team\n"
    "ba1,Acme,c1,prod,f1,web,vm-1,s1,Compute Cloud,sku-cpu,Intel Ice Lake. 100% vCPU,"
    "2026-11-05,RUB,24,core*hour,105.60,-20.00,-20.00,0,0,0,web\n"
    "ba1,Acme,c1,prod,f1,web,vm-1,s1,Compute Cloud,sku-ram,Intel Ice Lake. RAM,"
    "2026-11-05,RUB,96,gbyte*hour,38.40,0,0,0,0,0,web\n"
    "ba1,Acme,c1,prod,f2,data,bucket-1,s2,Object Storage,sku-std,Standard storage,"
    "2026-11-06,RUB,10,gbyte*day,5.123456789,-5.123456789,-5.123456789,0,0,0,\n")


async def test_a_yandex_billing_detail_imports_with_credits_visible(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    result = await import_bytes(session_maker, org, conn, YANDEX.encode())
    invoice = Decimal("105.60") - 20 + Decimal("38.40")  # cost + credit, what the invoice says
    assert result.rows == 3
    assert result.totals == {"RUB": invoice}
    assert result.facts is not None
    assert result.facts.format == "Yandex Cloud billing detail"
    by_category = await stored_by(session_maker, conn, CostLine.charge_category)
    assert by_category == {("Usage",): Decimal("149.123456789"),
                           ("Credit",): Decimal("-25.123456789")}
    async with session_maker() as session:
        providers = set((await session.execute(select(CostLine.provider).where(
            CostLine.connection_id == conn))).scalars())
    assert providers == {"yandex"}


# --- re-import replaces only what the file covers ------------------------------------------

async def test_aws_then_microsoft_into_one_connection_both_kept(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    rows = sample_rows()
    provider = rows[0].index("ProviderName")
    billed = rows[0].index("BilledCost")
    aws = [rows[0]] + [r for r in rows[1:] if r[provider] == "AWS"]
    azure = [rows[0]] + [r for r in rows[1:] if r[provider] == "Microsoft"]
    expect = {name: sum((Decimal(r[billed]) for r in part[1:]), Decimal(0))
              for name, part in (("aws", aws), ("azure", azure))}
    first = await import_bytes(session_maker, org, conn, as_bytes(aws))
    second = await import_bytes(session_maker, org, conn, as_bytes(azure))
    assert second.replaced == {}
    assert second.first_day is not None
    assert second.last_day is not None
    async with session_maker() as session:  # AWS lines of Microsoft's days: left alone
        same_days = (await session.execute(select(func.count()).select_from(CostLine).where(
            CostLine.connection_id == conn, CostLine.provider == "aws",
            CostLine.day.between(second.first_day, second.last_day)))).scalar_one()
    assert same_days > 0
    assert second.kept == {"aws": same_days}
    by_provider = await stored_by(session_maker, conn, CostLine.provider)
    assert {k[0]: v.quantize(CENT) for k, v in by_provider.items()} == {
        k: v.quantize(CENT) for k, v in expect.items()}
    aws_ids = select(CostLine.id).where(CostLine.connection_id == conn,
                                        CostLine.provider == "aws")
    async with session_maker() as session:
        before = set((await session.execute(aws_ids)).scalars())
    again = await import_bytes(session_maker, org, conn, as_bytes(aws))  # idempotent
    async with session_maker() as session:
        left = before & set((await session.execute(aws_ids)).scalars())
    # replaced: every AWS line but those of the days the file repeats exactly (SQLite leaves
    # them as they were: the same ids; PostgreSQL rewrites them all)
    assert again.replaced == {"aws": first.lines_stored - len(left)}
    assert bool(left) == (again.unchanged_days > 0)
    assert set(again.kept) == {"azure"}
    assert await stored_lines(session_maker, conn) == first.lines_stored + second.lines_stored


# --- FOCUS 1.2 of three providers from focus-data-toolkit, reconciled -----------------------

@pytest.fixture(scope="module")
def toolkit_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("focus12")
    for provider in ("aws", "azure", "gcp"):
        assert focus_toolkit(["generate", "--provider", provider, "--focus-version", "1.2",
                              "--rows", "400", "--out", str(out)]) == 0
    return sorted(out.glob("focus_1_2_cost_and_usage_*.csv"))


def independent(paths: list[Path]) -> tuple[dict[tuple[str, str], Decimal], Decimal]:
    """Per (service, UTC day), and the exact total: plain csv + Decimal. A row over several days is
    spread in proportion to its time in each (FOCUS: cost accrues over the charge period), a
    one-time charge stays on its first day."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                amount = Decimal(row["BilledCost"])
                total += amount
                start = datetime.fromisoformat(row["ChargePeriodStart"])
                end = datetime.fromisoformat(row["ChargePeriodEnd"])
                if row["ChargeFrequency"] == "One-Time" or end <= start:
                    sums[(row["ServiceName"], start.date().isoformat())] += amount
                    continue
                whole = Decimal((end - start).total_seconds())
                moment = start
                while moment < end:
                    midnight = datetime.combine(moment.date() + timedelta(days=1), time(),
                                                moment.tzinfo)
                    part = Decimal((min(midnight, end) - moment).total_seconds())
                    sums[(row["ServiceName"], moment.date().isoformat())] += (
                        amount * part / whole)
                    moment = midnight
    return dict(sums), total


async def test_focus_1_2_of_three_providers_reconcile_per_service_and_day(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        toolkit_files: list[Path]) -> None:
    async with session_maker() as session, session.begin():
        org = await create_org(session, "Three clouds", currency="USD")
        c = Connection(org_id=org.id, kind="focus", name="FOCUS", status="active",
                       credentials=vault.encrypt({}), options={})
        session.add(c)
        await session.flush()
        org_id, conn = org.id, c.id
    assert len(toolkit_files) == 3
    summary = Decimal(0)
    for path in toolkit_files:
        result = await import_bytes(session_maker, org_id, conn, path)
        assert result.facts is not None
        assert result.facts.format == "FOCUS 1.2"
        assert result.replaced == {}  # a new provider never replaces another's lines
        summary += result.totals["USD"]
    per_service_day, total = independent(toolkit_files)
    assert summary == total  # the summaries: exact
    stored = await stored_by(session_maker, conn, CostLine.service_name, CostLine.day)
    assert {(s, str(d)): v.quantize(CENT) for (s, d), v in stored.items()} == {
        k: v.quantize(CENT) for k, v in per_service_day.items()}
    per_service: dict[str, Decimal] = defaultdict(Decimal)
    for (service, _), amount in per_service_day.items():
        per_service[service] += amount
    days = sorted(d for _, d in per_service_day)
    async with session_maker() as session:
        rows = await breakdown(session, org_id, date.fromisoformat(days[0]),
                               date.fromisoformat(days[-1]), Dimension.SERVICE)
    assert {r.label: r.amount.quantize(CENT) for r in rows} == {
        k: v.quantize(CENT) for k, v in per_service.items()}
    assert sum((r.amount for r in rows), Decimal(0)).quantize(CENT) == total.quantize(CENT)
    providers = set(await stored_by(session_maker, conn, CostLine.provider))
    assert providers == {("aws",), ("azure",), ("gcp",)}


# --- shapes: pre-1.0 names, Azure tags without braces, unknown files ----------------------

async def test_pre_1_0_columns_and_azure_tags_without_braces(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    text = ("Provider,BilledCost,AmortizedCost,BillingCurrency,ChargePeriodStart,"
            "ChargePeriodEnd,ChargeType,ServiceName,Tags\n"
            'Microsoft,1.5,1.25,USD,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,Usage,VM,'
            '"""team"": ""web"",""env"": ""prod"""\n')
    result = await import_bytes(session_maker, org, conn, text.encode())
    assert result.facts is not None
    assert result.facts.format == "FOCUS 0.5"
    async with session_maker() as session:
        line = (await session.execute(select(CostLine).where(
            CostLine.connection_id == conn))).scalar_one()
    assert (line.provider, line.provider_name, line.effective_cost) == (
        "azure", "Microsoft", Decimal("1.25"))
    assert line.tags == {"team": "web", "env": "prod"}


@pytest.mark.parametrize(("data", "row", "column", "needle"), [
    (b"a;b;c\n1;2;3\n", 1, None, "header: a, b, c; read as UTF-8, delimiter ';'"),
    ("Счёт;Сумма\n1;2\n".encode("cp1251"), 1, None, "read as Windows-1251"),
    (b"BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n"
     b"1.5,USD,2024-09-01,2024-09-02\n2.5,USD,2024-09-01,2024-09-02,x\n", 3, None,
     "5 fields where the header has 4"),
    (b"BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n"
     b"1.5,USD,2024-09-01,2024-09-02\n\"1,5\",USD,2024-09-01,2024-09-02\n", 3, "BilledCost",
     "decimal comma"),
    (b"BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,Tags\n"
     b"1.5,USD,2024-09-01,2024-09-02,{team\n", 2, "Tags", "not valid JSON"),
])
async def test_malformed_files_are_named(session_maker: async_sessionmaker[AsyncSession],
                                         vault: Vault, data: bytes, row: int,
                                         column: str | None, needle: str) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    with pytest.raises(InvalidInput) as err:
        await import_bytes(session_maker, org, conn, data)
    assert (err.value.row, err.value.column) == (row, column)
    assert needle in err.value.detail
    assert await stored_lines(session_maker, conn) == 0
