"""Readers of provider values.

Lenient ones for API fields: numbers that arrive as strings, numbers or "", and RFC 3339
stamps with a nanosecond fraction; a value we cannot read is None, never an error (these feed
optional record fields, not money that must add up). And the strict one every billing-file
reader uses for money (`NumberReader`): one decimal mark per file, decided once, and a cell
that contradicts it or could mean two numbers refused rather than guessed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.domain.money import MoneyParseError, parse_decimal

__all__ = ["COMMA", "POINT", "NumberReader", "number_shape", "optional_decimal", "optional_int",
           "parse_rfc3339"]


def optional_decimal(value: Any, field: str = "value") -> Decimal | None:
    """A number sent as a string or a number, sometimes empty: parsed leniently, else None."""
    if value is None or value == "":
        return None
    try:
        return parse_decimal(value, field=field)
    except MoneyParseError:
        return None


def optional_int(value: Any, field: str = "value") -> int | None:
    """`optional_decimal`, truncated to an int."""
    number = optional_decimal(value, field)
    try:
        return int(number) if number is not None else None
    except ValueError:  # a Decimal NaN passed through as is
        return None


def parse_rfc3339(text: str | None) -> datetime | None:
    """`2025-10-11T05:12:44.123456789Z` (UTC, optional fraction) → aware datetime (µs)."""
    if not text:
        return None
    base, _, frac = text.rstrip("Z").partition(".")
    try:
        stamp = datetime.fromisoformat(base + "+00:00")
    except ValueError:
        return None
    return stamp.replace(microsecond=int(frac[:6].ljust(6, "0"))) if frac.isdigit() else stamp


# --- numbers in files: one rule for every reader -------------------------------------------

POINT, COMMA = ".", ","
_SPACES = " \u00a0\u202f\u2009'\u2019"  # space, no-break, narrow no-break, thin, apostrophes
_SYMBOLS = "$€£₽¥"
_MINUS = "-\u2212"
_SPACED = re.compile("^\\d{1,3}(?:[" + _SPACES + "]\\d{3})+(?:[.,]\\d+)?$")
_PLAIN = re.compile(r"^\d*(?:[.,]\d*)?(?:[eE][+-]?\d+)?$")
_DIGITS_AND_MARKS = re.compile(r"^\d[\d.,]*$")
_NAMES = {POINT: "point", COMMA: "comma"}


def _grouped(body: str, group: str, decimal: str | None) -> bool:
    """`1,234,567` / `1.234,5`: groups of three after a first group of one to three."""
    pattern = "^\\d{1,3}(?:" + re.escape(group) + "\\d{3})+"
    if decimal:
        pattern += re.escape(decimal) + "\\d*"
    return re.fullmatch(pattern + "$", body) is not None


def number_shape(body: str) -> tuple[str | None, str | None, bool]:
    """What one cell's digits and marks say: (decimal mark, grouping mark, ambiguous).

    `0,125`, `1,5`, `1.234,56`, `1,234,567` decide the file's decimal mark; `1,500` and
    `1.500` are ambiguous (a decimal with three places, or a thousands group) and decide
    nothing; `12` says nothing. ValueError when the marks form no number at all."""
    dots, commas = body.count(POINT), body.count(COMMA)
    if dots and commas:
        decimal = POINT if body.rfind(POINT) > body.rfind(COMMA) else COMMA
        group = COMMA if decimal == POINT else POINT
        if body.count(decimal) != 1 or not _grouped(body, group, decimal):
            raise ValueError("mixes '.' and ',' in a way no number is written")
        return decimal, group, False
    mark = POINT if dots else COMMA if commas else None
    if mark is None:
        return None, None, False
    if body.count(mark) > 1:
        if not _grouped(body, mark, None):
            raise ValueError(f"has several '{mark}' that are not thousands groups")
        return (COMMA if mark == POINT else POINT), mark, False
    whole, _, fraction = body.partition(mark)
    if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0":
        return None, None, True
    return mark, None, False


class NumberReader:
    """One file's way of writing numbers, decided once, then held to.

    The decimal mark (point or comma) comes from the first cells that show it (a bounded
    sample, majority wins, else the first such cell met); thousands may be grouped with spaces
    (also no-break and narrow no-break), apostrophes, or the other mark; a sign may lead
    (`-`, `+`, `−`), trail (`5.00-`) or be parentheses (`(5.00)`); a currency symbol is
    dropped. A cell that contradicts the file (`1,5` in a file of `1.5`), or that could mean
    two numbers while nothing in the file tells which (`1,500`: 1.5 or 1500?), raises
    ValueError: never a silent ×1000."""

    __slots__ = ("decimal", "evidence", "groups")

    def __init__(self, decimal: str | None = None) -> None:
        self.decimal = decimal
        self.evidence: str | None = None  # the first cell that showed the mark
        self.groups: set[str] = set()

    @classmethod
    def from_sample(cls, cells: Iterable[str]) -> NumberReader:
        """Decide the decimal mark from a sample of the file's number cells (majority)."""
        votes: dict[str, int] = {}
        first: dict[str, str] = {}
        groups: set[str] = set()
        for cell in cells:
            try:
                _, body = _split_sign(cell)
                decimal, group, _ = number_shape(body)
            except ValueError:
                continue
            if decimal:
                votes[decimal] = votes.get(decimal, 0) + 1
                first.setdefault(decimal, cell.strip())
            if group:
                groups.add(group)
        reader = cls()
        if votes:
            reader.decimal = max(votes, key=lambda mark: votes[mark])
            reader.evidence = first[reader.decimal]
        reader.groups = {g for g in groups if g != reader.decimal}
        return reader

    @property
    def style(self) -> str | None:
        """`point`, `comma`, or None while no cell has shown a decimal mark."""
        return _NAMES.get(self.decimal or "")

    def __call__(self, text: str) -> Decimal:
        if self.decimal == POINT and COMMA not in text and "_" not in text:
            try:
                value = Decimal(text)
            except InvalidOperation:
                pass
            else:
                if not value.is_finite():
                    raise ValueError(f"{text!r} is not a finite number")
                return value
        return self._slow(text)

    def _slow(self, text: str) -> Decimal:
        negative, body = _split_sign(text)
        if not body:
            raise ValueError(f"{text!r} is not a number")
        if any(c in body for c in _SPACES):
            if not _SPACED.match(body):
                raise ValueError(f"{text!r} is not a number (thousands go in groups of three)")
            body = "".join(c for c in body if c not in _SPACES)
        if not (_PLAIN.match(body) or _DIGITS_AND_MARKS.match(body)):
            raise ValueError(f"{text!r} is not a number")
        try:
            decimal, group, ambiguous = number_shape(re.split("[eE]", body)[0])
        except ValueError as exc:
            raise ValueError(f"{text!r} {exc}") from None
        if ambiguous:
            mark = COMMA if COMMA in body else POINT
            if self.decimal == mark:
                decimal = mark
            elif self.decimal is not None and mark in self.groups:
                group = mark
            else:
                raise ValueError(self._ambiguous(text, body, mark))
        if decimal is not None:
            if self.decimal is None:
                self.decimal, self.evidence = decimal, text.strip()
            elif decimal != self.decimal:
                raise ValueError(
                    f"{text!r} is written with a decimal {_NAMES[decimal]}, but this file "
                    f"writes decimals with a {_NAMES[self.decimal]} (e.g. {self.evidence!r})")
        if group is not None:
            self.groups.add(group)
            body = body.replace(group, "")
        body = body.replace(COMMA, POINT)
        try:
            value = Decimal(body)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number") from None
        if not value.is_finite():
            raise ValueError(f"{text!r} is not a finite number")
        return -value if negative else value

    def _ambiguous(self, text: str, body: str, mark: str) -> str:
        whole, _, fraction = body.partition(mark)
        small, big = f"{whole}.{fraction}", f"{whole}{fraction}"
        if self.decimal is None:
            return (f"{text!r} could be {small} or {big}: nothing in the file shows which "
                    f"mark is the decimal one (write {big}, or {small.rstrip('0')})")
        return (f"{text!r} could be {small} or {big}: this file writes decimals with a "
                f"{_NAMES[self.decimal]} (e.g. {self.evidence!r}) and never groups "
                f"thousands with a {_NAMES[mark]}")


def _split_sign(text: str) -> tuple[bool, str]:
    """(negative?, the digits and marks): parentheses, leading or trailing sign, symbols."""
    body = text.strip()
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    body = body.strip(_SYMBOLS).strip()
    if body[:1] in _MINUS or body[:1] == "+":
        negative, body = negative ^ (body[0] in _MINUS), body[1:].lstrip()
    elif body[-1:] in _MINUS and len(body) > 1:
        negative, body = not negative, body[:-1].rstrip()
    return negative, body.strip(_SYMBOLS).strip()
