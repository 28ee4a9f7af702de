"""The fast FOCUS reader: Apache Arrow parses the CSV and pre-sums single-day rows.

Why: the row-by-row reader (`reader.py`) makes five Decimals per row in Python and tops out
near 60,000 rows/s; a million-row hourly export must import at 100,000 rows/s or more. Here
Arrow's C++ CSV reader streams the file in 1 MB blocks (bounded memory, gzip inflated on the
way, lines, size and ratio capped by `connectors.safe_io`) with the column types forced: money
as `decimal128(38, 12)` — exact, a cell with more decimals is refused rather than rounded —
and the text columns dictionary-encoded. Blocks are
joined in windows of GROUP_ROWS rows (one dictionary per column), so each distinct time, tag
set or resource id of a window meets Python once, through the same functions the row-by-row
reader uses; a read-ahead thread lets Arrow parse the next window meanwhile.

`daily_columns(scale)` is the importer's way in: the same sums, but single-day lines come as
`DailyColumns` (NumPy columns: amounts rounded half to even to integer units of 10**-scale by
Arrow, an identity number per line), held and summed again across windows until EMIT_ROWS
lines pile up, so the hours of a day that straddle windows still make one line; and when
they are handed out, the newest day's lines stay held for its rows still to come, so a file
in day order (as exports are) makes exactly one line per (day, identity) wherever its
windows fall, and a re-import of it stages the very lines the last one stored. Identities
are numbered by a binary search over the hashes of those seen before, each match checked
against the identity's ids (`_Numbering`), so a line costs no Python work and an identity
costs it once per read (a daily file's lines are each a new (day, identity) pair, but its
identities recur every day).

Output contract of iteration (the same `FocusRecord`s, the same sums): rows that land on one
UTC day (hourly, daily, one-time) come pre-summed per (day, identity) as one record covering that
day; rows spread over several days come one by one, so the daily split stays per row, as
`core.services.sync.rules.split_daily` defines it.

Anything it cannot take exactly raises `FastPathUnavailable`: a file that is not UTF-8 or
whose sampled money cells use a decimal comma (decided as the row-by-row reader decides it),
a bad cell (only the row-by-row reader knows its line), a money cell Arrow does not parse
(`$1,000.00`, `0,125`, 13+ decimals), a ragged row, a header not on line 1. The caller drops
what it stored and reads the file again with `FocusReader`, which imports it or names the
first bad line and column.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.errors import InvalidInput
from connectors.focus.arrow_io import Prefetch, open_stream, windows
from connectors.focus.layout import (
    IDENTITY_COLUMNS,
    MONEY_COLUMNS,
    CellError,
    FocusLayout,
    finish_identity,
)
from connectors.focus.reader import FocusRecord, sample_numbers
from connectors.focus.values import NULLS, CellCache
from connectors.parsing import POINT
from connectors.safe_io import (
    SAMPLE_BYTES,
    FileFacts,
    ReadLimits,
    TextFormat,
    detect_delimiter,
    detect_encoding,
    record_too_long,
)
from core.domain.billing_files import (
    IDENTITY_FIELDS,
    CodedTexts,
    DailyColumns,
    FastPathUnavailable,
    NullableUnits,
)

__all__ = ["MONEY_TYPE", "ArrowFocusReader", "FastPathUnavailable"]

log = logging.getLogger(__name__)

MONEY_TYPE = pa.decimal128(38, 12)
_TEXT = pa.dictionary(pa.int32(), pa.string())
BLOCK = 1 << 20  # bytes per Arrow block; larger blocks cost more memory and no less CPU
GROUP_ROWS = 1 << 14  # rows handled in one go (single-day ones summed); 2^15: +65 MB RSS
EMIT_ROWS = 20_000  # summed lines held (and summed again with later rows) before handed out
HOLD_DAY_ROWS = 200_000  # the newest day's lines held back at most (more: handed out too)
_MEMO_LIMIT = 200_000
_CURRENCY, _PROVIDER, _ACCOUNT = (IDENTITY_FIELDS.index(f) for f in (
    "billing_currency", "provider_name", "sub_account_id"))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DAY = timedelta(days=1)


class _Interner:
    """Ids for one identity field's values: 0 is null, the same stripped value the same id."""

    def __init__(self) -> None:
        self.values: list[str | None] = [None]
        self._ids: dict[str | None, int] = {None: 0}
        self._cells: dict[str, int | None] = {}

    def __len__(self) -> int:
        return len(self._cells)

    def ids(self, column: pa.DictionaryArray) -> pa.Array:
        """Per row, the id of the cell's value (null where the cell is a null marker)."""
        out: list[int | None] = []
        for cell in column.dictionary.to_pylist():
            got = self._cells.get(cell, -1)
            if got == -1:
                value = None if cell in NULLS else cell.strip()
                got = self._ids.get(value)
                if got is None:
                    got = self._ids[value] = len(self.values)
                    self.values.append(value)
                got = got or None
                self._cells[cell] = got
            out.append(got)
        return pc.take(pa.array(out, pa.int32()), column.indices)


