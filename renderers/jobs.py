"""The renderers behind `core.ports.JobRendering`: what the periodic jobs send, worded.

Core's jobs decide who gets which alert, digest, brief or notice; this module turns the records
into texts, the digest chart and the brief PDF (the last two in the CPU pool). The composition
root (`bot.runner`, the CLI) hands `RENDERING` to the scheduler.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from core.db.models import AlertEvent
from core.domain.reports import BriefData
from core.ports import DigestMessage, JobRendering
from core.services.digest import DigestData
from core.workers import run_cpu
from renderers.format import fmt_money
from renderers.i18n import t
from renderers.messages.alerts import AlertView, render_alerts
from renderers.messages.digest import CAPTION_LIMIT, render_digest, render_digest_chart
from renderers.messages.estimated import caption_notes
from renderers.pdf import render_brief

__all__ = ["RENDERING", "JobRenderers"]


def _signed(label: str, delta: Decimal, currency: str, lang: str) -> str:
    return f"{label} {'+' if delta >= 0 else '−'}{fmt_money(abs(delta), currency, lang)}"


class JobRenderers:
    """`JobRendering` with the message catalogues, the charts and the PDF brief."""

    def alerts(self, events: Sequence[AlertEvent], lang: str) -> str:
        return render_alerts([AlertView(e.id, e.rule, e.severity, dict(e.payload or {}))
                              for e in events], lang)

    def digest(self, data: DigestData, lang: str) -> DigestMessage:
        """A caption past Telegram's limit keeps the first line; the text follows apart."""
        text = render_digest(data, lang)
        caption = text if len(text) <= CAPTION_LIMIT else text.split("\n", 1)[0]
        return DigestMessage(caption, text)

    async def digest_chart(self, data: DigestData, lang: str) -> bytes:
        return await run_cpu(render_digest_chart, data, lang)

    async def brief_pdf(self, data: BriefData) -> bytes:
        return await run_cpu(render_brief, data)

    def brief_caption(self, data: BriefData) -> str:
        """Period, total, what moved since the preliminary edition, and what the sums leave
        out (amounts without a rate, estimated days)."""
        lang = data.lang
        changes = ", ".join(_signed(c.label, c.after - c.before, data.currency, lang)
                            for c in data.changes_since_preliminary)
        caption = t(f"digest.brief.{data.edition}", lang, period=data.period_label,
                    total=fmt_money(data.kpis.total, data.currency, lang),
                    changes=changes or t("digest.brief.no_changes", lang))
        return caption + caption_notes(data.left_out, data.estimated, lang)

    def notice(self, key: str, lang: str, /, **params: object) -> str:
        return t(f"alerts.notice.{key}", lang, **params)


RENDERING: JobRendering = JobRenderers()
