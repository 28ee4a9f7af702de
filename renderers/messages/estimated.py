"""The «включает оценку за N дн. (Beget)» line every place showing estimated days adds.

A provider without billing history (Beget) tells today's price only; days never observed are
estimates (`core.services.estimated`). Chat answers, the PDF brief and its caption word it the
same way, one provider after another.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.currency import LeftOut
from core.domain.providers import PROVIDER_NAMES
from core.domain.reports import EstimatedDays
from renderers.i18n import t
from renderers.messages.answers_common import esc
from renderers.messages.rates import left_out_lines

__all__ = ["caption_notes", "estimated_line"]


def estimated_line(items: Sequence[EstimatedDays], lang: str) -> str | None:
    """`Включает оценку за 3 дн. (Beget)`; None when no day of the period is an estimate."""
    if not items:
        return None
    return "; ".join(t("answers.estimated", lang, days=item.days,
                       provider=PROVIDER_NAMES.get(item.provider, item.provider))
                     for item in items)


def caption_notes(left_out: Sequence[LeftOut], estimated: Sequence[EstimatedDays],
                  lang: str) -> str:
    """What a brief's caption adds under its total (Telegram HTML): the amounts left out for
    want of a rate and the estimated days; empty when there is neither."""
    lines = [("⚠️ " if n == 0 else "") + esc(line)
             for n, line in enumerate(left_out_lines(left_out, lang, hint="bot"))]
    if (line := estimated_line(estimated, lang)) is not None:
        lines.append("ℹ️ " + esc(line))
    return "\n" + "\n".join(lines) if lines else ""
