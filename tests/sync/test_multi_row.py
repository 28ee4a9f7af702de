"""Staging on SQLite packs many rows into one INSERT: every row must land once, in order,
whatever the batch size (whole statements and a shorter last one)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from core.services.focus_import import MULTI_ROW_PARAMS, _multi_row

SQL = "INSERT INTO t (tag, n, name, amount) VALUES ('fixed', ?, ?, ?)"


@pytest.mark.parametrize("count", [1, 332, 333, 334, 1000, 10_000])
def test_every_row_lands_once_in_order(count: int) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (tag TEXT, n INTEGER, name TEXT, amount INTEGER)")
    rows: list[tuple[Any, ...]] = [(n, None if n % 7 else f"r{n}", n * 10 ** 9)
                                   for n in range(count)]
    statements = _multi_row(SQL, rows)
    for statement, params in statements:
        assert all(len(p) <= MULTI_ROW_PARAMS for p in params)
        db.executemany(statement, params)
    stored = db.execute("SELECT tag, n, name, amount FROM t ORDER BY rowid").fetchall()
    assert stored == [("fixed", *row) for row in rows]
    assert len(statements) <= 2


def test_nothing_to_stage() -> None:
    assert _multi_row(SQL, []) == []
