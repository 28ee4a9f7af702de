"""Yandex Cloud detailed billing export (CSV) → FOCUS cost lines, streamed row by row.

Usable without S3: `parse_billing_export(stream)` reads a file the user sent. One row is one
SKU's consumption per day per folder (providers.md §3.5). The export's `date` is a Moscow
calendar day; InfraZen keeps it as the billing day (ChargePeriodStart = that date 00:00 UTC,
one whole day), so a day's total matches the Yandex console instead of being split across two
UTC days. `parse_billing_export` yields one line per row: EffectiveCost = cost + credit (credit
is negative); ListCost = BilledCost = cost.

What is stored keeps what the invoice shows (`invoice_lines`), for a file sent to an import
(`BillingFileReader`) and for the Object Storage export the connector reads alike: each row is
a Usage line (BilledCost = EffectiveCost = cost) and, when the row has a credit, a Credit line
(ChargeCategory `Credit`, BilledCost = EffectiveCost = credit), so the billed total is
cost + credit and the credits stay visible. The encoding, the delimiter and the decimal mark
are detected as for every file (`connectors.safe_io.open_text_detected`,
`connectors.parsing.NumberReader`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO

from connectors.errors import InvalidInput
from connectors.focus.reader import FocusRecord
from connectors.parsing import NumberReader
from connectors.safe_io import (
    FileFacts,
    ReadLimits,
    RecordGuard,
    TextFormat,
    open_text_detected,
    sample_rows,
)
from core.domain.collection import CostLine, Window

__all__ = ["FORMAT", "REQUIRED_COLUMNS", "BillingFileReader", "invoice_lines",
           "parse_billing_export"]

FORMAT = "Yandex Cloud billing detail"
_NUMBERS = ("cost", "credit", "pricing_quantity")

REQUIRED_COLUMNS = ("cloud_id", "folder_id", "service_name", "sku_id", "sku_name", "date",
                    "currency", "cost")
_LABEL = "label.user_labels."
# Service name prefix → FOCUS ServiceCategory (declarative; unknown → None).
_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Compute Cloud", "Compute"), ("Cloud Functions", "Compute"),
    ("Serverless Containers", "Compute"), ("Managed Service for Kubernetes", "Compute"),
    ("Object Storage", "Storage"), ("Virtual Private Cloud", "Networking"),
    ("Cloud DNS", "Networking"), ("Application Load Balancer", "Networking"),
    ("Network Load Balancer", "Networking"), ("Managed Service for", "Databases"),
    ("Yandex Database", "Databases"), ("Monitoring", "Management and Governance"),
    ("Cloud Logging", "Management and Governance"),
)


def _category(service: str) -> str | None:
    return next((cat for prefix, cat in _CATEGORIES if service.startswith(prefix)), None)


def _number(row: dict[str, str], column: str, line: int, numbers: NumberReader, *,
            required: bool) -> Decimal | None:
    raw = (row.get(column) or "").strip()
    if not raw:
        if required:
            raise InvalidInput(f"row {line}: column {column} is empty", provider="yandex",
                               row=line, column=column)
        return None
    try:
        return numbers(raw)
    except ValueError as exc:
        raise InvalidInput(f"row {line}: column {column}: {exc}", provider="yandex",
                           row=line, column=column) from None


def _day(raw: str, line: int) -> date:
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError as exc:
        raise InvalidInput(f"row {line}: column date: {raw!r} is not a date (YYYY-MM-DD)",
                           provider="yandex", row=line, column="date") from exc


def parse_billing_export(source: IO[bytes] | IO[str], *, window: Window | None = None,
                         limits: ReadLimits | None = None) -> Iterator[CostLine]:
    """Yield one cost line per CSV row; the first bad row raises InvalidInput naming it.
    A line, a record or the file past `limits` raises InvalidInput before it is held."""
    limits = limits or ReadLimits()
    probe = source.read(0)
    if isinstance(probe, bytes):
        text, fmt = open_text_detected(source, limits, provider="yandex")  # type: ignore[arg-type]
    else:  # already text (tests, S3 helpers that decoded it)
        head = source.read()
        assert isinstance(head, str)
        fmt = TextFormat(encoding="utf-8", delimiter=",", sample=head[:1 << 16])
        text = io.StringIO(head, newline="")
    yield from _parse(text, fmt, window, limits, _State())


class _State:
    """What one read found out (the number style, for the summary)."""

    numbers: NumberReader | None = None


def _parse(text: IO[str], fmt: TextFormat, window: Window | None, limits: ReadLimits,
           state: _State) -> Iterator[CostLine]:
    guard = RecordGuard(text, limits, provider="yandex")
    try:
        yield from _rows(guard, fmt, window, state)
    except UnicodeDecodeError:
        raise InvalidInput(f"the file is not {fmt.encoding_label} text after all "
                           f"({fmt.describe()} from its first bytes): save it as CSV UTF-8",
                           provider="yandex") from None
    except csv.Error as exc:
        raise InvalidInput(f"not a readable CSV file: {exc} ({fmt.describe()})",
                           provider="yandex") from None


def _rows(guard: RecordGuard, fmt: TextFormat, window: Window | None,
          state: _State) -> Iterator[CostLine]:
    reader = csv.DictReader(guard, delimiter=fmt.delimiter)
    header = [name.strip().lstrip("\ufeff") for name in reader.fieldnames or []]
    reader.fieldnames = header
    guard.held = 0
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"not a Yandex Cloud billing export: missing column(s) "
                           f"{', '.join(missing)} ({fmt.describe()})", provider="yandex",
                           row=1, column=missing[0])
    sample = sample_rows(fmt)
    wanted = [i for i, name in enumerate(header) if name in _NUMBERS]
    numbers = state.numbers = NumberReader.from_sample(
        row[i] for row in sample[1:] for i in wanted if i < len(row) and row[i].strip())
    labels = [c for c in header if c.startswith(_LABEL)]
    for row in reader:
        guard.held = 0
        line = reader.line_num
        day = _day(row.get("date") or "", line)
        if window is not None and not (window.start <= day < window.end):
            continue
        cost = _number(row, "cost", line, numbers, required=True)
        assert cost is not None
        credit = _number(row, "credit", line, numbers, required=False) or Decimal(0)
        start = datetime.combine(day, time(), UTC)
        folder = (row.get("folder_name") or "").strip()
        cloud = (row.get("cloud_name") or "").strip()
        service = (row.get("service_name") or "").strip()
        yield CostLine(
            charge_period_start=start, charge_period_end=start + timedelta(days=1),
            billed_cost=cost, effective_cost=cost + credit, list_cost=cost,
            billing_currency=(row.get("currency") or "RUB").strip() or "RUB",
            service_name=service or None, service_category=_category(service),
            resource_id=(row.get("resource_id") or "").strip() or None,
            sub_account_id=(row.get("folder_id") or "").strip() or None,
            sub_account_name="/".join(p for p in (cloud, folder) if p) or None,
            provider_name="Yandex Cloud", charge_description=(row.get("sku_name") or None),
            pricing_quantity=_number(row, "pricing_quantity", line, numbers, required=False),
            pricing_unit=(row.get("pricing_unit") or "").strip() or None,
            sku_id=(row.get("sku_id") or "").strip() or None,
            tags={c[len(_LABEL):]: row[c] for c in labels if row.get(c)})


class BillingFileReader:
    """A billing-detail file as import records (see the module doc: Usage + Credit records);
    `rows` counts CSV rows, `facts` says how the file was read."""

    def __init__(self, source: str | Path | IO[bytes], *,
                 limits: ReadLimits | None = None) -> None:
        self.source = source
        self.limits = limits or ReadLimits()
        self.rows = 0
        self.facts: FileFacts | None = None

    def __iter__(self) -> Iterator[FocusRecord]:
        text, fmt = open_text_detected(self.source, self.limits, provider="yandex")
        state = _State()
        try:
            for line in _parse(text, fmt, None, self.limits, state):
                self.rows += 1
                if self.facts is None and state.numbers is not None:
                    self.facts = fmt.facts(FORMAT, state.numbers.style)
                yield from _records(line)
        finally:
            text.close()
        self.facts = fmt.facts(FORMAT, state.numbers.style if state.numbers else None)


def invoice_lines(line: CostLine) -> Iterator[CostLine]:
    """A parsed row as the invoice shows it: the Usage line at its cost, then its credit (if
    any) as a Credit line; the two sum to cost + credit. Both import paths store these."""
    net = line.effective_cost if line.effective_cost is not None else line.billed_cost
    credit = net - line.billed_cost
    yield replace(line, effective_cost=line.billed_cost)
    if credit:
        yield replace(line, billed_cost=credit, effective_cost=credit, list_cost=None,
                      pricing_quantity=None, charge_category="Credit")


def _records(row: CostLine) -> Iterator[FocusRecord]:
    tags = json.dumps(row.tags, sort_keys=True, ensure_ascii=False) if row.tags else ""
    for line in invoice_lines(row):
        ident = (line.resource_id, line.resource_name, line.resource_type, line.service_name,
                 line.service_category, line.sku_id, line.region_id, line.sub_account_id,
                 line.sub_account_name, line.charge_category, line.billing_currency.upper(),
                 line.pricing_unit, line.provider_name, tags)
        yield (line.charge_period_start, line.charge_period_end, False, line.billed_cost,
               line.effective_cost, line.list_cost, None, line.pricing_quantity, ident)
