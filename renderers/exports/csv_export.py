"""Spreadsheet-friendly CSVs: costs by day × provider × service × project, and chargeback.

Text cells go through `cells.text_cell` (a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`,
OWASP's CSV-injection advice); cost and share cells are numbers we format, never touched, so a
credit stays `-12.50`. Chargeback shares are of the row's own currency total.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from core.domain.providers import PROVIDER_NAMES
from core.services.exports import ChargebackRow, SummaryRow
from renderers.exports.cells import text_cell

__all__ = ["render_chargeback_csv", "render_summary_csv"]


def _money(value: object) -> str:
    return f"{value:.2f}"


def render_summary_csv(rows: Sequence[SummaryRow]) -> bytes:
    """UTF-8 with BOM so Excel opens Cyrillic correctly; a dot as decimal separator."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CR or LF in a cell is quoted
    writer.writerow(["date", "provider", "service", "project", "cost", "currency"])
    for r in rows:
        writer.writerow([r.day.isoformat(),
                         text_cell(PROVIDER_NAMES.get(r.provider, r.provider)),
                         text_cell(r.service), text_cell(r.project), _money(r.cost),
                         text_cell(r.currency)])
    return out.getvalue().encode("utf-8-sig")


def render_chargeback_csv(rows: Sequence[ChargebackRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CR or LF in a cell is quoted
    writer.writerow(["team", "project", "environment", "cost_center", "cost", "currency",
                     "share_percent"])
    for r in rows:
        writer.writerow([text_cell(r.team), text_cell(r.project), text_cell(r.environment),
                         text_cell(r.cost_center), _money(r.cost), text_cell(r.currency),
                         f"{r.share * 100:.2f}"])
    return out.getvalue().encode("utf-8-sig")
