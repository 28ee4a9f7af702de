"""Bounded reading of files we are handed: caps on line length, decompressed size and ratio.

Why: a 2 MB `.csv.gz` can hold one multi-GB line; `readline()` (and the `csv` module's field
limit, checked only after the line is buffered) would hold all of it in memory, and an upload
limit only sees the compressed size. Every file reader goes through `open_binary` /
`open_text` here, which count as the bytes stream by and refuse the file as soon as

* a physical line (between `\\n`/`\\r` breaks) grows past `max_line_bytes` — checked on each
  chunk read, so no more than one chunk of the line is ever held;
* the decompressed bytes pass `max_bytes`;
* the decompressed bytes pass `max_ratio` times the compressed bytes read (after the first
  `ratio_floor` bytes, so small files with a high ratio pass).

`RecordGuard` bounds what `csv.reader` gathers for one record, which can span physical lines
inside quotes. Every refusal is an `InvalidInput` naming the limit, its value and the setting
that changes it. Limits are passed in by callers (from `core.settings`); connectors never read
settings, so every function here falls back to `ReadLimits()`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import charset_normalizer

from connectors.errors import InvalidInput
from core.domain.billing_files import FileFacts
from core.domain.limits import ReadLimits

__all__ = ["DELIMITERS", "GZIP_MAGIC", "LEGACY_ENCODINGS", "SAMPLE_BYTES", "BoundedReader",
           "FileFacts", "ReadLimits", "RecordGuard", "TextFormat", "detect_delimiter",
           "detect_encoding", "human_bytes", "line_too_long", "open_binary", "open_text",
           "open_text_detected", "record_too_long", "sample_rows"]

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 18  # bytes per read from the source; a line is checked chunk by chunk
SAMPLE_BYTES = 64 << 10  # what encoding, delimiter and number style are decided from
DELIMITERS = ",;\t"
LEGACY_ENCODINGS = ("cp1251", "cp1252")  # what Excel saves as "CSV" in Russian / Western locales
_ENCODING_NAMES = {"utf_8": "UTF-8", "utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM",
                   "cp1251": "Windows-1251", "cp1252": "Windows-1252", "ascii": "UTF-8"}


def human_bytes(size: float) -> str:
    """`1 MiB`, `2 GiB`, `3.5 KiB`: sizes in the unit people set the limits in."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(size) < 1024 or unit == "GiB":
            text = f"{size:.1f}".removesuffix(".0") if unit != "B" else str(int(size))
            return f"{text} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _ratio(value: float) -> str:
    return f"{value:g}"


def line_too_long(line: int, limits: ReadLimits, provider: str) -> InvalidInput:
    return InvalidInput(f"line {line} is longer than {human_bytes(limits.max_line_bytes)}: "
                        "this is not a billing export (limit IMPORT_MAX_LINE_BYTES)",
                        provider=provider)


def record_too_long(line: int | None, limits: ReadLimits, provider: str) -> InvalidInput:
    where = f"the CSV record starting on line {line}" if line else "a CSV record"
    return InvalidInput(f"{where} is longer than {human_bytes(limits.max_line_bytes)} "
                        "(an unclosed quote?): this is not a billing export "
                        "(limit IMPORT_MAX_LINE_BYTES)", provider=provider)


