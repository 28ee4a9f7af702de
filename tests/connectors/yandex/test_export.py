"""The billing export CSV parsed from a file the user sends (no S3), and its bad inputs."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.errors import InvalidInput
from connectors.yandex.export import BillingFileReader, invoice_lines, parse_billing_export
from connectors.yandex.s3 import export_day
from core.domain.collection import Window

EXPORT = Path(__file__).parent / "fixtures" / "export"


@pytest.mark.parametrize("path", sorted(EXPORT.glob("*.csv")), ids=lambda p: p.name)
def test_totals_match_the_file(path: Path) -> None:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = sum((Decimal(r["cost"]) for r in rows), Decimal(0))
    expected_net = sum((Decimal(r["cost"]) + Decimal(r["credit"]) for r in rows), Decimal(0))
    with path.open("rb") as fh:
        lines = list(parse_billing_export(fh))
    assert len(lines) == len(rows)
    assert sum((x.billed_cost for x in lines), Decimal(0)) == expected
    assert sum((x.effective_cost or Decimal(0) for x in lines), Decimal(0)) == expected_net


def test_text_stream_with_bom_and_window_filter() -> None:
    text = "\ufeff" + (EXPORT / "2025-06-01.csv").read_text()
    lines = list(parse_billing_export(io.StringIO(text),
                                      window=Window(date(2025, 6, 2), date(2025, 6, 3))))
    assert lines == []
    assert len(list(parse_billing_export(io.StringIO(text)))) == 3


def test_missing_column_is_named() -> None:
    bad = ("cloud_id,folder_id,service_name,sku_id,sku_name,date,currency\n"
           "x,y,z,s,n,2025-06-01,RUB\n")
    with pytest.raises(InvalidInput, match="missing column") as info:
        list(parse_billing_export(io.StringIO(bad)))
    assert info.value.column == "cost"


@pytest.mark.parametrize(("column", "value"), [("cost", "abc"), ("date", "01.06.2025"),
                                               ("cost", "")])
def test_first_bad_row_is_named(column: str, value: str) -> None:
    rows = list(csv.DictReader(io.StringIO((EXPORT / "2025-06-01.csv").read_text())))
    rows[1][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with pytest.raises(InvalidInput) as info:
        list(parse_billing_export(io.StringIO(out.getvalue())))
    assert info.value.row == 3
    assert info.value.column == column


@pytest.mark.parametrize(("key", "day"), [
    ("yc-billing/2025-06-01.csv", date(2025, 6, 1)),
    ("p/dn2abc-2025-12-31.csv", date(2025, 12, 31)),
    ("p/readme.txt", None), ("p/2025-13-01.csv", None)])
def test_export_day_from_the_object_name(key: str, day: date | None) -> None:
    assert export_day(key) == day


@pytest.mark.parametrize("path", sorted(EXPORT.glob("*.csv")), ids=lambda p: p.name)
def test_the_connector_and_a_file_import_store_the_same_lines(path: Path) -> None:
    """The Object Storage path (parse + invoice_lines) and the file path (BillingFileReader)
    agree line by line: Usage at cost, each credit its own Credit line."""
    with path.open("rb") as fh:
        connector = [x for row in parse_billing_export(fh) for x in invoice_lines(row)]
    records = list(BillingFileReader(path))
    assert [(x.billed_cost, x.effective_cost, x.charge_category) for x in connector] == [
        (r[3], r[4], r[8][9]) for r in records]
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    invoice = sum((Decimal(r["cost"]) + Decimal(r["credit"]) for r in rows), Decimal(0))
    assert sum((x.billed_cost for x in connector), Decimal(0)) == invoice
