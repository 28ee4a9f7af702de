"""The columnar import path: summed daily lines handed over as columns (`DailyColumns`) carry
the same amounts, rounded as the database stores them, as the records of the row reader."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.dialects import sqlite

from connectors.focus import arrow_reader
from connectors.focus.arrow_reader import ArrowFocusReader, FastPathUnavailable
from connectors.focus.reader import FocusReader
from core.db.types import COST_SCALE, CostMoney
from core.domain.billing_files import DailyColumns
from core.domain.limits import ReadLimits
from core.services.sync.costs import DailyAggregator
from tests.sync.test_focus_import_fast import HEADER, hourly_file

_to_units = CostMoney().process_bind_param
SMALL = ReadLimits(max_line_bytes=1000)  # blocks of ~4 KB: dozens of windows per file


def _columns(reader: ArrowFocusReader) -> tuple[dict[tuple[Any, ...], list[Any]], int]:
    """(day, identity) → [billed, effective, list] in nano-units, and how many lines."""
    sums: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, 0, None])
    lines = 0
    identities: dict[int, tuple[str | None, ...]] = {}  # each handed out once, with its number
    for chunk in reader.daily_columns(COST_SCALE):
        assert isinstance(chunk, DailyColumns), "a single-day file has no multi-day records"
        assert not identities.keys() & set(chunk.fresh_numbers)
        identities.update(zip(chunk.fresh_numbers, chunk.fresh_idents, strict=True))
        lines += len(chunk)
        for n, ordinal in enumerate(chunk.day.tolist()):
            got = sums[(date.fromordinal(ordinal), identities[int(chunk.number[n])])]
            got[0] += int(chunk.billed[n])
            got[1] += int(chunk.effective[n])
            listed = chunk.list_cost.at(n) if chunk.list_cost is not None else None
            if listed is not None:
                got[2] = (got[2] or 0) + listed
    return dict(sums), lines


def _records(path: Path) -> dict[tuple[Any, ...], list[Any]]:
    agg = DailyAggregator(provider="other")
    for record in FocusReader(path):
        agg.add_raw(*record)
    dialect = sqlite.dialect()
    return {key: [_to_units(b, dialect), _to_units(e, dialect),
                  None if lc is None else _to_units(lc, dialect)]
            for key, (b, e, lc, _, _) in agg.buckets.items()}


@pytest.mark.parametrize("group_rows", [200, 1 << 14])
def test_columns_carry_the_row_readers_sums_one_line_per_day_and_identity(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, group_rows: int) -> None:
    # small windows: a day's hours straddle many windows and must still make one line
    monkeypatch.setattr(arrow_reader, "GROUP_ROWS", group_rows)
    monkeypatch.setattr(arrow_reader, "BLOCK", 4096)
    path = tmp_path / "hourly.csv"
    path.write_text(hourly_file(3000, price="0.000000012345"), encoding="utf-8")
    got, lines = _columns(ArrowFocusReader(path, limits=SMALL))
    expected = _records(path)
    assert got == expected
    assert lines == len(expected)


def test_columns_handed_out_in_many_chunks_keep_every_amount(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrow_reader, "GROUP_ROWS", 200)
    monkeypatch.setattr(arrow_reader, "BLOCK", 4096)
    monkeypatch.setattr(arrow_reader, "EMIT_ROWS", 10)  # a chunk every window
    path = tmp_path / "hourly.csv"
    # nine places: a day split over chunks is stored as lines that add up exactly
    path.write_text(hourly_file(3000, price="0.000012345"), encoding="utf-8")
    chunks = list(ArrowFocusReader(path, limits=SMALL).daily_columns(COST_SCALE))
    assert len(chunks) > 5
    got, _ = _columns(ArrowFocusReader(path, limits=SMALL))
    assert got == _records(path)


def test_amounts_round_half_to_even_at_nine_places(tmp_path: Path) -> None:
    path = tmp_path / "halves.csv"
    cells = ["0.0000000005", "0.0000000015", "-0.0000000025", "1.2345678905"]
    path.write_text(HEADER + "".join(
        f"{c},{c},NULL,USD,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z,Usage-Based,"
        f"vm-{i},Compute,,ru-1,\n" for i, c in enumerate(cells)), encoding="utf-8")
    got, _ = _columns(ArrowFocusReader(path))
    billed = sorted(v[0] for v in got.values())
    assert billed == sorted(int(_to_units(Decimal(c), sqlite.dialect()) or 0) for c in cells)
    assert billed == sorted([0, 2, -2, 1234567890])


def test_an_amount_past_64_bits_is_left_to_the_row_reader(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "99999999999999.5,1,NULL,USD,2026-03-01T00:00:00Z,"
                    "2026-03-02T00:00:00Z,Usage-Based,vm-1,Compute,,ru-1,\n", encoding="utf-8")
    with pytest.raises(FastPathUnavailable):
        list(ArrowFocusReader(path).daily_columns(COST_SCALE))


def _numbered_like_a_dict(numbering: arrow_reader._Numbering, tops: tuple[int, ...]) -> None:
    """Feed chunks of random identities (ids below each `top`, with some of those seen
    before) and check every number against a dict's."""
    expected: dict[tuple[int, int, int], int] = {}
    rng = random.Random(7)
    for top in tops:
        rows = [(rng.randrange(top), rng.randrange(4), rng.randrange(top)) for _ in range(300)]
        rows += rng.sample(sorted(expected), min(100, len(expected)))  # seen in earlier chunks
        rng.shuffle(rows)
        first = len(expected) + 1
        new = [row for row in dict.fromkeys(rows) if row not in expected]
        expected.update((row, first + n) for n, row in enumerate(new))
        got, fresh = numbering.numbers(np.array(rows, np.int64), first)
        assert got.tolist() == [expected[row] for row in rows], top
        assert [tuple(row) for row in fresh.tolist()] == new, top


def test_identities_keep_one_number_whatever_their_ids_need() -> None:
    """Each identity gets one number for the whole read, the first time a line names it, in
    the order lines name them, however many bits its ids need together (three 41-bit ids
    here; a daily AWS month's 14 fields need 84): no dict per line."""
    numbering = arrow_reader._Numbering(3)
    _numbered_like_a_dict(numbering, (3, 3, 300, 70_000, 70_000, 2**40, 2**41, 5))
    assert numbering.by_row is None


def test_a_hash_collision_never_merges_two_identities(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a hash that collides all the time (only the first field's id, mod 8), every
    identity still gets a number of its own: the match is checked against the ids, and the
    numbering goes on by dict, with the numbers it gave before."""
    monkeypatch.setattr(arrow_reader._Numbering, "_hash",
                        staticmethod(lambda rows: (rows[:, 0] % 8).astype(np.uint64)))
    numbering = arrow_reader._Numbering(3)
    _numbered_like_a_dict(numbering, (3, 3, 300, 70_000, 5))
    assert numbering.by_row is not None