class _Source(io.RawIOBase):
    """The compressed side: the bytes read so far are counted (for the ratio); `prefix` holds
    the magic bytes already read to detect gzip. Closes the inner stream only if it owns it."""

    def __init__(self, inner: IO[bytes], prefix: bytes, *, owned: bool) -> None:
        super().__init__()
        self._inner, self._prefix, self._owned = inner, prefix, owned
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes, short only at the end (Arrow takes a short read as a small
        block, `_layout` as the whole header)."""
        if size is None or size < 0:
            size = _CHUNK
        data, self._prefix = self._prefix[:size], self._prefix[size:]
        while len(data) < size and (more := self._inner.read(size - len(data))):
            data += more
        self.count += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if self._owned and not self.closed:
            self._inner.close()
        super().close()


class BoundedReader(io.RawIOBase):
    """The decompressed bytes of a file, refused with `InvalidInput` past any of the limits.

    `inner` gives the decompressed bytes (Python's gzip, or Arrow's native stream for the
    columnar reader); `compressed` says how many compressed bytes were read so far (None: not
    compressed, no ratio); `owned` are closed with the reader. Lines are checked on every
    chunk: the bytes since the last break plus the chunk must show a break every
    `max_line_bytes + 1` bytes, so a giant line costs one chunk of memory."""

    def __init__(self, inner: Any, *, limits: ReadLimits | None = None, provider: str = "",
                 compressed: Callable[[], int] | None = None,
                 owned: Sequence[Any] = ()) -> None:
        super().__init__()
        self._inner = inner
        self._compressed = compressed
        self._owned = owned
        self.gzipped = compressed is not None
        self.limits = limits or ReadLimits()
        self.provider = provider
        self.total = 0  # decompressed bytes handed out
        self._carry = 0  # bytes of the current line seen so far
        self._newlines = 0  # `\n` seen so far (the line number people see is this + 1)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        try:
            data = self._inner.read(size)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise InvalidInput(f"the file cannot be decompressed: {exc}",
                               provider=self.provider) from None
        if data:
            self._check(data)
        return data  # type: ignore[no-any-return]

    def readall(self) -> bytes:
        parts = []
        while data := self.read(_CHUNK):
            parts.append(data)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            for stream in self._owned:
                stream.close()
        super().close()

    def _check(self, data: bytes) -> None:
        limits = self.limits
        self.total += len(data)
        if self.total > limits.max_bytes:
            what = "decompressed" if self.gzipped else "read"
            raise InvalidInput(f"the file is larger than {human_bytes(limits.max_bytes)} "
                               f"{what}: refused (limit IMPORT_MAX_BYTES)",
                               provider=self.provider)
        if self._compressed is not None and self.total > limits.ratio_floor:
            packed = max(self._compressed(), 1)
            if self.total > limits.max_ratio * packed:
                raise InvalidInput(
                    f"the file expands more than {_ratio(limits.max_ratio)}× when decompressed "
                    f"({human_bytes(self.total)} from the first {human_bytes(packed)}): "
                    "refused as a possible zip bomb (limit IMPORT_MAX_RATIO)",
                    provider=self.provider)
        self._check_lines(data)
        self._newlines += data.count(b"\n")

    def _check_lines(self, data: bytes) -> None:
        """From the start of the current line (`carry` bytes of it in earlier chunks), the next
        `max_line_bytes - carry + 1` bytes must hold a break; the last break found starts the
        next window, so two steps cover at least `max_line_bytes` bytes (C-speed rfind)."""
        limit, size, carry, pos = self.limits.max_line_bytes, len(data), self._carry, 0
        while True:
            end = pos + (limit - carry) + 1
            cut = min(end, size)
            brk = max(data.rfind(b"\n", pos, cut), data.rfind(b"\r", pos, cut))
            if end > size:
                self._carry = carry + size - pos if brk < 0 else size - brk - 1
                return
            if brk < 0:
                raise line_too_long(self._newlines + data.count(b"\n", 0, pos) + 1,
                                    self.limits, self.provider)
            carry, pos = 0, brk + 1


def _raw(source: str | Path | IO[bytes], provider: str) -> tuple[IO[bytes], bool]:
    if isinstance(source, str | Path):
        try:
            return open(source, "rb"), True  # noqa: SIM115 - closed with the reader
        except OSError as exc:
            raise InvalidInput(f"cannot open {source}: {exc.strerror}",
                               provider=provider) from None
    return source, False


def open_binary(source: str | Path | IO[bytes], limits: ReadLimits | None = None, *,
                provider: str = "") -> BoundedReader:
    """The bytes of a path or a caller's binary stream (read from where it stands), gunzipped
    when they start with the gzip magic, within `limits`. A caller's stream is not closed."""
    raw, owned = _raw(source, provider)
    try:
        prefix = raw.read(2)
        while len(prefix) < 2 and (more := raw.read(2 - len(prefix))):
            prefix += more
    except BaseException:
        if owned:
            raw.close()
        raise
    counted = _Source(raw, prefix, owned=owned)
    if prefix != GZIP_MAGIC:
        return BoundedReader(counted, limits=limits, provider=provider, owned=(counted,))
    unpacked = gzip.GzipFile(fileobj=counted, mode="rb")
    return BoundedReader(unpacked, limits=limits, provider=provider,
                         compressed=lambda: counted.count, owned=(unpacked, counted))


def open_text(source: str | Path | IO[bytes], limits: ReadLimits | None = None, *,
              provider: str = "") -> IO[str]:
    """`open_binary` decoded as UTF-8 (a BOM dropped), newlines kept for the `csv` module."""
    buffered = io.BufferedReader(open_binary(source, limits, provider=provider),
                                 buffer_size=_CHUNK)
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")


class RecordGuard(Iterator[str]):
    """Lines for `csv.reader`, refusing a record longer than `max_line_bytes` characters.

    A quoted cell may span lines, so bounded lines alone do not bound a record; the reader
    sets `held = 0` after each record it takes (one attribute store per row)."""

    __slots__ = ("_limit", "_limits", "_next", "_provider", "held", "line", "start")

    def __init__(self, lines: Iterable[str], limits: ReadLimits | None = None, *,
                 provider: str = "") -> None:
        self._next = iter(lines).__next__
        self._limits = limits or ReadLimits()
        self._limit = self._limits.max_line_bytes + 2  # and the last line's own `\r\n`
        self._provider = provider
        self.held = 0
        self.line = 0  # physical lines handed out
        self.start = 0  # the line the current record started on

    def __iter__(self) -> RecordGuard:
        return self

    def __next__(self) -> str:
        line = self._next()
        self.line += 1
        if not self.held:
            self.start = self.line
        self.held += len(line)
        if self.held > self._limit:
            raise record_too_long(self.start, self._limits, self._provider)
        return line


