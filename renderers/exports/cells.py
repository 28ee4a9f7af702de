"""Spreadsheet-safe CSV cells (OWASP "CSV Injection").

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(...)`).
Provider names, resource names, tags and project names come from cloud accounts and files other
people control, so every *text* cell an export writes goes through `text_cell`, which prefixes
such a value with a single quote: spreadsheets then show it as text, verbatim after the quote.
Number cells are written by our own formatters (`-12.50` for a credit) and are never passed
here, so negative amounts stay numbers. The csv module's quoting takes care of separators,
quotes and line breaks inside a cell.
"""

from __future__ import annotations

__all__ = ["FORMULA_TRIGGERS", "text_cell"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str | None) -> str:
    """`value` made inert for spreadsheets; None and "" stay empty."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