class ArrowFocusReader:
    """Iterate `FocusRecord`s (single-day rows pre-summed); `rows` counts data rows read."""

    def __init__(self, source: str | Path | IO[bytes], *,
                 default_currency: str | None = None, limits: ReadLimits | None = None) -> None:
        self.source = source
        self.default_currency = default_currency.upper() if default_currency else None
        self.limits = limits or ReadLimits()
        # Arrow refuses a row longer than a block ("straddling object"): a block holds any
        # record within the line limit, so that refusal means the record is over the limit
        self.block = max(BLOCK, self.limits.max_line_bytes + 4096)
        self.rows = 0
        self.delimiter = ","
        self.facts: FileFacts | None = None
        self._start = 0 if isinstance(source, str | Path) else source.tell()
        self._cells = CellCache()
        self._times: dict[str, tuple[int, int, int, datetime]] = {}
        self._midnights: dict[int, datetime] = {}
        self._days: dict[int, date] = {}

    @staticmethod
    def usable(source: str | Path | IO[bytes]) -> bool:
        """A path, or a stream that can be read again should the fast path give up."""
        return isinstance(source, str | Path) or source.seekable()

    def rewind(self) -> None:
        """Put a caller's stream back where it was, for the row-by-row reader."""
        if not isinstance(self.source, str | Path):
            self.source.seek(self._start)

    def _open(self) -> Any:
        return open_stream(self.source, self._start, self.limits)

    def _layout(self) -> FocusLayout:
        """The header, when it is a plain first line of a UTF-8 file whose numbers use a
        decimal point (the same sample rule as the row-by-row reader); otherwise that reader
        decides."""
        with self._open() as stream:
            head = stream.read(BLOCK)
        sample = head[:SAMPLE_BYTES]
        if detect_encoding(sample, "focus") not in ("utf-8", "utf-8-sig"):
            raise FastPathUnavailable("not UTF-8")
        text = sample.decode("utf-8", errors="replace").lstrip("\ufeff")
        if len(sample) == SAMPLE_BYTES:
            text = text[:text.rfind("\n") + 1]
        fmt = TextFormat(encoding="utf-8", delimiter=detect_delimiter(text), sample=text)
        numbers = sample_numbers(fmt, (*MONEY_COLUMNS, "AmortizedCost"))
        if numbers.decimal not in (None, POINT):
            raise FastPathUnavailable("numbers written with a decimal comma")
        line, newline, _ = head.partition(b"\n")
        try:
            header = line.rstrip(b"\r").decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FastPathUnavailable("not UTF-8") from None
        if not newline or header.count('"') % 2 or not header.strip():
            raise FastPathUnavailable("no plain header line")
        try:
            layout = FocusLayout.from_header(next(csv.reader([header],
                                                             delimiter=fmt.delimiter)),
                                             self.default_currency)
        except InvalidInput:
            raise FastPathUnavailable("not a FOCUS header") from None
        self.delimiter = fmt.delimiter
        self.facts = fmt.facts(f"FOCUS {layout.version}", numbers.style or "point")
        return layout

    def __iter__(self) -> Iterator[FocusRecord]:
        return cast(Iterator[FocusRecord], self._guarded(None))  # no scale: records only

    def daily_columns(self, scale: int) -> Iterator[DailyColumns | FocusRecord]:
        """The single-day rows summed per (day, identity) as `DailyColumns` (amounts in
        units of 10**-scale), the multi-day rows as records between them: the importer's
        path, with no Python object per line until the driver's."""
        return self._guarded(scale)

    def _guarded(self, scale: int | None) -> Iterator[DailyColumns | FocusRecord]:
        self.rows = 0
        try:
            yield from self._read(scale)
        except InvalidInput:
            raise  # a limit of `connectors.safe_io`: the row-by-row reader would refuse too
        except pa.ArrowInvalid as exc:
            if "straddling object" in str(exc):
                raise record_too_long(None, self.limits, "focus") from None
            raise FastPathUnavailable(str(exc)) from None
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise FastPathUnavailable(str(exc)) from None
        except FastPathUnavailable:
            raise
        except Exception as exc:  # a bug here must not cost the user the import
            log.warning("columnar FOCUS reader failed; reading row by row", exc_info=True)
            raise FastPathUnavailable(repr(exc)) from None

    def _read(self, scale: int | None) -> Iterator[DailyColumns | FocusRecord]:
        layout = self._layout()
        plan = _Plan(layout)
        stream = self._open()
        try:
            batches = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    column_names=[f"c{i}" for i in range(layout.width)], skip_rows=1,
                    block_size=self.block, use_threads=True),
                parse_options=pacsv.ParseOptions(delimiter=self.delimiter,
                                                 newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=plan.include, column_types=plan.types,
                    null_values=sorted(NULLS), strings_can_be_null=False))
            groups = _Groups(self, plan, scale)
            pool = pa.default_memory_pool()
            ahead = iter(Prefetch(windows(batches, GROUP_ROWS)))
            with closing(ahead):  # stops the read-ahead thread however this generator ends
                for window in ahead:
                    self.rows += window.num_rows
                    yield from groups.add_window(window)
                    del window
                    pool.release_unused()  # mimalloc keeps freed pages per thread otherwise
            yield from groups.flush(final=True)
        finally:
            stream.close()
            pa.default_memory_pool().release_unused()  # the buckets to write need it more

    def times(self, column: pa.DictionaryArray) -> tuple[list[tuple[int, int, int, datetime]],
                                                         pa.Array]:
        """Per distinct cell: (µs since epoch, UTC day, day of the last µs before it, datetime)."""
        memo = self._times
        parsed = []
        for cell in column.dictionary.to_pylist():
            got = memo.get(cell)
            if got is None:
                moment = self._cells.time(cell)  # ValueError: the slow path names the line
                got = ((moment - _EPOCH) // _US, moment.date().toordinal(),
                       (moment - _US).date().toordinal(), moment)
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[cell] = got
            parsed.append(got)
        return parsed, column.indices

    def day(self, ordinal: int) -> date:
        got = self._days.get(ordinal)
        if got is None:
            got = self._days[ordinal] = date.fromordinal(ordinal)
        return got

    def midnight(self, ordinal: int) -> datetime:
        got = self._midnights.get(ordinal)
        if got is None:
            got = self._midnights[ordinal] = datetime.combine(
                date.fromordinal(ordinal), datetime.min.time(), UTC)
        return got

    def identity(self, values: list[str | None]) -> tuple[str | None, ...]:
        try:
            return finish_identity(values, self._cells, self.default_currency)
        except CellError as exc:
            raise FastPathUnavailable(str(exc)) from None


