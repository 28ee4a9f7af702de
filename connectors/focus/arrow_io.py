"""Byte plumbing for the columnar FOCUS reader: open (and gunzip), read ahead, join blocks.

Kept apart from `arrow_reader` (which decides what the cells mean) because none of it knows
FOCUS: a caller's stream lent to Arrow without being closed, inflated natively and read
through the bounded reader of `connectors.safe_io`; a read-ahead thread so Arrow parses
(without the GIL) while Python works on the previous window; and windows of blocks with one
dictionary per column.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from connectors.safe_io import GZIP_MAGIC, BoundedReader, ReadLimits

__all__ = ["Prefetch", "open_stream", "windows"]


def open_stream(source: str | Path | IO[bytes], start: int,
                limits: ReadLimits | None = None) -> Any:
    """An Arrow input stream over a path or a caller's stream (from `start`, left open),
    gunzipped when it starts with the gzip magic bytes. Arrow inflates natively (without the
    GIL); what comes out passes `connectors.safe_io.BoundedReader`, so a line, the file or
    the ratio past its cap raises InvalidInput out of Arrow's read. Raises OSError."""
    if isinstance(source, str | Path):
        raw = pa.OSFile(str(source))
    else:
        source.seek(start)
        raw = pa.PythonFile(_Borrowed(source), mode="r")
    magic = raw.read(2)
    raw.seek(0)
    if magic != GZIP_MAGIC:
        bounded = BoundedReader(raw, limits=limits, provider="focus", owned=(raw,))
    else:
        unpacked = pa.CompressedInputStream(raw, "gzip")
        bounded = BoundedReader(unpacked, limits=limits, provider="focus", compressed=raw.tell,
                                owned=(unpacked, raw))
    return pa.PythonFile(bounded, mode="r")


class _Borrowed(io.RawIOBase):
    """The caller's stream, read through Arrow without Arrow closing it (a retry re-reads it)."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._inner.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()

    def close(self) -> None:  # the caller owns the stream
        return


def windows(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """Blocks joined in windows of at least `rows` rows, one dictionary per column: each
    distinct cell then meets Python once per window, not once per block."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in batches:
        pending.append(batch)
        held += batch.num_rows
        if held >= rows:
            yield pa.Table.from_batches(pending).unify_dictionaries().combine_chunks()
            pending, held = [], 0
    if pending:
        yield pa.Table.from_batches(pending).unify_dictionaries().combine_chunks()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_END = object()


class Prefetch:
    """Runs an iterator in a thread a few items ahead: Arrow parses the next window (without
    the GIL) while Python sums the current one, so both cores work."""

    def __init__(self, source: Iterator[pa.Table], depth: int = 2) -> None:
        self._source = source
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._source:
                if not self._put(item):
                    return
            self._put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            self._put(_Failed(exc))

    def __iter__(self) -> Generator[pa.Table, None, None]:
        thread = threading.Thread(target=self._run, name="focus-csv", daemon=True)
        thread.start()
        try:
            while (item := self._queue.get()) is not _END:
                if isinstance(item, _Failed):
                    raise item.exc
                yield item
        finally:
            self._stop.set()
            thread.join()