@dataclass(frozen=True, slots=True)
class TextFormat:
    """How a text file is written, decided once from its first SAMPLE_BYTES: the encoding,
    the delimiter, and the sample's whole lines (decoded) for the number style."""

    encoding: str  # a Python codec name
    delimiter: str
    sample: str

    @property
    def encoding_label(self) -> str:
        """`UTF-8`, `UTF-8 with BOM`, `Windows-1251`: what people call them."""
        return _ENCODING_NAMES.get(self.encoding.lower(), self.encoding)

    @property
    def delimiter_label(self) -> str:
        return {"\t": "tab"}.get(self.delimiter, self.delimiter)

    def facts(self, file_format: str, decimal: str | None) -> FileFacts:
        return FileFacts(format=file_format, encoding=self.encoding_label,
                         delimiter=self.delimiter_label, decimal=decimal)

    def describe(self) -> str:
        """`read as Windows-1251, delimiter ';'`: said in errors about the file's shape."""
        return f"read as {self.encoding_label}, delimiter {self.delimiter_label!r}"


def detect_encoding(head: bytes, provider: str = "") -> str:
    """UTF-8 (with or without a BOM) when the bytes are valid UTF-8; otherwise Windows-1251
    (Russian Excel's "CSV") or Windows-1252, whichever charset-normalizer finds the text in.
    Anything else is refused, saying what it looked like."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best = charset_normalizer.from_bytes(head, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None:
        guess = charset_normalizer.from_bytes(head).best()
        looks = f" (it looks like {guess.encoding})" if guess is not None else ""
        raise InvalidInput(f"the file is not UTF-8 or Windows-1251 text{looks}: save it as "
                           "CSV UTF-8", provider=provider)
    return codecs.lookup(best.encoding).name


def detect_delimiter(sample: str) -> str:
    """`,`, `;` or tab: the standard library's csv sniffer proposes (on the header line, then
    on the first lines: JSON tags hold commas inside quotes and mislead it on data rows); the
    delimiter under which the sampled rows all have the header's number of fields, and the
    most of them, wins (proposals first among equals). `,` when none fits."""
    lines = sample.splitlines(keepends=True)[:50]
    proposals: list[str] = []
    for text in ("".join(lines[:1]), "".join(lines)):
        try:
            proposals.append(csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter)
        except csv.Error:
            continue
    widths = {d: _fields(lines, d) for d in dict.fromkeys([*proposals, *DELIMITERS])}
    best = max(widths, key=lambda d: widths[d])  # the first proposal among equals
    return best if widths[best] > 1 else (proposals[0] if proposals else ",")


def _fields(lines: list[str], delimiter: str) -> int:
    """The header's field count when every sampled row has as many, else 0."""
    rows = sample_rows(TextFormat("utf-8", delimiter, "".join(lines)), limit=len(lines))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    fits = bool(rows) and all(len(row) == len(rows[0]) for row in rows)
    return len(rows[0]) if fits else 0


def open_text_detected(source: str | Path | IO[bytes], limits: ReadLimits | None = None, *,
                       provider: str = "") -> tuple[IO[str], TextFormat]:
    """`open_text` in the file's own encoding, with its delimiter: both decided from the
    first SAMPLE_BYTES (peeked, so nothing is read twice and the limits still hold)."""
    buffered = io.BufferedReader(open_binary(source, limits, provider=provider),
                                 buffer_size=max(_CHUNK, SAMPLE_BYTES))
    try:
        head = buffered.peek(SAMPLE_BYTES)[:SAMPLE_BYTES]
        encoding = detect_encoding(head, provider)
        text = head.decode(encoding, errors="replace")
        if len(head) == SAMPLE_BYTES:  # whole lines only
            cut = max(text.rfind("\n"), text.rfind("\r"))
            text = text[:cut + 1] if cut >= 0 else text
        text = text.lstrip("\ufeff")
        fmt = TextFormat(encoding=encoding, delimiter=detect_delimiter(text), sample=text)
    except BaseException:
        buffered.close()
        raise
    return io.TextIOWrapper(buffered, encoding=encoding, newline=""), fmt


def sample_rows(fmt: TextFormat, limit: int = 500) -> list[list[str]]:
    """The sample's rows as the `csv` module reads them (a record cut at the end dropped)."""
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(fmt.sample, newline=""), delimiter=fmt.delimiter):
            rows.append(row)
            if len(rows) > limit:
                break
    except csv.Error:
        pass
    return rows[:-1] if len(rows) > 1 else rows
