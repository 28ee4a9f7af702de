"""Spreadsheet-friendly CSVs: costs by day × provider × service × project, and chargeback."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from core.domain.providers import PROVIDER_NAMES
from core.services.exports import ChargebackRow, SummaryRow

__all__ = ["render_chargeback_csv", "render_summary_csv"]


def _money(value: object) -> str:
    return f"{value:.2f}"


def render_summary_csv(rows: Sequence[SummaryRow]) -> bytes:
    """UTF-8 with BOM so Excel opens Cyrillic correctly; a dot as decimal separator."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "provider", "service", "project", "cost", "currency"])
    for r in rows:
        writer.writerow([r.day.isoformat(), PROVIDER_NAMES.get(r.provider, r.provider),
                         r.service, r.project, _money(r.cost), r.currency])
    return out.getvalue().encode("utf-8-sig")


def render_chargeback_csv(rows: Sequence[ChargebackRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["team", "project", "environment", "cost_center", "cost", "currency",
                     "share_percent"])
    for r in rows:
        writer.writerow([r.team, r.project, r.environment, r.cost_center, _money(r.cost),
                         r.currency, f"{r.share * 100:.2f}"])
    return out.getvalue().encode("utf-8-sig")
