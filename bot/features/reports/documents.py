"""The files /report and /export send: built from core services, rendered off the event loop.

Each builder returns a `Document` (bytes or a temp file, its name, its caption) or None when
the period holds no costs, so the handler says so instead of sending an empty file.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel import Locale
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.reports.callbacks import ExportFormat
from bot.features.reports.periods import ExportRange
from bot.i18n import esc
from core.clock import Clock
from core.services import costs
from core.services.brief import BriefPeriod, build_brief
from core.services.exports import chargeback_rows, iter_export_lines, summary_rows
from core.services.orgs import OrgRef
from core.workers import run_cpu
from renderers.exports.csv_export import render_chargeback_csv, render_summary_csv
from renderers.exports.focus_export import write_focus_csv
from renderers.format import fmt_money, fmt_number
from renderers.i18n import t
from renderers.messages.answers_common import period_label
from renderers.messages.estimated import caption_notes
from renderers.pdf import render_brief

__all__ = ["MAX_UPLOAD", "Document", "brief_document", "export_document", "has_costs", "rows_text"]

_LOCALES = {"ru": "ru_RU", "en": "en_US"}
MAX_UPLOAD = 50 * 1024 * 1024  # the Bot API's limit for documents a bot sends


@dataclass(frozen=True, slots=True)
class Document:
    """What to send: `content` in memory or at `path` (a temp file removed after sending)."""

    filename: str
    caption: str
    content: bytes | None = None
    path: Path | None = None

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else len(self.content or b"")


async def has_costs(session: AsyncSession, org_id: int, start: date | None = None,
                    end: date | None = None) -> bool:
    """Whether the org has any cost line at all, or any overlapping [start, end]."""
    span = await costs.data_range(session, org_id)
    if span is None:
        return False
    if start is None or end is None:
        return True
    return not (span[1] < start or span[0] > end)


def rows_text(count: int, lang: str) -> str:
    """`1 строка`, `3 строки`, `1 395 строк` / `1 row`, `1,395 rows` (CLDR plural rules)."""
    form = Locale.parse(_LOCALES.get(lang, "ru_RU")).plural_form(count)
    return t(f"reports.export.rows.{form}", lang, count=fmt_number(count, lang))


async def brief_document(session: AsyncSession, org: OrgRef, period: BriefPeriod, lang: str,
                         clock: Clock) -> Document | None:
    """The CFO brief of `period` as a PDF in `lang`; None when the period has no costs."""
    if not await has_costs(session, org.id, period.start, period.end):
        return None
    data = await build_brief(session, org.id, period, lang, clock)
    pdf = await run_cpu(render_brief, data)  # ~1 s of CPU: in a worker process, off the loop
    caption = t("reports.report.caption", lang, org=esc(data.org_name),
                period=esc(data.period_label),
                edition=t(f"reports.report.edition.{data.edition}", lang),
                total=fmt_money(data.kpis.total, data.currency, lang))
    caption += caption_notes(data.left_out, data.estimated, lang)  # no rate, estimated days
    return Document(f"infrazen-brief-{period.key}.pdf", caption, content=pdf)


@asynccontextmanager
async def export_document(session: AsyncSession, org: OrgRef, fmt: ExportFormat,
                          span: ExportRange, lang: str) -> AsyncIterator[Document | None]:
    """The export as a document; a FOCUS file lives in a temp directory until the block ends."""
    name = f"infrazen-{fmt.value}-{span.tag}.csv"
    if fmt is ExportFormat.FOCUS:
        with tempfile.TemporaryDirectory(prefix="infrazen-export-") as folder:
            path = Path(folder) / name
            # Streamed row by row into a file: a long period does not have to fit in memory.
            with path.open("w", encoding="utf-8", newline="") as handle:  # noqa: ASYNC230
                count = await write_focus_csv(
                    iter_export_lines(session, org.id, span.start, span.end), handle)
            yield _export(name, fmt, span, org, lang, count, path=path) if count else None
        return
    if fmt is ExportFormat.CHARGEBACK:
        charged = await chargeback_rows(session, org.id, span.start, span.end)
        count, content = len(charged), render_chargeback_csv(charged)
    else:
        summary = await summary_rows(session, org.id, span.start, span.end)
        count, content = len(summary), render_summary_csv(summary)
    yield _export(name, fmt, span, org, lang, count, content=content) if count else None


def _export(name: str, fmt: ExportFormat, span: ExportRange, org: OrgRef, lang: str,
            count: int, *, content: bytes | None = None, path: Path | None = None) -> Document:
    caption = t("reports.export.caption", lang, org=esc(org.name),
                format=t(f"reports.export.format.{fmt.value}", lang),
                period=period_label(span.start, span.end, lang), rows=rows_text(count, lang))
    return Document(name, caption, content=content, path=path)
