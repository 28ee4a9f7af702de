"""File bombs are refused early, with a clear message, and memory stays flat.

Each bomb is built on the fly and is at least 1 GiB once read: a gzip whose one data line is
gigabytes of `A` (the "line bomb"), a gzip of gigabytes of identical valid rows (the "ratio
bomb": nothing wrong with any line, only the ~350× expansion gives it away), and a plain file
whose second line is a gigabyte of NUL bytes (a sparse file: no disk is used). Gzip bombs are
written as many copies of one compressed member (a multi-member gzip, which every gzip reader
concatenates), so building one takes a fraction of a second and little memory.

Before `connectors.safe_io`, the line bomb grew the CLI past 3 GB: `readline()` buffered the
whole line before the csv field limit was checked. Peak memory is measured as the kernel
sees it: the CLI's `ru_maxrss` from `wait4`, and in this process the growth of `VmHWM` over
the import (reset through `/proc/self/clear_refs`), which counts Arrow's native buffers too.
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.errors import InvalidInput
from connectors.focus.arrow_reader import ArrowFocusReader
from connectors.focus.reader import FocusReader
from connectors.manual_csv.reader import ManualCsvReader
from connectors.safe_io import ReadLimits, open_text
from connectors.yandex.export import parse_billing_export
from core.db.models import Connection, CostLine
from core.domain.roles import Role
from core.services.orgs import create_org, ensure_user, set_membership
from core.services.users import set_active_org
from core.settings import load_settings
from core.tasks import default_tasks
from tests.bot.harness import BotHarness

MiB = 1 << 20
GiB = 1 << 30
BOMB = 2 * GiB  # what each gzip bomb expands to
PLAIN = GiB + 1  # the sparse plain file
READER_CEILING = 150 * MiB  # growth of this process while one reader refuses a bomb
CLI_GROWTH = 150 * MiB  # `import-focus` peak RSS over `org create`'s (the CLI itself: ~330 MB)
CLI_CEILING = 512 * MiB  # peak RSS of the whole `infrazen import-focus` process
BOT_CEILING = 300 * MiB  # growth of this process while the bot refuses a document

FOCUS_HEADER = b"BilledCost,ChargePeriodStart,ChargePeriodEnd,BillingCurrency\n"
FOCUS_ROW = b"1.5,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,USD\n"
MANUAL_HEADER = b"date,service,resource,cost\n"
MANUAL_ROW = b"2026-11-01,Compute,vm-1,100\n"
YANDEX_HEADER = b"cloud_id,folder_id,service_name,sku_id,sku_name,date,currency,cost\n"
YANDEX_ROW = b"c1,f1,Compute Cloud,s1,vCPU,2026-11-01,RUB,1.5\n"

LINE_REFUSED = ("line 2 is longer than 1 MiB: this is not a billing export "
                "(limit IMPORT_MAX_LINE_BYTES)")
RATIO_REFUSED = "the file expands more than 100× when decompressed"
ZIP_BOMB = "refused as a possible zip bomb (limit IMPORT_MAX_RATIO)"
RECORD_REFUSED = "is longer than 1 MiB (an unclosed quote?)"


# --- building the bombs ----------------------------------------------------------------------

def _members(path: Path, head: bytes, piece: bytes, size: int, tail: bytes = b"") -> Path:
    """A gzip of `head`, then `piece` repeated up to `size` bytes, then `tail`: one member
    compressed once and written again and again."""
    member = gzip.compress(piece, compresslevel=9, mtime=0)
    with path.open("wb") as out:
        out.write(gzip.compress(head, mtime=0))
        for _ in range(size // len(piece)):
            out.write(member)
        if tail:
            out.write(gzip.compress(tail, mtime=0))
    return path


def line_bomb(path: Path, header: bytes) -> Path:
    """The header, then one line of BOMB bytes."""
    return _members(path, header, b"A" * (16 * MiB), BOMB, tail=b"\n")


def ratio_bomb(path: Path, header: bytes, row: bytes) -> Path:
    """The header, then BOMB bytes of one valid row repeated."""
    return _members(path, header, row * (16 * MiB // len(row)), BOMB)


def plain_line(path: Path, header: bytes) -> Path:
    """Uncompressed: the header, then a line of NUL bytes up to PLAIN bytes (sparse)."""
    with path.open("wb") as out:
        out.write(header)
        out.truncate(PLAIN - 1)
        out.seek(0, os.SEEK_END)
        out.write(b"\n")
    return path


def record_bomb(header: bytes) -> bytes:
    """Short lines only, but one quoted cell spans 3 MiB of them: a record csv would gather."""
    return header + b'1,"' + b"x\n" * (3 * MiB // 2) + b'",2\n'


@dataclass(frozen=True)
class Bombs:
    focus_line: Path
    focus_ratio: Path
    focus_plain: Path
    manual_line: Path
    manual_ratio: Path
    manual_plain: Path
    yandex_line: Path
    yandex_ratio: Path
    yandex_plain: Path


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> Bombs:
    d = tmp_path_factory.mktemp("bombs")
    made = Bombs(
        focus_line=line_bomb(d / "focus-line.csv.gz", FOCUS_HEADER),
        focus_ratio=ratio_bomb(d / "focus-ratio.csv.gz", FOCUS_HEADER, FOCUS_ROW),
        focus_plain=plain_line(d / "focus-plain.csv", FOCUS_HEADER),
        manual_line=line_bomb(d / "manual-line.csv.gz", MANUAL_HEADER),
        manual_ratio=ratio_bomb(d / "manual-ratio.csv.gz", MANUAL_HEADER, MANUAL_ROW),
        manual_plain=plain_line(d / "manual-plain.csv", MANUAL_HEADER),
        yandex_line=line_bomb(d / "yandex-line.csv.gz", YANDEX_HEADER),
        yandex_ratio=ratio_bomb(d / "yandex-ratio.csv.gz", YANDEX_HEADER, YANDEX_ROW),
        yandex_plain=plain_line(d / "yandex-plain.csv", YANDEX_HEADER))
    for path in (made.focus_line, made.focus_ratio, made.manual_ratio):
        assert path.stat().st_size < 20 * MiB  # under the bot's upload limit
    return made


def test_the_bombs_are_what_they_claim(bombs: Bombs) -> None:
    """A few MB on disk, 2 GiB once read: the header's member, then the same member over and
    over (checked byte for byte instead of inflating 2 GiB), and a gzip reader agrees."""
    for path, header, piece in (
            (bombs.focus_line, FOCUS_HEADER, b"A" * (16 * MiB)),
            (bombs.focus_ratio, FOCUS_HEADER, FOCUS_ROW * (16 * MiB // len(FOCUS_ROW)))):
        data = path.read_bytes()
        assert len(data) < 12 * MiB
        head, member = gzip.compress(header, mtime=0), gzip.compress(piece, 9, mtime=0)
        copies = BOMB // len(piece)
        assert data.startswith(head + member * copies)
        assert copies * len(piece) > BOMB - len(piece) >= 2 * 10**9
        with gzip.open(path, "rb") as f:
            assert f.read(len(header) + 2 * len(piece)) == header + piece * 2
    assert bombs.focus_line.stat().st_size < 4 * MiB
    assert bombs.focus_plain.stat().st_size == PLAIN
    with bombs.focus_plain.open("rb") as f:
        assert f.read(len(FOCUS_HEADER) + MiB) == FOCUS_HEADER + bytes(MiB)


# --- peak memory ------------------------------------------------------------------------------

def _status(field: str) -> int:
    """A /proc/self/status size (kB) in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} missing from /proc/self/status")


