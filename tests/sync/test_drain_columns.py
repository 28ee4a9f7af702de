"""The file imports' column-wise drain stages exactly the lines the row-wise drain builds:
same days, identities, amounts, providers, periods, tags, totals and covered spans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.services.sync.costs import DailyAggregator


def _fill(agg: DailyAggregator) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for i in range(400):
        begin = start + timedelta(hours=5 * i)
        multi = i % 11 == 0  # a few rows spread over several days
        end = begin + (timedelta(days=3, hours=1) if multi else timedelta(hours=1))
        currency = "EUR" if i % 7 == 0 else "USD"
        name = [None, "AWS", "Microsoft", "Yandex Cloud", ""][i % 5]
        tags = "" if i % 3 else '{"env": "prod", "team": "тест"}'
        ident = (f"r-{i % 13}", None, "vm", "Compute", None, f"sku-{i % 4}", "eu-1",
                 f"acct-{i % 2}" if i % 4 else None, None, None if i % 6 else "Credit",
                 currency, "Hours", name, tags)
        agg.add_raw(begin, end, i % 17 == 0, Decimal(f"{i}.123456789012"),
                    None if i % 2 else Decimal(f"-{i}.5"), Decimal("0.000000000001"),
                    None, Decimal(i % 3), ident)


def test_column_drain_equals_row_drain() -> None:
    by_rows, by_columns = DailyAggregator(provider="focus"), DailyAggregator(provider="focus")
    _fill(by_rows)
    _fill(by_columns)
    rows = by_rows.drain(org_id=3, connection_id=7, source="focus", fingerprints=False)
    columns = by_columns.drain_columns(org_id=3, connection_id=7, source="focus")
    assert len(rows) > 100
    assert set(columns) == set(rows[0])
    as_rows: list[dict[str, Any]] = [dict(zip(columns, values, strict=True))
                                     for values in zip(*columns.values(), strict=True)]
    assert as_rows == rows
    assert by_columns.totals == by_rows.totals
    assert set(by_columns.totals) == {"EUR", "USD"}
    assert by_columns.covered == by_rows.covered
    assert by_columns.buckets == {}
    assert by_columns.drain_columns(org_id=3, connection_id=7, source="focus") == {}