class _Plan:
    """Which columns Arrow reads and as what; Arrow names them `c<position>`."""

    def __init__(self, layout: FocusLayout) -> None:
        def name(column: str) -> str | None:
            pos = layout.position(column)
            return None if pos is None else f"c{pos}"

        self.start, self.end = name("ChargePeriodStart"), name("ChargePeriodEnd")
        self.frequency = name("ChargeFrequency")
        self.money = [name(m) for m in MONEY_COLUMNS]
        # per identity field, its candidate columns in order (the first non-null wins)
        self.identity = [[f"c{pos}" for pos in slot] for slot in layout.slots()]
        self.types: dict[str, Any] = {c: _TEXT for c in (self.start, self.end, self.frequency)
                                      if c}
        self.types.update({c: _TEXT for slot in self.identity for c in slot})
        self.types.update({c: MONEY_TYPE for c in self.money if c})
        self.include = list(self.types)


# hash constants (`_Numbering._hash`): a 64-bit odd multiplier, SplitMix64's finaliser
_MIX = np.uint64(0x9E3779B97F4A7C15)
_FINAL_1 = np.uint64(0xBF58476D1CE4E5B9)
_FINAL_2 = np.uint64(0x94D049BB133111EB)


class _Numbering:
    """A number per identity for the whole read, worked out for a chunk's lines at once.

    An identity is its row of interned field ids. Each row is hashed to 64 bits in NumPy,
    and the hashes of the identities seen so far are kept sorted, so a chunk's lines find
    their numbers by one binary search; every match is then checked against the identity's
    own row, so a hash collision can never give two identities one number. Only an
    identity not seen before costs Python work (its texts, once). (Packing the ids into one
    int64 instead overflowed on real files: 14 identity fields needed 84 bits on a daily
    AWS-shaped month, and the dict per line it fell back to was 8 % of an import's CPU.)
    If a collision ever shows, the numbering falls back to a dict per line for the rest of
    the read, exact either way."""

    def __init__(self, fields: int) -> None:
        self.fields = fields
        self.rows = np.zeros((0, fields), np.int64)  # identities seen, in number order
        self.sorted = np.zeros(0, np.uint64)  # their hashes, sorted
        self.sorted_numbers = np.zeros(0, np.int64)
        self.first = 1  # the number of `rows[0]`
        self.by_row: dict[tuple[int, ...], int] | None = None  # the fallback, once needed

    @staticmethod
    def _hash(rows: Any) -> Any:
        """64-bit hashes of int64 rows: each field mixed in by multiply and shift, then
        SplitMix64's finaliser (uint64 arithmetic wraps, which is the point)."""
        h = np.full(len(rows), 0x243F6A8885A308D3, np.uint64)
        for field in range(rows.shape[1]):
            h ^= rows[:, field].astype(np.uint64)
            h *= _MIX
            h ^= h >> np.uint64(31)
        h ^= h >> np.uint64(30)
        h *= _FINAL_1
        h ^= h >> np.uint64(27)
        h *= _FINAL_2
        h ^= h >> np.uint64(31)
        return h

    def _give_up(self) -> None:
        self.by_row = {tuple(row): n + self.first for n, row in enumerate(self.rows.tolist())}

    def numbers(self, matrix: Any, next_number: int) -> tuple[Any, Any]:
        """(the number of each line, the rows of `matrix` of identities not seen before, in
        the order of their numbers, which start at `next_number`)."""
        if self.by_row is not None:
            return self._numbers_by_row(matrix, next_number)
        if not len(self.rows):
            self.first = next_number
        hashed = self._hash(matrix)
        out = np.zeros(len(matrix), np.int64)
        if len(self.sorted):
            at = np.minimum(np.searchsorted(self.sorted, hashed), len(self.sorted) - 1)
            seen = self.sorted[at] == hashed
            known = self.sorted_numbers[at[seen]]
            if not np.array_equal(self.rows[known - self.first], matrix[seen]):
                self._give_up()  # two identities, one hash
                return self._numbers_by_row(matrix, next_number)
            out[seen] = known
        else:
            seen = np.zeros(len(matrix), np.bool_)
        unseen = np.flatnonzero(~seen)
        if not len(unseen):
            return out, matrix[:0]
        new, first, inverse = np.unique(hashed[unseen], return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        if not np.array_equal(matrix[unseen], matrix[unseen[first[inverse]]]):
            self._give_up()  # two new identities of this chunk, one hash
            return self._numbers_by_row(matrix, next_number)
        order = np.argsort(first, kind="stable")  # numbered as the lines first name them
        number_of = np.empty(len(new), np.int64)
        number_of[order] = np.arange(len(new), dtype=np.int64) + next_number
        out[unseen] = number_of[inverse]
        fresh = matrix[unseen[first[order]]]
        self.rows = np.concatenate((self.rows, fresh))
        merged = np.concatenate((self.sorted, new))
        numbers = np.concatenate((self.sorted_numbers, number_of))
        keep = np.argsort(merged, kind="stable")
        self.sorted, self.sorted_numbers = merged[keep], numbers[keep]
        return out, fresh

    def _numbers_by_row(self, matrix: Any, next_number: int) -> tuple[Any, Any]:
        assert self.by_row is not None
        out = np.zeros(len(matrix), np.int64)
        fresh: list[int] = []
        by_row = self.by_row
        for n, row in enumerate(map(tuple, matrix.tolist())):
            got = by_row.get(row)
            if got is None:
                got = by_row[row] = next_number + len(fresh)
                fresh.append(n)
            out[n] = got
        return out, matrix[fresh]


class _Groups:
    """Turns batches into records: multi-day rows now, single-day rows summed in groups."""

    def __init__(self, reader: ArrowFocusReader, plan: _Plan, scale: int | None) -> None:
        self.reader, self.plan, self.scale = reader, plan, scale
        self.carried = 0  # rows of `parts` already summed (held for later rows of their lines)
        self.fields = [i for i, slot in enumerate(plan.identity) if slot]
        self.keys = [f"k{i}" for i in self.fields]
        self.interners = {i: _Interner() for i in self.fields}
        # billed, effective (billed where absent or null), then the optional amounts present
        self.sums = [(f"m{i}", "sum") for i, c in enumerate(plan.money) if c or i == 1]
        self.parts: list[pa.Table] = []
        self.held = 0
        self.idents: dict[tuple[int, ...], tuple[str | None, ...]] = {}
        self.numbering = _Numbering(len(self.keys))
        self.numbered = 0  # numbers are never reused within a read
        # per identity number, its (currency, provider name, sub-account) group in `spans`
        self.span_groups: dict[tuple[str | None, ...], int] = {}
        self.group_of = np.zeros(1024, np.int32)

    def add_window(self, window: pa.Table) -> Iterator[DailyColumns | FocusRecord]:
        for batch in window.to_batches():
            yield from self.add(batch)

    def add(self, batch: pa.RecordBatch) -> Iterator[DailyColumns | FocusRecord]:
        plan = self.plan
        starts, start_idx = self.reader.times(batch.column(plan.start))
        ends, end_idx = self.reader.times(batch.column(plan.end))
        s_us = pc.take(pa.array([t[0] for t in starts], pa.int64()), start_idx)
        e_us = pc.take(pa.array([t[0] for t in ends], pa.int64()), end_idx)
        day = pc.take(pa.array([t[1] for t in starts], pa.int32()), start_idx)
        e_last = pc.take(pa.array([t[2] for t in ends], pa.int32()), end_idx)
        if pc.any(pc.less(e_us, s_us)).as_py():
            raise FastPathUnavailable("a period ends before it starts")
        single = pc.or_(pc.less_equal(e_us, s_us), pc.equal(day, e_last))
        lump = None
        if plan.frequency:
            freq = batch.column(plan.frequency)
            lump = pc.take(pa.array([f == "One-Time" or f.lower() == "one-time"
                                     for f in freq.dictionary.to_pylist()], pa.bool_()),
                           freq.indices)
            single = pc.or_(single, lump)
        columns: dict[str, pa.Array] = {"day": day}
        for i, key in zip(self.fields, self.keys, strict=True):
            ids = [self.interners[i].ids(batch.column(c)) for c in plan.identity[i]]
            columns[key] = (pc.coalesce(*ids) if len(ids) > 1 else ids[0]).fill_null(0)
        billed = batch.column(plan.money[0])
        if billed.null_count:
            raise FastPathUnavailable("a row without BilledCost")
        for i, name in enumerate(plan.money):
            if name:
                cell = batch.column(name)
                columns[f"m{i}"] = pc.coalesce(cell, billed) if i == 1 else cell
        columns.setdefault("m1", billed)  # no EffectiveCost column: effective = billed
        table = pa.table(columns)
        if pc.all(single).as_py():
            self._hold(table)
        else:
            self._hold(table.filter(single))
            rest = pc.indices_nonzero(pc.invert(single))
            yield from self._spread(table.take(rest), pc.take(start_idx, rest).to_pylist(),
                                    pc.take(end_idx, rest).to_pylist(),
                                    pc.take(lump, rest).to_pylist() if lump is not None
                                    else None, starts, ends)
        if self.held - self.carried >= GROUP_ROWS:
            yield from self.flush()

    def _hold(self, table: pa.Table) -> None:
        if table.num_rows:
            self.parts.append(table)
            self.held += table.num_rows

    def _money(self, table: pa.Table) -> list[list[Any]]:
        """Per money column (billed, effective, list, contracted, quantity): Decimals or None."""
        none: list[Any] = [None] * table.num_rows
        return [table.column(f"m{i}").to_pylist() if f"m{i}" in table.column_names else none
                for i in range(len(MONEY_COLUMNS))]

    def _ident(self, ids: tuple[int, ...]) -> tuple[str | None, ...]:
        got = self.idents.get(ids)
        if got is None:
            values: list[str | None] = [None] * len(IDENTITY_COLUMNS)
            for i, value_id in zip(self.fields, ids, strict=True):
                values[i] = self.interners[i].values[value_id]
            got = self.idents[ids] = self.reader.identity(values)
        return got

    def _spread(self, rows: pa.Table, start_idx: list[int], end_idx: list[int],
                lumps: list[bool] | None, starts: list[tuple[int, int, int, datetime]],
                ends: list[tuple[int, int, int, datetime]]) -> Iterator[FocusRecord]:
        """Rows over several days, one by one: `split_daily` apportions each row on its own."""
        keys = list(zip(*(rows.column(k).to_pylist() for k in self.keys), strict=True)) \
            if self.keys else [()] * rows.num_rows
        billed, eff, lst, con, qty = self._money(rows)
        for n, ids in enumerate(keys):
            yield (starts[start_idx[n]][3], ends[end_idx[n]][3],
                   bool(lumps[n]) if lumps is not None else False, billed[n],
                   eff[n], lst[n], con[n], qty[n], self._ident(ids))

    def flush(self, *, final: bool = False) -> Iterator[DailyColumns | FocusRecord]:
        """Sum the held single-day rows per (day, identity) and hand them out (as columns
        with a scale: held on while fewer than EMIT_ROWS lines, so the hours of one day that
        straddle windows still make one line)."""
        if not self.parts:
            return
        table = pa.concat_tables(self.parts)
        self.parts, self.held, self.carried = [], 0, 0
        grouped = table.group_by(["day", *self.keys], use_threads=False).aggregate(self.sums)
        grouped = grouped.rename_columns([n.removesuffix("_sum") for n in grouped.column_names])
        if self.scale is not None:
            if not final and grouped.num_rows < EMIT_ROWS:
                self._carry(grouped.select(table.column_names))
                return
            if not final and not self._memos_large():
                # the newest day's lines stay for its rows still to come: a file in day
                # order makes one line per (day, identity), however its windows fall (a
                # re-import of it then stages the lines the last one stored)
                newest = pc.equal(grouped.column("day"), pc.max(grouped.column("day")))
                latest = grouped.filter(newest)
                if latest.num_rows < HOLD_DAY_ROWS:
                    self._carry(latest.select(table.column_names))
                    if latest.num_rows < grouped.num_rows:
                        yield self._columns(grouped.filter(pc.invert(newest)), self.scale)
                    return
            yield self._columns(grouped, self.scale)
            self._forget()
            return
        keys = list(zip(*(grouped.column(k).to_pylist() for k in self.keys), strict=True)) \
            if self.keys else [()] * grouped.num_rows
        billed, eff, lst, con, qty = self._money(grouped)
        midnight = self.reader.midnight
        for n, (day, ids) in enumerate(zip(grouped.column("day").to_pylist(), keys,
                                           strict=True)):
            start = midnight(day)
            yield (start, start + _DAY, False, billed[n],
                   eff[n], lst[n], con[n], qty[n], self._ident(ids))
        self._forget()

    def _carry(self, summed: pa.Table) -> None:
        """Hold summed lines to be summed again with later rows of theirs."""
        self.parts, self.held = [summed], summed.num_rows
        self.carried = self.held

    def _memos_large(self) -> bool:
        return sum(map(len, self.interners.values())) + len(self.idents) > _MEMO_LIMIT

    def _forget(self) -> None:
        """Drop the id memos when they grow large (only between flushes: no ids are held)."""
        if self._memos_large():
            self.interners = {i: _Interner() for i in self.fields}
            self.idents = {}
            self.numbering = _Numbering(len(self.keys))  # ids change: identities renumbered

    def _columns(self, grouped: pa.Table, scale: int) -> DailyColumns:
        """Summed lines as `DailyColumns`: Python objects only for identities not handed
        out before (their texts, once), the lines' columns NumPy arrays."""
        count = grouped.num_rows
        matrix = (np.column_stack([_ints(grouped.column(k)) for k in self.keys]) if self.keys
                  else np.zeros((count, 0), np.int64))
        number, fresh = self.numbering.numbers(matrix, self.numbered + 1)
        fresh_numbers = list(range(self.numbered + 1, self.numbered + 1 + len(fresh)))
        self.numbered += len(fresh)
        fresh_idents = [self._ident(tuple(row)) for row in fresh.tolist()]
        if self.numbered >= len(self.group_of):
            self.group_of = np.concatenate((self.group_of, np.zeros(
                max(self.numbered + 1, 2 * len(self.group_of)) - len(self.group_of),
                np.int32)))
        groups = self.span_groups
        for n, i in zip(fresh_numbers, fresh_idents, strict=True):
            # (currency, provider name, sub-account): the import's totals and replace scope,
            # summed here over a handful of groups instead of per line
            self.group_of[n] = groups.setdefault((i[_CURRENCY], i[_PROVIDER], i[_ACCOUNT]),
                                                 len(groups))
        per = pa.table({"g": pa.array(self.group_of[number], pa.int32()),
                        "d": grouped.column("day"), "b": grouped.column("m0")}).group_by(
            "g", use_threads=False).aggregate(
            [("b", "sum"), ("d", "min"), ("d", "max")])
        keys = list(groups)
        day = self.reader.day
        present = set(grouped.column_names)
        billed, _ = _units(grouped.column("m0"), scale)  # never null
        effective, _ = _units(grouped.column("m1"), scale)
        return DailyColumns(
            fresh_numbers=fresh_numbers, fresh_idents=fresh_idents,
            spans=[(*keys[g], billed_sum, day(lo), day(hi)) for g, billed_sum, lo, hi in zip(
                _ints(per.column("g")).tolist(), per.column("b_sum").to_pylist(),
                _ints(per.column("d_min")).tolist(), _ints(per.column("d_max")).tolist(),
                strict=True)],
            number=number, day=_ints(grouped.column("day")), billed=billed,
            effective=effective,
            list_cost=_nullable(grouped.column("m2"), scale) if "m2" in present else None,
            contracted=_nullable(grouped.column("m3"), scale) if "m3" in present else None,
            quantity=_coded(grouped.column("m4")) if "m4" in present else None)


def _nullable(column: pa.ChunkedArray, scale: int) -> NullableUnits | None:
    """An optional amount column; None when no line has one."""
    values, valid = _units(column, scale)
    return None if valid is not None and not valid.any() else NullableUnits(values, valid)


def _coded(column: pa.ChunkedArray) -> CodedTexts | None:
    """The quantity as exact decimal text, each distinct value once; None when no line has
    one."""
    if column.null_count == len(column):
        return None
    encoded = column.cast(pa.string()).combine_chunks().dictionary_encode()
    texts: list[str | None] = [*encoded.dictionary.to_pylist(), None]
    codes = encoded.indices.fill_null(len(texts) - 1)
    return CodedTexts(_ints(codes), texts)


def _ints(column: pa.ChunkedArray | pa.Array) -> Any:
    """A null-free integer column as an int64 NumPy array."""
    return np.asarray(column.to_numpy(), dtype=np.int64)


def _units(column: pa.ChunkedArray | pa.Array, scale: int) -> tuple[Any, Any]:
    """Exact decimals as integer units of 10**-scale, rounded half to even: (int64 values,
    validity or None when none is null; values are 0 where null); FastPathUnavailable past
    64 bits (the row-by-row reader then reports it)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if array.null_count == len(array):
        return np.zeros(len(array), np.int64), np.zeros(len(array), np.bool_)
    scaled = pc.round(array, ndigits=scale, round_mode="half_to_even").cast(
        pa.decimal128(38, scale))
    words = np.frombuffer(scaled.buffers()[1], dtype=np.int64)
    words = words[2 * scaled.offset:2 * (scaled.offset + len(scaled))].reshape(-1, 2)
    low, high = words[:, 0], words[:, 1]
    valid = None if not scaled.null_count else scaled.is_valid().to_numpy(
        zero_copy_only=False)
    wide = high != (low >> 63)
    if (wide if valid is None else wide & valid).any():
        raise FastPathUnavailable("an amount too large to store")
    values = low.copy()
    if valid is not None:
        values[~valid] = 0
    return values, valid
