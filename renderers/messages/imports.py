"""The summary of a file import, the same words in the bot and the CLI.

Says how the file was read (format, encoding, delimiter, decimal mark: a user who sent a
Russian Excel file sees «десятичная запятая» and can tell a wrong guess at once), what the
import replaced and what it left alone in the same days (and the days a re-import found
unchanged), and the totals per currency.
"""

from __future__ import annotations

from core.services.focus_import import ImportResult
from renderers.format import fmt_money
from renderers.i18n import t

__all__ = ["import_summary_lines"]

_FORMATS = {"Yandex Cloud billing detail": "connect.import.format_yandex",
            "manual CSV": "connect.import.format_manual"}


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{provider} {count}" for provider, count in sorted(counts.items()))


def import_summary_lines(result: ImportResult, lang: str, *, totals: bool = True) -> list[str]:
    """Lines after "Imported N rows…": how it was read, replaced, left alone, totals."""
    lines: list[str] = []
    facts = result.facts
    if facts is not None:
        name = _FORMATS.get(facts.format)
        decimal = t(f"connect.import.decimal_{facts.decimal or 'none'}", lang)
        delimiter = (t("connect.import.delimiter_tab", lang) if facts.delimiter == "tab"
                     else f"«{facts.delimiter}»")
        lines.append(t("connect.import.read_as", lang,
                       format=t(name, lang) if name else facts.format,
                       encoding=facts.encoding, delimiter=delimiter, decimal=decimal))
    if result.replaced:
        lines.append(t("connect.import.replaced", lang, items=_counts(result.replaced)))
    if result.kept:
        lines.append(t("connect.import.kept", lang, items=_counts(result.kept)))
    if result.unchanged_days:
        lines.append(t("connect.import.unchanged", lang, days=result.unchanged_days))
    if totals and result.totals:
        lines.append(t("connect.import.totals", lang, totals=", ".join(
            fmt_money(amount, currency, lang, kopecks=True)
            for currency, amount in result.totals.items())))
    return lines