class PeakGrowth:
    """How far this process's peak RSS rose above its RSS at entry, native memory included."""

    growth = 0

    def __enter__(self) -> PeakGrowth:
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
        self._base = _status("VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        self.growth = _status("VmHWM") - self._base


Reader = Callable[[Path, ExitStack], Iterable[Any]]


def refuse(read: Reader, path: Path) -> tuple[str, int]:
    """Iterate what `read` gives; return the InvalidInput's detail and the peak growth."""
    with ExitStack() as stack, PeakGrowth() as peak, pytest.raises(InvalidInput) as info:
        for _ in read(path, stack):
            pass
    return info.value.detail, peak.growth


# --- every reader ---------------------------------------------------------------------------

READERS: dict[str, Reader] = {
    "focus-rows": lambda p, _: FocusReader(p, default_currency="USD"),
    "focus-arrow": lambda p, _: ArrowFocusReader(p, default_currency="USD"),
    "focus-arrow-stream": lambda p, stack: ArrowFocusReader(
        stack.enter_context(p.open("rb")), default_currency="USD"),
    "manual": lambda p, _: ManualCsvReader(p),
    "yandex": lambda p, stack: parse_billing_export(stack.enter_context(p.open("rb"))),
}
KIND = {"focus-rows": "focus", "focus-arrow": "focus", "focus-arrow-stream": "focus",
        "manual": "manual", "yandex": "yandex"}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("bomb", ["line", "plain"])
def test_a_giant_line_is_refused_without_being_held(bombs: Bombs, reader: str,
                                                    bomb: str) -> None:
    path: Path = getattr(bombs, f"{KIND[reader]}_{bomb}")
    detail, growth = refuse(READERS[reader], path)
    assert detail.endswith(LINE_REFUSED)
    assert growth < READER_CEILING, f"{growth / MiB:.0f} MiB"


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_ratio_bomb_of_valid_rows_is_refused(bombs: Bombs, reader: str) -> None:
    path: Path = getattr(bombs, f"{KIND[reader]}_ratio")
    detail, growth = refuse(READERS[reader], path)
    assert RATIO_REFUSED in detail
    assert detail.endswith(ZIP_BOMB)
    assert growth < READER_CEILING, f"{growth / MiB:.0f} MiB"


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_record_of_many_short_lines_is_refused(tmp_path: Path, reader: str) -> None:
    """A quoted cell may hold line breaks: bounded lines alone would let csv gather 3 MiB of
    one-character cells (tens of bytes of Python objects each)."""
    header = {"focus": FOCUS_HEADER, "manual": MANUAL_HEADER,
              "yandex": YANDEX_HEADER}[KIND[reader]]
    path = tmp_path / "record.csv"
    path.write_bytes(record_bomb(header))
    detail, growth = refuse(READERS[reader], path)
    assert RECORD_REFUSED in detail
    assert detail.endswith("(limit IMPORT_MAX_LINE_BYTES)")
    if reader != "focus-arrow" and reader != "focus-arrow-stream":
        assert "starting on line 2" in detail  # Arrow does not say where
    assert growth < READER_CEILING


def test_limits_are_configurable_and_a_line_at_the_limit_passes(tmp_path: Path) -> None:
    limits = ReadLimits(max_line_bytes=4096)
    ok = tmp_path / "ok.csv"
    ok.write_bytes(MANUAL_HEADER + b"2026-11-01,Compute," + b"r" * 4000 + b",100\n")
    assert len(list(ManualCsvReader(ok, limits=limits))) == 1
    exact = tmp_path / "exact.csv"
    line = b"2026-11-01,Compute,vm,100"
    exact.write_bytes(MANUAL_HEADER + line + b" " * (4096 - len(line)) + b"\r\n")
    assert len(list(ManualCsvReader(exact, limits=limits))) == 1  # 4096 bytes + the break
    long = tmp_path / "long.csv"
    long.write_bytes(MANUAL_HEADER + MANUAL_ROW + b"2026-11-01,Compute," + b"r" * 5000 + b",1\n")
    with pytest.raises(InvalidInput, match=r"^line 3 is longer than 4 KiB"):
        list(ManualCsvReader(long, limits=limits))
    with pytest.raises(InvalidInput, match=r"larger than 1 KiB read: refused \(limit "
                                           r"IMPORT_MAX_BYTES\)"):
        list(ManualCsvReader(long, limits=ReadLimits(max_bytes=1024)))


def test_a_small_compressible_file_passes_the_ratio_floor(tmp_path: Path) -> None:
    """Real exports compress 5–20×; a small file may compress far more and is still read."""
    packed = gzip.compress(FOCUS_HEADER + FOCUS_ROW * 50_000)  # 2.5 MB, ~500×
    assert len(FOCUS_HEADER + FOCUS_ROW * 50_000) > 300 * len(packed)
    records = list(FocusReader(io.BytesIO(packed), limits=ReadLimits(ratio_floor=4 * MiB)))
    assert len(records) == 50_000
    with pytest.raises(InvalidInput, match="expands more than 100×"):
        list(FocusReader(io.BytesIO(packed), limits=ReadLimits(ratio_floor=MiB)))


def test_a_broken_gzip_is_a_clear_error(tmp_path: Path) -> None:
    rows = "".join(f"2026-11-01,Compute,vm-{i},{i * 7 % 1000}\n" for i in range(5000))
    packed = gzip.compress(MANUAL_HEADER + rows.encode())
    assert len(packed) > 2000
    with pytest.raises(InvalidInput, match="cannot be decompressed"):
        list(ManualCsvReader(io.BytesIO(packed[:-200])))
    broken = io.BytesIO(packed[:40] + b"\xff" * 300 + packed[340:])
    with pytest.raises(InvalidInput, match="cannot be decompressed"), open_text(broken) as text:
        text.read()


def test_the_limits_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPORT_MAX_LINE_BYTES", "65536")
    monkeypatch.setenv("IMPORT_MAX_BYTES", str(GiB))
    monkeypatch.setenv("IMPORT_MAX_RATIO", "50")
    assert load_settings().read_limits == ReadLimits(max_line_bytes=65536, max_bytes=GiB,
                                                     max_ratio=50)
    monkeypatch.delenv("IMPORT_MAX_LINE_BYTES")
    monkeypatch.delenv("IMPORT_MAX_BYTES")
    monkeypatch.delenv("IMPORT_MAX_RATIO")
    assert load_settings().read_limits == ReadLimits()


# --- the CLI, as a real process ---------------------------------------------------------------

@dataclass
class Run:
    code: int
    output: str
    peak: int  # bytes


# The peak comes from wait4 in a small wrapper process: a child's ru_maxrss starts from the
# RSS of the process that forked it (Linux keeps the old high-water mark across exec), so
# measured straight from pytest it would report pytest's own size.
_WRAPPER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
proc.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(proc.returncode)
"""


def infrazen(env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None) -> Run:
    """`.venv/bin/infrazen --lang en ARGS`, with its own peak RSS."""
    exe = Path(sys.executable).with_name("infrazen")
    assert exe.exists(), exe
    peak = cwd / "peak.txt"
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(peak), str(exe), "--lang", "en",
                           *args], cwd=cwd, env=env, input=(stdin or "").encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    return Run(done.returncode, done.stdout.decode(), int(peak.read_text()) * 1024)


@dataclass(frozen=True)
class CliDb:
    env: dict[str, str]
    where: Path
    baseline: int  # peak RSS of `org create`: what the CLI costs before any file


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> CliDb:
    """A SQLite database with an organisation, a focus connection (1), a manual one (2)."""
    where = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPORT_MAX_", "BOT_"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{where / 'infrazen.db'}",
               INFRAZEN_SECRET_KEY="kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    created = infrazen(env, where, "org", "create", "--name", "Acme", "--currency", "USD")
    assert created.code == 0, created.output
    added = infrazen(env, where, "connection", "add", "--org", "acme", "--kind", "focus",
                     "--name", "AWS", "--credentials", "-", stdin='{"account_name": "payer"}')
    assert added.code == 0, added.output
    assert added.output.strip().splitlines()[-1] == "1"
    added = infrazen(env, where, "connection", "add", "--org", "acme", "--kind", "manual_csv",
                     "--name", "Sheet", "--credentials", "-", stdin="{}")
    assert added.code == 0, added.output
    assert added.output.strip().splitlines()[-1] == "2"
    return CliDb(env, where, created.peak)


@pytest.mark.slow  # a CLI process each (the CLI alone takes seconds to start)
@pytest.mark.parametrize(("bomb", "connection", "message"), [
    ("focus_line", "1", LINE_REFUSED), ("focus_plain", "1", LINE_REFUSED),
    ("focus_ratio", "1", ZIP_BOMB), ("manual_line", "2", LINE_REFUSED)])
def test_the_cli_refuses_a_bomb_in_bounded_memory(cli_db: CliDb, bombs: Bombs, bomb: str,
                                                  connection: str, message: str) -> None:
    run = infrazen(cli_db.env, cli_db.where, "import-focus", str(getattr(bombs, bomb)),
                   "--connection", connection)
    assert run.code == 2, run.output
    assert run.output.startswith("Error: ")
    assert message in run.output
    assert run.output.rstrip().endswith("Nothing was imported.")
    assert "Traceback" not in run.output
    figures = f"peak RSS {run.peak / MiB:.0f} MiB, the CLI alone {cli_db.baseline / MiB:.0f}"
    assert run.peak - cli_db.baseline < CLI_GROWTH, figures
    assert run.peak < CLI_CEILING, figures


# --- the bot: a document sent by an organisation owner ----------------------------------------

async def _owner_with(hb: BotHarness, telegram_id: int, kind: str) -> int:
    async with hb.ctx.session() as s:
        org = await create_org(s, f"ООО Бомба {telegram_id}")
        user = await ensure_user(s, telegram_id, full_name="Owner")
        await set_membership(s, org.id, user.id, Role.OWNER)
        await set_active_org(s, user.id, org.id)
        conn = Connection(org_id=org.id, kind=kind, name="Файлы", status="active",
                          credentials=hb.ctx.vault.encrypt({}))
        s.add(conn)
        await s.flush()
        return conn.id


@pytest.mark.parametrize(("kind", "bomb", "message"), [
    ("focus", "focus_line", LINE_REFUSED), ("focus", "focus_ratio", ZIP_BOMB),
    ("manual_csv", "manual_line", LINE_REFUSED)])
async def test_the_bot_refuses_a_bomb_sent_as_a_document(hb: BotHarness, bombs: Bombs,
                                                         kind: str, bomb: str,
                                                         message: str) -> None:
    conn_id = await _owner_with(hb, 7101, kind)
    owner = hb.client(7101)
    content = getattr(bombs, bomb).read_bytes()
    with PeakGrowth() as peak:
        await owner.send_document(f"{bomb}.csv.gz", content, mime_type="application/gzip")
        await default_tasks().wait_all()  # the import may run in the background
    reply = owner.last_reply().text
    assert f"Файл «{bomb}.csv.gz» не импортирован" in reply
    assert message in reply
    assert "Ничего не изменено" in reply
    assert peak.growth < BOT_CEILING, f"{peak.growth / MiB:.0f} MiB"
    async with hb.ctx.session() as s:
        stored = (await s.execute(select(func.count()).select_from(CostLine).where(
            CostLine.connection_id == conn_id))).scalar_one()
    assert stored == 0
