"""The columnar FOCUS reader: same sums as the row-by-row one, exact decimals, gzip, and a clean
hand-over to the row-by-row reader (nothing doubled) when it meets what it cannot read."""

from __future__ import annotations

import csv
import gzip
import io
import logging
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.errors import InvalidInput
from connectors.files import BILLING_FILES as FILES
from connectors.focus import arrow_reader
from connectors.focus.arrow_reader import ArrowFocusReader, FastPathUnavailable
from connectors.focus.reader import FocusReader
from core.db.engine import session_factory
from core.db.models import CostLine
from core.security.vault import Vault
from core.services import focus_import
from core.services.focus_import import import_focus
from core.services.sync.costs import DailyAggregator
from tests.sync.conftest import NOW, fresh_connection
from tests.sync.test_focus_import import ALL_FILES, BAD_TIMES, OFFICIAL, independent, stored

NANO = Decimal("0.000000001")
HEADER = ("BilledCost,EffectiveCost,ListCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,"
          "ChargeFrequency,ResourceId,ServiceName,RegionId,RegionName,Tags\n")


def daily(reader: Any) -> dict[tuple[date, tuple[Any, ...]], list[Decimal]]:
    """(day, identity) → [billed, effective, list, contracted, quantity], zeros for nulls."""
    agg = DailyAggregator(provider="other")
    for record in reader:
        agg.add_raw(*record)
    return {key: [v or Decimal(0) for v in amounts] for key, amounts in agg.buckets.items()}


def hourly_file(rows: int, *, price: str = "0.0000012345", bad_at: int | None = None) -> str:
    """An hourly export over a few resources and days; row `bad_at` (0-based) has a `$` cost."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    lines = [HEADER]
    for i in range(rows):
        moment = start + timedelta(hours=i // 7)
        cost = f'"$1,{i % 10}00.00"' if i == bad_at else f"{Decimal(price) * (i % 13 + 1):f}"
        lines.append(f"{cost},{cost},NULL,USD,{moment:%Y-%m-%dT%H:%M:%SZ},"
                     f"{moment + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ},Usage-Based,"
                     f"vm-{i % 7},Compute,,ru-{i % 3},\n")
    return "".join(lines)


def exact_buckets(text: str) -> dict[tuple[date, str, str], Decimal]:
    """BilledCost per (UTC day, resource, region), with csv + Decimal (hourly rows only)."""
    buckets: dict[tuple[date, str, str], Decimal] = defaultdict(Decimal)
    for row in csv.DictReader(io.StringIO(text)):
        amount = Decimal(row["BilledCost"].strip().lstrip("$").replace(",", ""))
        day = date.fromisoformat(row["ChargePeriodStart"][:10])
        buckets[(day, row["ResourceId"], row["RegionName"])] += amount
    return dict(buckets)


def per_day(buckets: dict[tuple[date, str, str], Decimal]) -> dict[date, Decimal]:
    days: dict[date, Decimal] = defaultdict(Decimal)
    for (day, _, _), amount in buckets.items():
        days[day] += amount
    return dict(days)


async def stored_days(engine: AsyncEngine, conn: int) -> dict[date, Decimal]:
    async with session_factory(engine)() as session:
        return {d: v for d, v in (await session.execute(
            select(CostLine.day, func.sum(CostLine.billed_cost))
            .where(CostLine.connection_id == conn).group_by(CostLine.day))).all()}


async def stored_buckets(engine: AsyncEngine, conn: int) -> dict[tuple[date, str, str], Decimal]:
    async with session_factory(engine)() as session:
        rows = (await session.execute(
            select(CostLine.day, CostLine.resource_external_id, CostLine.region_id,
                   CostLine.billed_cost).where(CostLine.connection_id == conn))).all()
    out = {(d, r or "", g or ""): v for d, r, g, v in rows}
    assert len(out) == len(rows)  # one stored line per bucket
    return out


@pytest.mark.parametrize("path", [p for p in ALL_FILES if p.name not in BAD_TIMES],
                         ids=lambda p: p.name[:60])
def test_columnar_reader_sums_like_the_row_by_row_reader(path: Path) -> None:
    slow = FocusReader(path, default_currency="USD")
    expected = daily(slow)
    fast = ArrowFocusReader(path, default_currency="USD")
    if path.parent.name == "simple_agreements":  # `$10,000.00`: only the lenient parser reads it
        with pytest.raises(FastPathUnavailable):
            daily(fast)
        return
    assert daily(fast) == expected
    assert fast.rows == slow.rows


def test_every_column_rule_matches_the_row_by_row_reader(tmp_path: Path) -> None:
    """Fallback columns, null markers, case, spaces, duplicates, spreads, one-time, lengths,
    BOM, CRLF."""
    path = tmp_path / "mixed.csv"
    path.write_text(
        "billedcost,BillingCurrency,ChargePeriodStart,CHARGEPERIODEND,ChargeFrequency,"
        "RegionId,RegionName,ResourceId,ResourceName,Tags,PricingQuantity,ProviderName,"
        "ResourceId\n"
        "1.25,usd,2026-03-01T23:00:00Z,2026-03-02T01:00:00Z,Usage-Based,NULL,Moscow,"
        "r1, web ,\"{\"\"b\"\": 1, \"\"a\"\": \"\"x\"\"}\",2,AWS,ignored\n"
        "2.5,USD,2026-03-01,2026-04-01,Recurring,,Moscow,r1,web,\"{\"\"a\"\": \"\"x\"\", "
        "\"\"b\"\": 1}\",,aws,x\n"
        "1200,USD,2026-03-01T00:00:00Z,2027-03-01T00:00:00Z,one-time,ru-1,,r2,"
        f"{'n' * 300},null,N/A,Microsoft,x\n"
        "0.333333333333,USD,2026-03-02 05:00:00,2026-03-02 05:00:00,,None,Null,r3,,"
        ",1.5,,x\n"
        "0.1,EUR,3/2/26,3/3/26,,\" \",ru-2,r3,,{},,,x\n",
        encoding="utf-8-sig", newline="\r\n")  # a BOM and Windows line ends, as Excel saves
    fast = daily(ArrowFocusReader(path))
    assert fast == daily(FocusReader(path))
    assert len(fast) == 1 + 1 + 31 + 1 + 1 + 1  # the 2-day row, the month, one-time, two days
    assert sum(v[0] for v in fast.values()) == Decimal("1204.183333333333")


async def test_gzip_and_ten_decimal_places_sum_exactly(shared_sqlite: AsyncEngine, vault: Vault,
                                                       tmp_path: Path) -> None:
    text = hourly_file(5000, price="0.0000012345")  # 10 decimal places
    path = tmp_path / "export.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write(text)
    buckets = exact_buckets(text)
    total = sum(buckets.values(), Decimal(0))
    org, conn = await fresh_connection(shared_sqlite, vault, "focus")
    async with session_factory(shared_sqlite)() as session, session.begin():
        result = await import_focus(session, FILES, org, conn, path, now=NOW)
    assert result.rows == 5000
    assert result.totals == {"USD": total}  # exact, all ten places
    assert total.as_tuple().exponent == -10
    # each daily line holds its exact sum, rounded once to the storage's nano-units
    assert await stored_buckets(shared_sqlite, conn) == {
        k: v.quantize(NANO, rounding=ROUND_HALF_EVEN) for k, v in buckets.items()}


async def test_more_than_twelve_places_still_import_exactly(
        shared_sqlite: AsyncEngine, vault: Vault, caplog: pytest.LogCaptureFixture) -> None:
    text = hourly_file(300, price="0.0000000000001")
    total = sum(exact_buckets(text).values(), Decimal(0))
    org, conn = await fresh_connection(shared_sqlite, vault, "focus")
    with caplog.at_level(logging.DEBUG, logger=focus_import.__name__):
        async with session_factory(shared_sqlite)() as session, session.begin():
            result = await import_focus(session, FILES, org, conn, io.BytesIO(text.encode()),
                                        now=NOW)
    assert "row-by-row" in caplog.text  # decimal128(38, 12) would have to round: handed over
    assert result.rows == 300
    assert result.totals == {"USD": total}
    assert total == Decimal("0.0000000000001") * sum(i % 13 + 1 for i in range(300))


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of a few hundred rows and frequent writes: the hand-over happens mid-file."""
    monkeypatch.setattr(arrow_reader, "GROUP_ROWS", 200)
    monkeypatch.setattr(arrow_reader, "BLOCK", 4096)
    # windows and summed lines handed out early: lines are staged before a late bad cell
    monkeypatch.setattr(arrow_reader, "GROUP_ROWS", 64)
    monkeypatch.setattr(arrow_reader, "EMIT_ROWS", 50)
    monkeypatch.setattr(focus_import, "FLUSH_BUCKETS", 5)
    monkeypatch.setattr(focus_import, "SLICE", 50)


@pytest.mark.usefixtures("small_batches")
async def test_hand_over_after_writes_replaces_them_without_doubling(
        shared_sqlite: AsyncEngine, vault: Vault, caplog: pytest.LogCaptureFixture) -> None:
    text = hourly_file(3000, price="0.012345", bad_at=2900)  # `$1,000.00` past the first writes
    await _handed_over_storing(shared_sqlite, vault, caplog, text, per_day(exact_buckets(text)))


async def _handed_over_storing(engine: AsyncEngine, vault: Vault,
                               caplog: pytest.LogCaptureFixture, text: str,
                               days: dict[date, Decimal]) -> None:
    """Import `text`, whose fast reader hands over to the row-by-row one: it must say so,
    total the file, and store exactly `days` (micro-unit amounts: exact)."""
    org, conn = await fresh_connection(engine, vault, "focus")
    with caplog.at_level(logging.DEBUG, logger=focus_import.__name__):
        async with session_factory(engine)() as session, session.begin():
            result = await import_focus(session, FILES, org, conn, io.BytesIO(text.encode()),
                                        now=NOW)
    assert "row-by-row" in caplog.text
    assert result.totals == {"USD": sum(days.values(), Decimal(0))}
    assert await stored_days(engine, conn) == days


def two_day_file(rows: int, *, bad_at: int) -> tuple[str, dict[date, Decimal]]:
    """Rows of two days each (spread by day, so staged through the aggregator) over a few
    resources, row `bad_at` with a `$` cost; and the day totals a correct import stores."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    lines: list[str] = [HEADER]
    days: dict[date, Decimal] = defaultdict(Decimal)
    for i in range(rows):
        first = start + timedelta(days=i // 7)
        cost = '"$1,000.00"' if i == bad_at else "0.02"
        amount = Decimal(1000) if i == bad_at else Decimal("0.02")
        lines.append(f"{cost},{cost},NULL,USD,{first:%Y-%m-%dT%H:%M:%SZ},"
                     f"{first + timedelta(days=2):%Y-%m-%dT%H:%M:%SZ},Usage-Based,"
                     f"vm-{i % 7},Compute,,ru-1,\n")
        for day in (first.date(), first.date() + timedelta(days=1)):
            days[day] += amount / 2
    return "".join(lines), dict(days)


@pytest.mark.usefixtures("small_batches")
async def test_hand_over_after_spread_rows_were_staged_loses_none_of_them(
        engine: AsyncEngine, vault: Vault, caplog: pytest.LogCaptureFixture) -> None:
    """Rows spread over days are staged (identities numbered) before the fast reader meets a
    cell it cannot read; the row-by-row reader then numbers identities afresh, so none of
    its lines points at an identity the hand-over dropped (they were lost without a word)."""
    text, days = two_day_file(30_000, bad_at=29_900)
    await _handed_over_storing(engine, vault, caplog, text, days)


@pytest.mark.usefixtures("small_batches")
async def test_bad_cell_late_in_a_big_file_names_its_line_and_keeps_the_old_data(
        shared_sqlite: AsyncEngine, vault: Vault, tmp_path: Path) -> None:
    good = hourly_file(2000)
    org, conn = await fresh_connection(shared_sqlite, vault, "focus")
    async with session_factory(shared_sqlite)() as session, session.begin():
        await import_focus(session, FILES, org, conn, io.BytesIO(good.encode()), now=NOW)
    before = await stored_days(shared_sqlite, conn)
    rows = good.splitlines(keepends=True)
    # a quoted newline and blank lines shift editor lines away from row numbers
    rows[3] = rows[3].replace(",\n", ',"{""note"":\n""two lines""}"\n')
    rows[10:10] = ["\n", "\n"]
    rows[1500] = rows[1500].replace("USD", "US Dollar", 1)
    path = tmp_path / "bad.csv"
    path.write_text("".join(rows), encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        async with session_factory(shared_sqlite)() as session, session.begin():
            await import_focus(session, FILES, org, conn, path, now=NOW)
    assert (err.value.row, err.value.column) == (1502, "BillingCurrency")
    assert "3-letter" in err.value.detail
    assert await stored_days(shared_sqlite, conn) == before  # nothing half-replaced


async def test_official_sample_goes_the_fast_way(shared_sqlite: AsyncEngine, vault: Vault,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    org, conn = await fresh_connection(shared_sqlite, vault, "focus")
    with caplog.at_level(logging.DEBUG, logger=focus_import.__name__):
        async with session_factory(shared_sqlite)() as session, session.begin():
            result = await import_focus(session, FILES, org, conn, OFFICIAL, now=NOW)
    assert "row-by-row" not in caplog.text
    rows, totals, _ = independent(OFFICIAL, "USD")
    assert result.rows == rows
    assert result.totals == totals  # exact, every decimal place
    by_cur, _, _ = await stored(session_factory(shared_sqlite), conn)
    assert by_cur["USD"].quantize(Decimal("0.01")) == totals["USD"].quantize(Decimal("0.01"))


def test_header_only_and_blank_tail_read_as_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(HEADER + "\n\n", encoding="utf-8")
    fast = ArrowFocusReader(path)
    assert daily(fast) == {} == daily(FocusReader(path))
    assert fast.rows == 0


@pytest.mark.parametrize("blob", [
    b"\x1f\x8b" + b"not really gzip" * 10,
    gzip.compress(hourly_file(2000).encode())[:-5000],  # cut short
], ids=["garbage", "truncated"])
async def test_broken_gzip_is_refused_and_stores_nothing(shared_sqlite: AsyncEngine,
                                                         vault: Vault, blob: bytes) -> None:
    org, conn = await fresh_connection(shared_sqlite, vault, "focus")
    with pytest.raises(InvalidInput, match="cannot be decompressed"):
        async with session_factory(shared_sqlite)() as session, session.begin():
            await import_focus(session, FILES, org, conn, io.BytesIO(blob), now=NOW)
    assert await stored_days(shared_sqlite, conn) == {}
