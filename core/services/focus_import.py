"""File imports (FOCUS exports, Yandex Cloud billing details, manual CSV): stream rows into daily
cost lines, replace what the file covers.

`import_file` lets the file say what it is (`BillingFiles.detect`, filled by `connectors.files`:
FOCUS 1.0–1.3 and
pre-1.0 names, Yandex billing detail, a manual CSV with English or Russian headers), whatever
the file connection it goes into; the readers detect the encoding, delimiter and decimal mark,
and the result says how the file was read (`ImportResult.facts`).

Rows are parsed and aggregated in a worker thread in slices (the event loop stays free), and
whenever enough daily buckets have piled up they are turned into table rows (also in the worker)
and staged, so memory stays bounded by the buckets per batch, not by the file. Amounts are
summed exactly (Decimal) per daily line and stored with nine decimals
(`core.db.types.CostMoney`). FOCUS files go through the columnar reader
(`connectors.focus.arrow_reader`), reached through the `core.ports.BillingFiles`
port (`OpenedFile.fallback`): it hands over its summed single-day lines as NumPy columns
(`DailyColumns`: amounts already integer nano-units, an identity number per line, each
identity's values once per read), which `_Columns` turns into the driver's rows column by
column — a million daily lines never become Decimals or records, and no Python code runs
per line before the driver binds its values (CPU for 1M daily-shaped rows: 36.6 s → ~21 s
→ ~14.5 s, most of it now Arrow's parse and SQLite's own). When it gives up (a bad cell to
locate, a decimal comma, a money format only the row reader reads) what it staged is
dropped and the row-by-row reader reads the file again, so results and error messages are
the same.
One-time charges (ChargeFrequency `One-Time`) land on their first day; every other row is
spread over its charge period by `core.services.sync.rules.split_daily`.

Two ways to write, one guarantee: a day shows its old lines or its new ones, never a mix,
and nothing changes until the whole file is read (a bad row, a crash or a lost lease leaves
the stored lines as they were). What the file replaces is `replaced_lines`: per provider in
the file, the connection's lines of that provider and of the file's sub-accounts, from the
provider's first day in the file to its last; so a re-import is idempotent and another
provider's or account's lines in the same connection stay. Lines travel narrow both ways: a
day, five amounts and an identity number, each identity's columns once per import
(`_Staging`; a whole line is 30 values, most of them the same texts on each of a
resource's days).

- **SQLite, a first import into a connection with no line: written while it is read**
  (`_Direct`): keys and lines go straight into `cost_keys` / `cost_amounts` in short
  transactions; readers are told the connection is loading (a `swapping` snapshot with
  `loading`) until the end writes its rollup and marks it a success; anything that stops it
  deletes what it wrote (by the next import or start after a crash: `resume_swaps`), so the
  connection is as it was, empty.
- **SQLite, other imports: staged, then swapped in short transactions**, because it has one
  writer at a time and an import that held it for minutes stopped the bot answering. The
  lines go to `cost_line_staging` (identities to `cost_line_staging_idents`) in transactions of
  `STAGE_ROWS` rows, the per-import constants literals of the INSERT, not bound per row;
  then the swap (`_swap`) deletes what the file replaces and moves the staged lines in with
  INSERT … SELECT, a few days per transaction (`_swap_days`, at most SWAP_ROWS lines in and
  out unless one day has more, which also refreshes the days' rollup). A question over
  several days asked during the swap may see some days already new; the snapshot says
  `swapping` until the last step, which also records the connection's success and the audit
  entry (what was replaced and what was left alone, per provider). Staging of an import that
  died is dropped or swept by the next import or start (`sweep_stale_staging`); a swap once
  begun is finished — its staged rows stay until their days are moved — by this import, or if
  it died by the next import into the connection or at start (`resume_swaps`,
  `core.services.import_recovery`).
- **PostgreSQL: one transaction** (`_OneTransaction`), since its readers see the old lines
  until it commits and other writers do not wait on it: each batch is COPYd into the
  import's temporary tables and moved into `cost_amounts` by the server while the next batch
  is read (its index and foreign-key upkeep on the other core); at the end the old lines the
  file replaces are deleted, the days' rollup refreshed, the snapshot and audit entry
  written, and it commits. Any failure rolls the whole import back: nothing to resume.

The import writes through its own sessions (made from the engine of the `session` it is
given, which it uses only to read the connection and check the caller's role): the caller's
session must not hold uncommitted writes.

One import per connection at a time: a lease in `job_leases` (`import:<connection id>`),
renewed while the import runs; a second import into it gets `ImportBusy` at once. On SQLite the
imports of one process also take turns (there is one writer anyway); on PostgreSQL imports into
different connections run side by side.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    MetaData,
    Select,
    Table,
    and_,
    delete,
    func,
    insert,
    not_,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from core import metrics
from core.clock import SystemClock
from core.db import cost_store, writers
from core.db.models import Connection, JobLease, SyncSnapshot, cost_line_staging
from core.db.models import CostLine as CostLineRow
from core.db.models.costs import (
    KEY_COLUMNS,
    STAGED_AMOUNTS,
    STAGED_IDENTITY,
    cost_line_staging_idents,
)
from core.db.types import COST_SCALE
from core.domain.billing_files import (
    IDENTITY_FIELDS,
    ColumnSource,
    DailyColumns,
    FastPathUnavailable,
    FileFacts,
    FocusRecord,
    OpenedFile,
    Source,
)
from core.domain.limits import ReadLimits
from core.domain.providers import PROVIDER_NAMES, canonical_provider
from core.domain.roles import Role
from core.ports import BillingFiles
from core.services import day_digests, rollups
from core.services.audit import audit
from core.services.connections import Actor
from core.services.errors import Conflict, NotFound, ServiceError
from core.services.leases import acquire_job, release_job
from core.services.orgs import require_role
from core.services.sync.costs import (
    KEY_FIELDS,
    DailyAggregator,
)
from core.tasks import spawn

__all__ = ["FILE_KINDS", "ImportBusy", "ImportResult", "ReplaceScope", "ScopePart",
           "import_file", "import_focus", "import_manual_csv", "recover_imports",
           "replaced_lines", "resume_swaps", "sweep_stale_staging"]

assert (*KEY_FIELDS, "tags") == IDENTITY_FIELDS, "reader and aggregator identity differ"

log = logging.getLogger(__name__)

SLICE = 20_000  # rows parsed per trip to the worker thread
FLUSH_BUCKETS = 20_000  # daily buckets held before they are staged (50k: +40 MB RSS, no faster)
STAGE_ROWS = 10_000  # staged rows per transaction: well under a second of SQLite's one writer
DROP_ROWS = 50_000  # staged rows deleted per transaction when an import is done with them
GAP = 0.12  # longest turn other writers get between import transactions (> SQLite's 100 ms poll)
HOLD_UNSEEN = 1.0  # seconds of import writes after which writers of other processes get one
SWAP_ROWS = 20_000  # lines in and out per swap step on SQLite: a fraction of a second's lock
LEASE_TTL = timedelta(minutes=2)  # an import that stopped renewing is dead after this
RENEW_EVERY = 30.0  # seconds between lease renewals
MAX_SCOPE_ACCOUNTS = 1000  # more sub-accounts of one provider: its whole days are replaced
FILE_KINDS = frozenset({"focus", "manual_csv"})  # connections a file can be imported into
STAGING: Table = cost_line_staging
IDENTS: Table = cost_line_staging_idents
KEYS: Table = cost_store.KEYS
AMOUNTS: Table = cost_store.AMOUNTS
_AMOUNT_COLUMNS = ["org_id", "connection_id", "key_id", "day", *STAGED_AMOUNTS]


class ImportBusy(Conflict):
    """Another import into this connection is running (or its lease has not expired yet)."""

    code = "import_running"


@dataclass(frozen=True)
class ImportResult:
    connection_id: int
    snapshot_id: int
    rows: int
    lines_stored: int
    days: int
    first_day: date | None
    last_day: date | None
    totals: dict[str, Decimal]
    facts: FileFacts | None = None  # format, encoding, delimiter, decimal mark
    replaced: dict[str, int] = field(default_factory=dict)  # provider → stored lines replaced
    kept: dict[str, int] = field(default_factory=dict)  # provider → lines of those days kept
    unchanged_days: int = 0  # days whose stored lines the file repeats exactly: left as is


@dataclass(frozen=True)
class ScopePart:
    """One provider's share of a file: its sub-accounts (None: lines without one; empty: all
    of them) and its first and last day."""

    provider: str
    sub_accounts: frozenset[str | None]
    first_day: date
    last_day: date


@dataclass(frozen=True)
class ReplaceScope:
    """What a finished import replaces: per provider of the file, the connection's lines of
    that provider and those sub-accounts within [first_day, last_day]."""

    org_id: int
    connection_id: int
    parts: tuple[ScopePart, ...]

    @property
    def first_day(self) -> date:
        return min(p.first_day for p in self.parts)

    @property
    def last_day(self) -> date:
        return max(p.last_day for p in self.parts)

    @classmethod
    def of(cls, org_id: int, connection_id: int,
           covered: dict[tuple[str, str | None], list[date]]) -> ReplaceScope | None:
        """From `DailyAggregator.covered`; None when the file had no lines."""
        spans: dict[str, tuple[set[str | None], list[date]]] = {}
        for (provider, account), (first, last) in covered.items():
            accounts, days = spans.setdefault(provider, (set(), [first, last]))
            accounts.add(account)
            days[0], days[1] = min(days[0], first), max(days[1], last)
        parts = tuple(ScopePart(provider, frozenset(accounts) if len(accounts)
                                <= MAX_SCOPE_ACCOUNTS else frozenset(), days[0], days[1])
                      for provider, (accounts, days) in sorted(spans.items()))
        return cls(org_id, connection_id, parts) if parts else None


def replaced_lines(scope: ReplaceScope) -> ColumnElement[bool]:
    """The stored lines an import's swap deletes before copying its own in: the one rule.

    Per provider the file holds: that provider's lines of the file's sub-accounts (all of them
    past MAX_SCOPE_ACCOUNTS) from its first day in the file to its last. Another provider's or
    another sub-account's lines in the same connection and days are never touched."""
    return and_(CostLineRow.org_id == scope.org_id,
                CostLineRow.connection_id == scope.connection_id,
                or_(*(_part_lines(part) for part in scope.parts)))


def _part_lines(part: ScopePart) -> ColumnElement[bool]:
    clause = [CostLineRow.provider == part.provider,
              CostLineRow.day >= part.first_day, CostLineRow.day <= part.last_day]
    named = sorted(a for a in part.sub_accounts if a is not None)
    if part.sub_accounts:
        either = [CostLineRow.sub_account_id.in_(named)] if named else []
        if None in part.sub_accounts:
            either.append(CostLineRow.sub_account_id.is_(None))
        clause.append(or_(*either))
    return and_(*clause)


def _scope_lines(scope: ReplaceScope, part: ScopePart) -> ColumnElement[bool]:
    """One provider's share of `replaced_lines(scope)`."""
    return and_(CostLineRow.org_id == scope.org_id,
                CostLineRow.connection_id == scope.connection_id, _part_lines(part))


def _same_days(scope: ReplaceScope) -> ColumnElement[bool]:
    return and_(CostLineRow.org_id == scope.org_id,
                CostLineRow.connection_id == scope.connection_id,
                CostLineRow.day >= scope.first_day, CostLineRow.day <= scope.last_day)


def _consume(records: Iterator[FocusRecord], agg: DailyAggregator, limit: int) -> bool:
    """Feed up to `limit` records; False when the file is exhausted."""
    add = agg.add_raw
    for count, rec in enumerate(records, 1):
        add(*rec)
        if count >= limit:
            return True
    return False


def _sql_literal(dialect: Dialect, column_type: Any, value: Any) -> str:
    """`value` as SQL text for `column_type` (NULL, an integer or a quoted plain string)."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(int(value))
    text = str(value)
    if not text.replace("_", "").isalnum():  # ids and source names only: nothing to escape
        raise ValueError(f"not a plain literal: {text!r}")
    return column_type.literal_processor(dialect)(text)  # type: ignore[no-any-return]


def _column_params(plan: list[tuple[str, Any]], columns: list[Any]) -> list[tuple[Any, ...]]:
    """Columns (in `plan` order) as the driver's plain tuples, converted column by column: a
    column's distinct values are converted once (days, periods, currencies and most amounts
    repeat), and the loops are the interpreter's own (map, zip), not Python's."""
    for i, (_, process) in enumerate(plan):
        if process is None:
            continue
        try:
            memo = {value: process(value) for value in set(columns[i])}
        except TypeError:  # unhashable (JSON tags, shared per drain): once per object
            objects = {id(value): value for value in columns[i]}
            by_id = {key: process(value) for key, value in objects.items()}
            columns[i] = [by_id[id(value)] for value in columns[i]]
        else:
            columns[i] = list(map(memo.__getitem__, columns[i]))
    return list(zip(*columns, strict=True))


def _engine_of(session: AsyncSession) -> AsyncEngine:
    bind = session.bind
    if isinstance(bind, AsyncConnection):
        return bind.engine
    if not isinstance(bind, AsyncEngine):
        raise TypeError("the import needs a session bound to an AsyncEngine")
    return bind


_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary())


def _turn(engine: AsyncEngine) -> asyncio.Lock | None:
    """On SQLite, the lock this process's imports into one database file take turns on."""
    if engine.dialect.name != "sqlite":
        return None
    locks = _turns.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(str(engine.url.database or id(engine)), asyncio.Lock())


# One import's own temporary tables on PostgreSQL (`_OneTransaction`), shaped like the
# shared staging tables less the import id
_TEMP = MetaData()
TEMP_LINES = Table("import_lines", _TEMP, *(Column(c.name, c.type) for c in STAGING.columns
                                            if c.name not in ("id", "import_id")))
TEMP_IDENTS = Table("import_idents", _TEMP, *(Column(c.name, c.type) for c in IDENTS.columns
                                              if c.name != "import_id"))


class _OneTransaction:
    """PostgreSQL: the whole import is one transaction. Readers see the old lines until it
    commits (MVCC) and other writers do not wait on it, so nothing needs short steps; a
    failure anywhere rolls everything back, so there is nothing to resume or sweep. Each
    batch is COPYd (narrow: identity number, day, amounts; each identity once) into
    temporary tables and moved into `cost_amounts` by one INSERT … SELECT, which the server
    runs (index and foreign-key upkeep, on the other core) while this process reads on.
    The lines the file replaces are deleted at the end, when the file's scope is known:
    the ones stored before the import began (`before`: no other writer adds lines to a
    connection whose import lease is held, and new ids come from the sequence, which must
    be past every stored id: checked at the start, else the import is refused)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self.session: AsyncSession | None = None
        self.before = 0  # the highest line id when the import began
        self.started = 0.0

    async def begin(self) -> AsyncSession:
        self.session = session = self.sessions()
        self.started = time.perf_counter()
        self.before = int((await session.execute(
            select(func.coalesce(func.max(AMOUNTS.c.id), 0)))).scalar_one())
        issued = (await session.execute(text(
            "SELECT pg_sequence_last_value(pg_get_serial_sequence('cost_amounts', 'id'))"))
        ).scalar_one()
        if self.before and (issued is None or int(issued) < self.before):
            # lines stored with ids the sequence never gave (a restore without setval): new
            # lines could get ids below `before` and be deleted as old ones at the end
            raise RuntimeError(
                f"cost_amounts holds id {self.before} but its id sequence has issued "
                f"{issued}; imports are refused until it is moved past them: SELECT setval("
                "pg_get_serial_sequence('cost_amounts', 'id'), "
                "(SELECT max(id) FROM cost_amounts))")
        for table, key in ((TEMP_LINES, None), (TEMP_IDENTS, "number")):
            source = STAGING if table is TEMP_LINES else IDENTS
            names = ", ".join(c.name for c in table.columns)
            await session.execute(text(
                f"CREATE TEMPORARY TABLE {table.name} ON COMMIT DROP AS "
                f"SELECT {names} FROM {source.name} WITH NO DATA"))
            if key:
                await session.execute(text(f"ALTER TABLE {table.name} ADD PRIMARY KEY ({key})"))
        return session

    @property
    def open(self) -> AsyncSession:
        if self.session is None:
            raise RuntimeError("the import's transaction is not open")
        return self.session

    async def write(self, staging: _Staging, batch: _Batch) -> None:
        """COPY a batch's new identities and lines, key the identities, and move the lines
        into `cost_amounts`."""
        idents, lines = batch
        session = self.open
        conn = await session.connection()
        driver: Any = (await conn.get_raw_connection()).driver_connection
        if idents:
            await driver.copy_records_to_table(TEMP_IDENTS.name, records=idents,
                                               columns=staging.ident_names)
            await _key_staged(session, staging.constants[1], TEMP_IDENTS)
        if len(lines):
            records = lines if isinstance(lines, list) else map(tuple, lines.tolist())
            await driver.copy_records_to_table(TEMP_LINES.name, records=records,
                                               columns=staging.line_names)
            await session.execute(insert(AMOUNTS).from_select(
                _AMOUNT_COLUMNS, _staged_amounts(true(), lines=TEMP_LINES,
                                                 idents=TEMP_IDENTS)))
            await session.execute(text(f"TRUNCATE {TEMP_LINES.name}"))

    async def restart(self) -> None:
        """Roll back what was written (the row-by-row reader starts over)."""
        await self.close()
        await self.begin()

    async def close(self) -> None:
        """End the transaction: rolled back unless it was committed."""
        session, self.session = self.session, None
        if session is not None:
            await session.close()


@dataclass
class _Run:
    """One running import: its id (the lease owner and the staged rows' key) and its writes."""

    sessions: async_sessionmaker[AsyncSession]
    dialect: Dialect
    org_id: int
    connection_id: int
    import_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    staged: int = 0
    lost: bool = False
    swapping: bool = False  # the swap has begun: the staged rows are the swap's to move
    writing: asyncio.Task[None] | None = None  # the batch being staged while parsing goes on
    staging: _Staging | None = None
    whole: _OneTransaction | None = None  # PostgreSQL: the import's one transaction
    # SQLite, a first import (the connection holds no line): written while it reads, no
    # staging and no swap (`_Direct`)
    direct: _Direct | None = None

    @property
    def sums(self) -> _Sums | None:
        """The rollup sums of what this import staged (None before it staged anything)."""
        return self.staging.sums if self.staging is not None else None

    @property
    def lease(self) -> str:
        return f"import:{self.connection_id}"

    async def renew(self) -> bool:
        """Take or extend the lease; False when another live import holds it."""
        async with self.sessions() as session, session.begin():
            taken = await acquire_job(session, self.lease, owner=self.import_id,
                                      now=SystemClock().now(), ttl=LEASE_TTL)
        if not taken:
            self.lost = True
        return taken

    async def heartbeat(self) -> None:
        while not self.lost:
            await asyncio.sleep(RENEW_EVERY)
            try:
                await self.renew()
            except Exception:  # a busy database now and then: the next beat tries again
                log.warning("import %s: lease renewal failed", self.import_id, exc_info=True)

    async def release(self) -> None:
        async with self.sessions() as session, session.begin():
            await release_job(session, self.lease, owner=self.import_id,
                              now=SystemClock().now())

    def format(self, source: str) -> _Staging:
        """How this import's lines and identities are written (made once per import)."""
        if self.staging is None:
            self.staging = _Staging(self.dialect, self.import_id, self.org_id,
                                    self.connection_id, source)
        return self.staging

    async def stage(self, agg: DailyAggregator, source: str) -> None:
        """Drain the aggregator into rows and start staging them, one short transaction per
        STAGE_ROWS, while the caller parses on (SQLite works outside the GIL); one batch is in
        flight at a time."""
        staging = self.format(source)

        def _rows() -> _Batch:
            return staging.record_rows(agg.drain_columns(
                org_id=self.org_id, connection_id=self.connection_id, source=source))

        batch = await asyncio.to_thread(_rows)
        await self.settle()
        self.writing = spawn(self._write(staging, batch), name=f"import-stage-{self.import_id}")

    async def _write(self, staging: _Staging, batch: _Batch) -> None:
        """Stage a batch: on SQLite its new identities with its first transaction, then its
        lines in transactions of STAGE_ROWS, by executemany of multi-row INSERTs
        (`_multi_row`); on PostgreSQL into the import's one transaction (`_OneTransaction`:
        COPY, binary, several times faster than INSERT)."""
        idents, lines = batch
        if self.whole is not None:
            await self.whole.write(staging, batch)
            self.staged += len(lines)
            return
        if self.direct is not None:
            await self.direct.write(self, staging, batch)
            return
        for i in range(0, max(len(lines), 1 if idents else 0), STAGE_ROWS):
            part = lines[i:i + STAGE_ROWS]
            started = time.perf_counter()
            async with self.sessions() as session, session.begin():
                conn = await session.connection()
                for sql, rows in ((staging.ident_sql, idents if not i else []),
                                  (staging.line_sql, part)):
                    if not len(rows):
                        continue
                    for statement, values in _multi_row(sql, rows):
                        await conn.exec_driver_sql(statement, values)
            _record_step(started)
            await _let_others_write(self.sessions)
            self.staged += len(part)

    async def settle(self) -> None:
        """Wait until the batch in flight is staged (raising what staging it raised)."""
        task, self.writing = self.writing, None
        if task is not None:
            await task

    async def abandon(self) -> None:
        """Let the batch in flight end, whatever becomes of it. Not cancelled: the driver's
        thread would go on writing on a connection the pool no longer tracks, holding
        SQLite's write lock."""
        task, self.writing = self.writing, None
        if task is not None:
            with suppress(Exception):
                await asyncio.shield(task)

    async def discard(self) -> None:
        """Drop this import's staged rows (short transactions); not once its swap has begun
        (what is left is finished by `resume_swaps`)."""
        if self.swapping:
            return
        self.staging = None  # its memo of identities staged goes with them
        if self.whole is not None:
            await self.whole.restart()
        elif self.direct is not None:
            direct, self.direct = self.direct, None  # the row-by-row reader stages
            await direct.undo(self)
        else:
            await _drop_staged(self.sessions, self.import_id)
        self.staged = 0


MULTI_ROW_PARAMS = 999  # bound values per INSERT at most (SQLite before 3.32 allows 999)


def _multi_row(sql: str, rows: Any) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """`sql` (a one-row INSERT … VALUES (…)) and its rows (tuples, or a 2-D object array of
    the columnar path) as INSERTs of several rows each, their values flattened: SQLite steps
    once per statement, not per row, and the driver gives up and takes back the GIL once per
    step (a parser thread holding it made each handover a wait): staging CPU ~25 % less,
    measured. An array is flattened by reshaping it, with no Python loop per line."""
    if not len(rows):
        return []
    head, values = sql.rsplit(" VALUES ", 1)
    per = max(1, MULTI_ROW_PARAMS // len(rows[0]))
    whole = len(rows) - len(rows) % per
    out: list[tuple[str, list[tuple[Any, ...]]]] = []
    if whole:
        if isinstance(rows, list):
            flat = [tuple(chain.from_iterable(rows[j:j + per])) for j in range(0, whole, per)]
        else:
            flat = list(map(tuple, rows[:whole].reshape(-1, per * len(rows[0])).tolist()))
        out.append((f"{head} VALUES {', '.join([values] * per)}", flat))
    if whole < len(rows):
        rest = (tuple(chain.from_iterable(rows[whole:])) if isinstance(rows, list)
                else tuple(rows[whole:].reshape(-1).tolist()))
        out.append((f"{head} VALUES {', '.join([values] * (len(rows) - whole))}", [rest]))
    return out


async def _drop_staged(sessions: async_sessionmaker[AsyncSession], import_id: str) -> int:
    """Delete an import's staged lines (then its identities) in short transactions; how many
    lines."""
    dropped = 0
    for table, key in ((STAGING, STAGING.c.id), (IDENTS, IDENTS.c.number)):
        while True:
            async with sessions() as session, session.begin():
                batch = (select(key).where(table.c.import_id == import_id)
                         .limit(DROP_ROWS).scalar_subquery())
                result = await session.execute(delete(table).where(
                    table.c.import_id == import_id, key.in_(batch)))
            count = int(getattr(result, "rowcount", 0) or 0)
            if table is STAGING:
                dropped += count
            if count < DROP_ROWS:
                break
    return dropped


async def sweep_stale_staging(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Drop staged rows no live import owns (a process that died mid-import) and no begun
    swap still has to move; how many lines."""
    now = SystemClock().now()
    async with sessions() as session:
        staged = set((await session.execute(
            select(STAGING.c.import_id).distinct()
            .union(select(IDENTS.c.import_id).distinct()))).scalars())
        if not staged:
            return 0
        live = set((await session.execute(select(JobLease.owner).where(
            JobLease.name.like("import:%"), JobLease.expires_at > now))).scalars())
    live |= {import_id for _, _, import_id in await _swapping(sessions)}
    dropped = 0
    for import_id in sorted(staged - live):
        dropped += await _drop_staged(sessions, import_id)
    if dropped:
        log.info("dropped %s staged lines of imports that did not finish", dropped)
    return dropped


@asynccontextmanager
async def _running(session: AsyncSession, conn: Connection) -> AsyncIterator[_Run]:
    """Own the connection's import lease (or raise ImportBusy) and clean up after the import,
    whatever happened: staged rows dropped, lease given back."""
    engine = _engine_of(session)
    run = _Run(sessions=async_sessionmaker(engine, expire_on_commit=False),
               dialect=engine.dialect, org_id=conn.org_id, connection_id=conn.id)
    if not await run.renew():
        raise ImportBusy(f"an import into connection {conn.id} is already running")
    beat = spawn(run.heartbeat(), name=f"import-lease-{conn.id}")
    turn = _turn(engine)
    try:
        await resume_swaps(run.sessions, connection_id=conn.id, owner=run.import_id)
        await sweep_stale_staging(run.sessions)
        if turn is None:
            run.whole = _OneTransaction(run.sessions)
            await run.whole.begin()
            yield run
        else:
            async with turn:
                if await _holds_no_lines(run):
                    run.direct = _Direct()
                yield run
    finally:
        beat.cancel()
        with suppress(asyncio.CancelledError):
            await beat
        try:
            await run.abandon()
            if run.whole is not None:
                await run.whole.close()
            else:
                await run.discard()
            await run.release()
        except Exception:  # swept by the next import; the lease expires on its own
            log.warning("import %s: clean-up failed", run.import_id, exc_info=True)

async def _load(session: AsyncSession, org_id: int, connection_id: int, kind: str,
                actor: Actor | None) -> Connection:
    if actor is not None and actor.user_id is not None and not actor.superadmin:
        await require_role(session, org_id, actor.user_id, Role.ADMIN)
    conn = (await session.execute(select(Connection).where(
        Connection.id == connection_id, Connection.org_id == org_id))).scalar_one_or_none()
    if conn is None:
        raise NotFound(f"connection {connection_id} not found")
    if conn.kind != kind:
        raise ServiceError(f"connection {connection_id} is a {conn.kind} connection; "
                           f"this file needs a {kind} connection")
    return conn


async def _aggregate(run: _Run, records: Iterable[FocusRecord], agg: DailyAggregator,
                     source: str) -> None:
    """Feed every record through the aggregator, staging whenever enough buckets pile up;
    a columnar reader's summed lines go to staging as they come (`_Columns`)."""
    if isinstance(records, ColumnSource):
        await _aggregate_columns(run, records, agg, source)
        return
    iterator = iter(records)
    more = True
    while more:
        more = await asyncio.to_thread(_consume, iterator, agg, SLICE)
        if len(agg.buckets) >= FLUSH_BUCKETS or not more:
            await run.stage(agg, source)
    await run.settle()


async def _aggregate_columns(run: _Run, records: ColumnSource, agg: DailyAggregator,
                             source: str) -> None:
    """The columnar path: each `DailyColumns` chunk becomes the driver's rows in a worker
    thread and is staged while the next is read; multi-day records go through the
    aggregator (the daily split) and are staged as on the record path."""
    columns = _Columns(run, agg, source)
    iterator = iter(records.daily_columns(COST_SCALE))
    more = True
    while more:
        batch, more = await asyncio.to_thread(columns.next_rows, iterator)
        if len(batch[1]):
            await run.settle()
            run.writing = spawn(run._write(columns.staging, batch),
                                name=f"import-stage-{run.import_id}")
        if len(agg.buckets) >= FLUSH_BUCKETS or (not more and agg.buckets):
            await run.stage(agg, source)
    await run.settle()


# a staged batch: the rows of its new identities and of its lines, as the driver takes them
# (the lines: tuples on the record path, a 2-D NumPy object array on the columnar one)
_Batch = tuple[list[tuple[Any, ...]], Any]
_MISSING = object()
# the identity columns in the order `_Columns` works them out from a reader's identity (the
# import's constants come before them: org_id, connection_id, …, and `source` last)
_IDENT_COLUMNS = ("resource_external_id", "resource_name", "resource_type", "service_name",
                  "service_category", "sku_id", "region_id", "sub_account_id",
                  "sub_account_name", "charge_category", "billing_currency", "pricing_unit",
                  "provider", "provider_name", "tags")
_PER_IMPORT = ("org_id", "connection_id", "source")
assert set(STAGED_IDENTITY) == {*_IDENT_COLUMNS, *_PER_IMPORT}
# where each of a key's columns (KEY_COLUMNS) is among `_IDENT_COLUMNS` (None: the source)
_KEY_AT = tuple(None if name == "source" else _IDENT_COLUMNS.index(name)
                for name in KEY_COLUMNS)


SUMS_LIMIT = 200_000  # identities or rollup rows an import sums in memory at most


class _Sums:
    """The rollup of an import's own lines, summed as they are staged (identity number →
    its rollup key once, then per line: day × key → billed, effective nano-units, lines), so
    the swap writes its days' rollup without reading the lines again
    (`rollups.write_summed`). Past SUMS_LIMIT identities or rollup rows it gives up (`None`
    from `between`) and the swap sums the lines in SQL, as a resumed swap does."""

    # the rollup key's columns among an identity's `_IDENT_COLUMNS` values
    _KEY = tuple(_IDENT_COLUMNS.index(name) for name in (
        "provider", "service_name", "service_category", "region_id", "sub_account_name",
        "billing_currency"))

    def __init__(self, org_id: int, connection_id: int, number_at: int) -> None:
        self.org_id, self.connection_id = org_id, connection_id
        self.number_at = number_at  # where an identity row holds its number (values follow)
        self.keys: dict[int, tuple[Any, ...]] = {}  # record path: number → rollup key
        self.days: dict[Any, dict[tuple[Any, ...], list[int]]] | None = {}
        self.rows = 0
        # columnar path: rollup keys numbered, and each identity number's key number
        self.key_ids: dict[tuple[Any, ...], int] = {}
        self.key_list: list[tuple[Any, ...]] = []
        self.key_of: Any = None
        self.identities = 0

    def add(self, fresh: list[tuple[Any, ...]], lines: list[tuple[Any, ...]]) -> None:
        days = self.days
        if days is None:
            return
        at, keys, pick = self.number_at, self.keys, itemgetter(*self._KEY)
        for row in fresh:
            keys[row[at]] = pick(row[at + 1:])
        for number, day, billed, effective, *_ in lines:
            per = days.get(day)
            if per is None:
                per = days[day] = {}
            key = keys[number]
            got = per.get(key)
            if got is None:
                per[key] = [billed, effective, 1]
                self.rows += 1
            else:
                got[0] += billed
                got[1] += effective
                got[2] += 1
        if len(keys) > SUMS_LIMIT or self.rows > SUMS_LIMIT:
            self._give_up()

    def add_columns(self, fresh: list[tuple[Any, ...]], numbers: Any, day_keys: list[Any],
                    day_at: Any, billed: Any, effective: Any) -> None:
        """`add` for the columnar path: per line its identity number (`fresh`: the rows of
        identities new in this chunk), the index of its day in `day_keys` and its amounts
        (NumPy int64), summed per (day, rollup key) by NumPy when no sum can pass 64 bits
        (else exactly, line by line)."""
        import numpy as np

        if self.days is None or not len(numbers):
            return
        at, pick, ids = self.number_at, itemgetter(*self._KEY), self.key_ids
        if fresh:
            self.key_of = _room(self.key_of, max(row[at] for row in fresh))
            for row in fresh:
                key = pick(row[at + 1:])
                key_id = ids.get(key)
                if key_id is None:
                    key_id = ids[key] = len(self.key_list)
                    self.key_list.append(key)
                self.key_of[row[at]] = key_id
            self.identities += len(fresh)
        key_at = self.key_of[numbers]
        width = len(self.key_list)
        limit = (1 << 62) // len(numbers)  # |any amount| below it: no sum overflows
        if max(int(np.abs(billed).max()), int(np.abs(effective).max())) < limit:
            groups, of_group = np.unique(day_at.astype(np.int64) * width + key_at,
                                         return_inverse=True)
            of_group = of_group.reshape(-1)
            order = np.argsort(of_group, kind="stable")
            counts = np.bincount(of_group, minlength=len(groups))
            starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
            summed: Iterable[tuple[int, int, int, int]] = zip(
                groups.tolist(), np.add.reduceat(billed[order], starts).tolist(),
                np.add.reduceat(effective[order], starts).tolist(), counts.tolist(),
                strict=True)
        else:  # amounts near 2**63 units: exact Python ints, one line at a time
            exact: dict[int, list[int]] = {}
            for group, b, e in zip((day_at.astype(np.int64) * width + key_at).tolist(),
                                   billed.tolist(), effective.tolist(), strict=True):
                sums = exact.setdefault(group, [0, 0, 0])
                sums[0] += b
                sums[1] += e
                sums[2] += 1
            summed = ((group, b, e, c) for group, (b, e, c) in exact.items())
        days, keys = self.days, self.key_list
        for group, billed_sum, effective_sum, count in summed:
            day, key_id = divmod(group, width)
            per = days.get(day_keys[day])
            if per is None:
                per = days[day_keys[day]] = {}
            key = keys[key_id]
            got = per.get(key)
            if got is None:
                per[key] = [billed_sum, effective_sum, count]
                self.rows += 1
            else:
                got[0] += billed_sum
                got[1] += effective_sum
                got[2] += count
        if self.identities > SUMS_LIMIT or self.rows > SUMS_LIMIT:
            self._give_up()

    def _give_up(self) -> None:
        self.days = None
        self.keys.clear()
        self.key_ids.clear()
        self.key_list.clear()
        self.key_of = None

    def between(self, first: date, last: date) -> dict[rollups.RollupKey, list[int]] | None:
        """The rollup rows of the days [first, last]; None if this import gave up summing."""
        if self.days is None:
            return None
        out: dict[rollups.RollupKey, list[int]] = {}
        for stored, per in self.days.items():
            day = stored if isinstance(stored, date) else date.fromisoformat(stored)
            if first <= day <= last:
                for (provider, service, category, region, account, currency), sums in (
                        per.items()):
                    out[rollups.unowned_key(self.org_id, self.connection_id, day, provider,
                                            service, category, region, account,
                                            currency)] = sums
        return out


class _Staging:
    """One import's staged rows: a line is (identity number, day, five amounts), each
    identity's columns are staged once. On SQLite they go to `cost_line_staging` and
    `cost_line_staging_idents`, the import's constants literals of the INSERTs (not bound
    per row); on PostgreSQL COPY writes every column into the import's temporary tables
    (`_OneTransaction`), which need no import id."""

    def __init__(self, dialect: Dialect, import_id: str, org_id: int, connection_id: int,
                 source: str) -> None:
        self.copy = dialect.name == "postgresql"
        self.import_id = import_id
        self.constants = (org_id, connection_id, source)
        self.line_names = ["ident", "day", *STAGED_AMOUNTS]
        self.ident_names = ["number", *_IDENT_COLUMNS, "digest"]
        fixed_line: dict[str, Any] = {"import_id": import_id}
        fixed_ident = {"import_id": import_id, **dict(zip(_PER_IMPORT, self.constants,
                                                          strict=True))}
        if self.copy:  # the import's own temporary tables (`_OneTransaction`): no import id
            self.ident_names = [*_PER_IMPORT, *self.ident_names]
            fixed_line, fixed_ident = {}, {}
        self.line_sql = _insert_sql(dialect, STAGING, fixed_line, self.line_names)
        self.ident_sql = _insert_sql(dialect, IDENTS, fixed_ident, self.ident_names)
        self.process = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                        for table, names in ((STAGING, ("day", *STAGED_AMOUNTS)),
                                             (IDENTS, _IDENT_COLUMNS)) for name in names}
        self.numbered = 0
        self.known: dict[tuple[Any, ...], int] = {}  # record path: identity row → number
        self.sums = _Sums(org_id, connection_id, self.ident_names.index("number"))
        # SQLite: what each day staged, for the next re-import to find the days it repeats
        self.digests = None if self.copy else day_digests.DayDigests(source)

    def number(self) -> int:
        """The next identity number of the record path: below zero, so that it never meets
        the columnar reader's, which lines are staged under as they are (`_Columns`)."""
        self.numbered -= 1
        return self.numbered

    def ident_row(self, number: int, values: Iterable[Any]) -> tuple[Any, ...]:
        """An identity's staged row from its `_IDENT_COLUMNS` values (already processed),
        with the digest its key is found by (`cost_store.key_digest`)."""
        values = tuple(values)
        source = self.constants[2]
        digest = cost_store.key_digest([source if at is None else values[at]
                                        for at in _KEY_AT])
        if self.copy:
            return (*self.constants, number, *values, digest)
        return (number, *values, digest)

    def record_rows(self, columns: dict[str, list[Any]]) -> _Batch:
        """`DailyAggregator.drain_columns` as staged rows: its lines' identities numbered
        (the same identity the same number for the whole import, while the memo holds)."""
        if not columns:
            return [], []
        if self.digests is not None:  # not digested: these days are always rewritten
            self.digests.unverified.update(columns["day"])
        plan = [(name, self.process[name]) for name in _IDENT_COLUMNS]
        identities = _column_params(plan, [columns[name] for name in _IDENT_COLUMNS])
        known = self.known
        if len(known) > 200_000:
            known.clear()
        fresh: list[tuple[Any, ...]] = []
        numbers = []
        for identity in identities:
            got = known.get(identity)
            if got is None:
                got = known[identity] = self.number()
                fresh.append(self.ident_row(got, identity))
            numbers.append(got)
        plan = [("ident", None), *((name, self.process[name])
                                   for name in ("day", *STAGED_AMOUNTS))]
        lines = _column_params(plan, [numbers, *(columns[name] for name in
                                                 ("day", *STAGED_AMOUNTS))])
        self.sums.add(fresh, lines)
        return fresh, lines


def _insert_sql(dialect: Dialect, table: Table, fixed: dict[str, Any],
                names: list[str]) -> str:
    """INSERT of one row of `names` (positional marks), `fixed` columns as literals."""
    quote = dialect.identifier_preparer.quote
    literals = [_sql_literal(dialect, table.c[name].type, value) for name, value in fixed.items()]
    return (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in (*fixed, *names))}) "
            f"VALUES ({', '.join((*literals, *['?'] * len(names)))})")


class _Columns:
    """Turns `DailyColumns` into staged rows: each derived value (a day, an identity's
    provider, category and tags) is worked out once; a line is one tuple of ints and its
    day, built by the interpreter's own zip."""

    def __init__(self, run: _Run, agg: DailyAggregator, source: str) -> None:
        self.agg = agg
        self.staging = run.format(source)
        self.process = self.staging.process
        self.days: dict[date, Any] = {}
        self.quantities: dict[str | None, Any] = {}
        self.providers: dict[str | None, tuple[str, str]] = {}

    def _apply(self, name: str, value: Any) -> Any:
        process = self.process[name]
        return value if process is None else process(value)

    def _day(self, day: date) -> Any:
        got = self.days.get(day, _MISSING)
        if got is _MISSING:
            got = self.days[day] = self._apply("day", day)
        return got

    def _quantity(self, text: str | None) -> Any:
        got = self.quantities.get(text, _MISSING)
        if got is _MISSING:
            if len(self.quantities) > 100_000:
                self.quantities.clear()
            got = self.quantities[text] = self._apply(
                "pricing_quantity", None if text is None else Decimal(text))
        return got

    def _provider(self, provider_name: str | None) -> tuple[str, str]:
        """(provider key, name shown) of a line's ProviderName (the connection's when none)."""
        got = self.providers.get(provider_name)
        if got is None:
            key = (canonical_provider(provider_name, fallback=self.agg.provider)
                   if provider_name else self.agg.provider)
            got = self.providers[provider_name] = (
                key, provider_name or PROVIDER_NAMES.get(key, key))
        return got

    def _ident(self, ident: tuple[str | None, ...]) -> list[Any]:
        """The identity's staged columns (`_IDENT_COLUMNS`), processed for the driver."""
        (resource, name, kind, service, category, sku, region, account, account_name,
         charge, currency, unit, provider_name, tags) = ident
        key, shown = self._provider(provider_name)
        values = (resource, name, kind, service, category, sku, region, account,
                  account_name, charge or "Usage", currency, unit, key, shown,
                  json.loads(tags) if tags else None)
        return [self._apply(column, value)
                for column, value in zip(_IDENT_COLUMNS, values, strict=True)]

    def next_rows(self, iterator: Iterator[DailyColumns | FocusRecord]) -> tuple[_Batch, bool]:
        """Read on to the next chunk of summed lines (feeding multi-day records to the
        aggregator meanwhile) and return its staged rows; False when the file is done."""
        add = self.agg.add_raw
        for count, item in enumerate(iterator, 1):
            if isinstance(item, DailyColumns):
                return self.rows(item), True
            add(*item)
            if count >= SLICE:
                return ([], []), True
        return ([], []), False

    def rows(self, chunk: DailyColumns) -> _Batch:
        """The chunk's staged rows: its new identities' rows, and its lines as one object
        array (a row per line, in `_Staging.line_names` order) filled column by column from
        the chunk's NumPy columns, each derived value (a day, a quantity) made once."""
        import numpy as np  # the columnar path only: the CLI starts without it

        agg = self.agg
        for currency, provider_name, account, billed, first, last in chunk.spans:
            key = self._provider(provider_name)[0]
            agg.totals[str(currency)] = agg.totals.get(str(currency), Decimal(0)) + billed
            span = agg.covered.get((key, account))
            if span is None:
                agg.covered[(key, account)] = [first, last]
            else:
                span[0], span[1] = min(span[0], first), max(span[1], last)
        ordinals, day_at = np.unique(chunk.day, return_inverse=True)
        days = [date.fromordinal(o) for o in ordinals.tolist()]
        agg.days_seen.update(days)
        staging = self.staging
        # a line's identity is staged under the reader's own number (`_Staging.number`
        # numbers the record path's below zero), each the first time the reader hands it out
        values = [self._ident(ident) for ident in chunk.fresh_idents]
        fresh = [staging.ident_row(number, row)
                 for number, row in zip(chunk.fresh_numbers, values, strict=True)]
        staged = chunk.number
        day_values = _objects([self._day(d) for d in days])
        lines = np.empty((len(chunk), 7), dtype=object)
        lines[:, 0] = staged  # NumPy makes Python ints of them, as the driver binds
        lines[:, 1] = day_values[day_at.reshape(-1)]
        lines[:, 2] = chunk.billed
        lines[:, 3] = chunk.effective
        for at, amounts in ((4, chunk.list_cost), (5, chunk.contracted)):
            if amounts is None:
                lines[:, at] = None
                continue
            lines[:, at] = amounts.values
            if amounts.valid is not None:
                lines[~amounts.valid, at] = None
        if chunk.quantity is None:
            quantities, quantity_at = [self._quantity(None)], np.zeros(len(chunk), np.int64)
        else:
            quantities = [self._quantity(t) for t in chunk.quantity.texts]
            quantity_at = chunk.quantity.codes
        lines[:, 6] = _objects(quantities)[quantity_at]
        if (digests := staging.digests) is not None:
            digests.identities((number, tuple(row)) for number, row in
                               zip(chunk.fresh_numbers, values, strict=True))
            digests.lines(days, day_at.reshape(-1), staged, chunk.billed, chunk.effective,
                          [None if a is None else (a.values, a.valid)
                           for a in (chunk.list_cost, chunk.contracted)],
                          day_digests.quantity_hashes(quantities)[quantity_at])
        staging.sums.add_columns(fresh, staged, day_values.tolist(), day_at.reshape(-1),
                                 chunk.billed, chunk.effective)
        return fresh, lines


def _room(array: Any, top: int) -> Any:
    """`array` (int64, None before the first) with room for index `top`: grown to at least
    twice its size when too short, its values kept."""
    import numpy as np

    if array is not None and top < len(array):
        return array
    grown = np.zeros(max(top + 1, 2 * (0 if array is None else len(array))), np.int64)
    if array is not None:
        grown[:len(array)] = array
    return grown


def _objects(values: list[Any]) -> Any:
    """A 1-D object array of `values` as they are (NumPy would make a list of equal-length
    texts or tuples something else)."""
    import numpy as np

    out = np.empty(len(values), dtype=object)
    for n, value in enumerate(values):
        out[n] = value
    return out


@dataclass
class _Swapped:
    snapshot_id: int = 0
    unchanged: int = 0  # days the file repeated exactly: left as they were
    replaced: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)


async def _by_provider(session: AsyncSession, where: ColumnElement[bool]) -> dict[str, int]:
    return {p: int(n) for p, n in (await session.execute(
        select(CostLineRow.provider, func.count()).where(where)
        .group_by(CostLineRow.provider))).all()}


async def _per_day(session: AsyncSession, query: Any) -> dict[date, int]:
    return {day: int(n) for day, n in (await session.execute(query)).all()}


def _chunks(first: date, last: date, weight: dict[date, int], limit: int
            ) -> list[tuple[date, date]]:
    """Consecutive day ranges covering [first, last], each moving at most `limit` lines
    (staged in plus stored out) unless one day alone has more."""
    chunks: list[tuple[date, date]] = []
    start, held, day = first, 0, first
    while day <= last:
        lines = weight.get(day, 0)
        if held and held + lines > limit:
            chunks.append((start, day - timedelta(days=1)))
            start, held = day, 0
        held += lines
        day += timedelta(days=1)
    chunks.append((start, last))
    return chunks


def _changed_chunks(first: date, last: date, weight: dict[date, int], limit: int,
                    unchanged: set[date]) -> list[tuple[date, date]]:
    """`_chunks` over the days of [first, last] that are not `unchanged`: each run of changed
    days cut as `_chunks` cuts it; no step at all for a day the file repeats."""
    runs: list[tuple[date, date]] = []
    day, one = first, timedelta(days=1)
    while day <= last:
        if day in unchanged:
            day += one
            continue
        start = day
        while day + one <= last and day + one not in unchanged:
            day += one
        runs.append((start, day))
        day += one
    return [chunk for a, b in runs for chunk in _chunks(a, b, weight, limit)]


def _scope_json(scope: ReplaceScope) -> list[list[Any]]:
    return [[p.provider, sorted(p.sub_accounts, key=lambda a: (a is not None, a or "")),
             p.first_day.isoformat(), p.last_day.isoformat()] for p in scope.parts]


def _scope_from(org_id: int, connection_id: int, parts: list[list[Any]]) -> ReplaceScope:
    return ReplaceScope(org_id, connection_id, tuple(
        ScopePart(provider, frozenset(accounts), date.fromisoformat(first),
                  date.fromisoformat(last)) for provider, accounts, first, last in parts))


def _staged_amounts(mine: ColumnElement[bool], *, lines: Table = STAGING,
                    idents: Table = IDENTS) -> Select[Any]:
    """The staged lines `mine` as `cost_amounts` rows (`_AMOUNT_COLUMNS` order): each line
    with its identity's key (given by `_key_staged` first). A staged line is a whole day
    (the importer stages daily lines only): no period is stored. `lines` and `idents` are
    the shared staging tables (keyed by import id) or one import's own temporary ones."""
    line, ident = lines.c, idents.c
    joined = ident.number == line.ident
    if "import_id" in line:
        joined = and_(ident.import_id == line.import_id, joined)
    return (select(ident.org_id, ident.connection_id, ident.key_id, line.day,
                   *(line[name] for name in STAGED_AMOUNTS))
            .select_from(lines.join(idents, joined)).where(mine))


async def _key_staged(session: AsyncSession, connection_id: int, idents: Table = IDENTS,
                      import_id: str | None = None) -> None:
    """Give each staged identity that has none its key: the connection's key of the same
    digest, made when there is none (a re-import finds the keys the last one made)."""
    ident = idents.c
    pending: list[ColumnElement[bool]] = [ident.key_id.is_(None)]
    if import_id is not None:
        pending.insert(0, ident.import_id == import_id)
    names = ["org_id", "connection_id", "digest", *KEY_COLUMNS]
    insert_of: Any = (sqlite_insert if session.bind is not None
                      and session.bind.dialect.name == "sqlite" else postgresql_insert)
    await session.execute(insert_of(KEYS).from_select(
        names, select(*(ident[name] for name in names)).where(*pending))
        .on_conflict_do_nothing(index_elements=["connection_id", "digest"]))
    found = (select(KEYS.c.id).where(KEYS.c.connection_id == connection_id,
                                     KEYS.c.digest == ident.digest).scalar_subquery())
    await session.execute(update(idents).where(*pending).values(key_id=found)
                          .execution_options(synchronize_session=False))


async def _rollup(session: AsyncSession, scope: ReplaceScope, first: date, last: date,
                  sums: _Sums | None, *, kept: bool) -> None:
    """The days' rollup after their lines switched: from the import's own sums when it has
    them (plus the lines of those days it did not replace, if any: `kept`), else by a GROUP
    BY over the days' lines."""
    summed = sums.between(first, last) if sums is not None else None
    if summed is None:
        await rollups.refresh(session, scope.org_id, connection_id=scope.connection_id,
                              first=first, last=last)
        return
    await rollups.write_summed(session, scope.org_id, connection_id=scope.connection_id,
                               first=first, last=last, sums=summed,
                               others=not_(replaced_lines(scope)) if kept else None)


async def _swap_days(session: AsyncSession, scope: ReplaceScope, import_id: str,
                     first: date, last: date, sums: _Sums | None = None,
                     kept: bool = True,
                     digests: day_digests.DayDigests | None = None) -> int:
    """One step of a swap, in the caller's transaction: the days [first, last] of the scope
    switch from the replaced lines to the staged ones (and their rollup follows: from the
    import's `sums` when it is the import that staged them); the staged rows moved are
    dropped. Returns how many lines came in."""
    days = and_(CostLineRow.day >= first, CostLineRow.day <= last)
    await cost_store.delete_lines(session, replaced_lines(scope), days)
    await _key_staged(session, scope.connection_id, IDENTS, import_id)
    mine = and_(STAGING.c.import_id == import_id, STAGING.c.day >= first, STAGING.c.day <= last)
    copied = await session.execute(insert(AMOUNTS).from_select(
        _AMOUNT_COLUMNS, _staged_amounts(mine)))
    await session.execute(delete(STAGING).where(mine))
    await _rollup(session, scope, first, last, sums, kept=kept)  # in the same transaction
    await day_digests.clear(session, scope.org_id, scope.connection_id, first, last)
    if digests is not None:  # what this import stored: the next one compares with it
        rows = []
        day = first
        while day <= last:
            if (mine_day := digests.of(day)) is not None:
                rows.append((day, _day_scope(scope, day), *mine_day))
            day += timedelta(days=1)
        await day_digests.write(session, scope.org_id, scope.connection_id, rows)
    return int(getattr(copied, "rowcount", 0) or 0)


def _day_scope(scope: ReplaceScope, day: date) -> str:
    """The replace scope of one day (the parts covering it), as digests record it."""
    return day_digests.scope_key((p.provider, p.sub_accounts) for p in scope.parts
                                 if p.first_day <= day <= p.last_day)


async def _unchanged_days(session: AsyncSession, scope: ReplaceScope,
                          digests: day_digests.DayDigests, staged: dict[date, int],
                          stored: dict[date, tuple[int, int]]) -> set[date]:
    """The days the file repeats exactly: the digest of what it staged for the day is the
    one recorded when the stored lines were written, with the same scope, and those lines
    still count and sum as then (a change by any other way shows there)."""
    recorded = await day_digests.recorded(session, scope.org_id, scope.connection_id,
                                          scope.first_day, scope.last_day)
    out: set[date] = set()
    for day, count in staged.items():
        mine, was = digests.of(day), recorded.get(day)
        if mine is None or was is None:
            continue
        lines, billed, digest = mine
        if (was.scope == _day_scope(scope, day) and was.digest == digest
                and count == lines == was.lines and billed == was.billed_units
                and stored.get(day) == (was.lines, was.billed_units)):
            out.add(day)
    return out


async def _swap(run: _Run, scope: ReplaceScope | None, snapshot: SyncSnapshot,
                now: datetime, actor: Actor | None, source: str, rows: int,
                days: int) -> _Swapped:
    """SQLite: replace what the file covers with the staged lines, in steps readers see
    whole (PostgreSQL imports commit their one transaction instead: `_commit`).

    The guarantee: each step (a few days, at most SWAP_ROWS lines in and out) is
    one transaction, so every day switches from the old lines to the new ones at once, and
    the snapshot says `swapping` until the last day has. Nothing is changed before every
    row of the file is read and staged (a bad row leaves the stored lines as they were);
    once the swap has begun it is finished, by this import or, if the process dies, by
    the next import into the connection or the next start (`resume_swaps`): the staged
    rows stay until their days are swapped."""
    done = _Swapped()
    weight: dict[date, int] = {}
    unchanged: set[date] = set()
    async with run.sessions() as session:
        staged = await _per_day(session, select(STAGING.c.day, func.count())
                                .where(STAGING.c.import_id == run.import_id)
                                .group_by(STAGING.c.day))
        if scope is not None:
            done.kept = await _by_provider(session, and_(_same_days(scope),
                                                         not_(replaced_lines(scope))))
            stored = await day_digests.stored_days(session, replaced_lines(scope))
            weight = {day: count for day, (count, _) in stored.items()}
            digests = run.staging.digests if run.staging is not None else None
            if digests is not None and stored:  # a re-import: the days it repeats stay
                unchanged = await _unchanged_days(session, scope, digests, staged, stored)
            # what the swap replaces: not the lines of the days it leaves as they are
            done.replaced = await _by_provider(session, and_(
                replaced_lines(scope), CostLineRow.day.not_in(sorted(unchanged))))
    if sum(staged.values()) != run.staged:  # staged rows swept from under a stalled import
        raise ServiceError(f"connection {run.connection_id}: the import was interrupted "
                           f"({sum(staged.values())} of {run.staged} lines staged); "
                           "send the file again")
    for day, count in staged.items():
        weight[day] = weight.get(day, 0) + count
    chunks = ([] if scope is None else
              _changed_chunks(scope.first_day, scope.last_day, weight, SWAP_ROWS, unchanged))
    snapshot.status = "swapping"
    snapshot.totals = {**snapshot.totals, "swap": {
        "import_id": run.import_id, "scope": _scope_json(scope) if scope else [],
        "chunks": [[a.isoformat(), b.isoformat()] for a, b in chunks], "done": 0,
        "source": source, "rows": rows, "days": days, "replaced": done.replaced,
        "kept": done.kept, "actor": actor.telegram_id if actor else None,
        "now": now.isoformat(), "unchanged": len(unchanged)}}
    async with run.sessions() as session, session.begin():
        done.snapshot_id = await _record_snapshot(session, run, snapshot)
    run.swapping = True  # from here on the staged rows are kept until the swap is done
    await _finish_swap(run.sessions, done.snapshot_id, owner=run.import_id,
                       sums=run.sums, digests=run.staging.digests if run.staging else None)
    if unchanged:  # the staged lines of the days left as they were (short transactions)
        await _drop_staged(run.sessions, run.import_id)
    done.unchanged = len(unchanged)
    return done


async def _finish_swap(sessions: async_sessionmaker[AsyncSession], snapshot_id: int, *,
                       owner: str, sums: _Sums | None = None,
                       digests: day_digests.DayDigests | None = None) -> None:
    """Run the steps of a swap not done yet (each its own transaction), then mark the
    snapshot a success, the connection synced, and write the audit entry (with the last
    step). `owner` holds the connection's import lease; `sums`: the staging import's own
    (None when a swap another run began is finished)."""
    if not _on_sqlite(sessions):
        # fresh statistics of what was just staged: without them PostgreSQL took the staged
        # tables for empty and joined lines to identities by nested loops (minutes)
        async with sessions() as session, session.begin():
            await session.execute(text(f"ANALYZE {STAGING.name}, {IDENTS.name}"))
    while True:
        started = time.perf_counter()
        async with sessions() as session, session.begin():
            ended = await _swap_step(session, snapshot_id, owner, sums, digests)
        _record_step(started)
        if ended:
            return
        if _on_sqlite(sessions):
            await _let_others_write(sessions)


async def _holds_no_lines(run: _Run) -> bool:
    """Whether the connection holds no line (nor a swap or staged rows, which
    `_running` has just finished or dropped): then its import is written directly."""
    async with run.sessions() as session:
        return (await session.execute(select(AMOUNTS.c.id).where(
            AMOUNTS.c.org_id == run.org_id, AMOUNTS.c.connection_id == run.connection_id)
            .limit(1))).first() is None


DIRECT_ROWS = 12_000  # lines per transaction of a direct write (under 0.2 s of the one lock)
DIRECT_KEYS = 5_000  # keys per transaction (each has four indexes: ~0.1 s)


class _Direct:
    """SQLite, a first import into a connection that holds no line: its lines go straight
    into `cost_amounts` while the file is read (no staging, no swap: a first import at
    ~1.5x the speed), its keys made as its identities first appear (ids taken in the
    write's own transaction, so no other writer can take them).

    Its first write records the import's snapshot as `swapping` with `loading` and the
    highest line id before it, so answers say the connection is updating (`updating`) and
    the digest and brief wait. Whatever stops it before the end (a bad row, the row-by-row
    reader taking over, a crash found by the next import or start) deletes the lines above
    that id and the connection's keys in short transactions (`_undo_step`): the connection
    is as it was, empty. A lost lease leaves that to whoever holds the connection now.
    `finish` writes the rollup (from the import's sums) and day digests, and marks the
    snapshot a success, in one transaction."""

    def __init__(self) -> None:
        self.snapshot_id: int | None = None
        self.numbers: dict[int, int] = {}  # identity number → key id (record path, few)
        self.positive: Any = None  # columnar path: key id per identity number

    async def write(self, run: _Run, staging: _Staging, batch: _Batch) -> None:
        import numpy as np

        idents, lines = batch
        for i in range(0, len(idents), DIRECT_KEYS):  # the keys before the lines using them
            started = time.perf_counter()
            async with run.sessions() as session, session.begin():
                await _hold_lease(session, run.connection_id, run.import_id)
                if self.snapshot_id is None:
                    self.snapshot_id = await self._loading(session, run)
                await self._keys(await session.connection(), run, staging,
                                 idents[i:i + DIRECT_KEYS])
            _record_step(started)
            await _let_others_write(run.sessions)
        for i in range(0, len(lines), DIRECT_ROWS):
            part = lines[i:i + DIRECT_ROWS]
            started = time.perf_counter()
            async with run.sessions() as session, session.begin():
                await _hold_lease(session, run.connection_id, run.import_id)
                if self.snapshot_id is None:
                    self.snapshot_id = await self._loading(session, run)
                conn = await session.connection()
                if isinstance(part, list):
                    rows: Any = [(self.numbers[n], *rest) for n, *rest in part]
                else:
                    rows = part.copy()
                    numbers = np.asarray(part[:, 0], dtype=np.int64)
                    rows[:, 0] = self.positive[numbers]
                for statement, values in _multi_row(self._sql(run), rows):
                    await conn.exec_driver_sql(statement, values)
            _record_step(started)
            await _let_others_write(run.sessions)
            run.staged += len(part)

    @staticmethod
    def _sql(run: _Run) -> str:
        names = ", ".join(("org_id", "connection_id", "key_id", "day", *STAGED_AMOUNTS))
        marks = ", ".join("?" * (2 + len(STAGED_AMOUNTS)))
        return (f"INSERT INTO {AMOUNTS.name} ({names}) VALUES ({int(run.org_id)}, "
                f"{int(run.connection_id)}, {marks})")

    async def _loading(self, session: AsyncSession, run: _Run) -> int:
        above = int((await session.execute(
            select(func.coalesce(func.max(AMOUNTS.c.id), 0)))).scalar_one())
        now = SystemClock().now()
        snap = SyncSnapshot(org_id=run.org_id, connection_id=run.connection_id,
                            started_at=now, status="swapping", trigger="import",
                            totals={"swap": {"import_id": run.import_id, "loading": True,
                                             "above": above, "scope": [], "chunks": [],
                                             "done": 0}}, warnings=[])
        session.add(snap)
        await session.flush()
        return snap.id

    async def _keys(self, conn: AsyncConnection, run: _Run, staging: _Staging,
                    idents: list[tuple[Any, ...]]) -> None:
        """The batch's new identities as keys, ids from the highest one on."""

        base = int((await conn.execute(
            select(func.coalesce(func.max(KEYS.c.id), 0)))).scalar_one())
        at = staging.ident_names.index("number")
        source = staging.constants[2]
        top = max(ident[at] for ident in idents)
        if top >= 0:
            self.positive = _room(self.positive, top)
        rows: list[tuple[Any, ...]] = []
        for n, ident in enumerate(idents, 1):
            number, values = ident[at], ident[at + 1:]
            key_id = base + n
            if number < 0:
                self.numbers[number] = key_id
            else:
                self.positive[number] = key_id
            rows.append((key_id, run.org_id, run.connection_id, values[-1],
                         *(source if i is None else values[i] for i in _KEY_AT)))
        names = ["id", "org_id", "connection_id", "digest", *KEY_COLUMNS]
        sql = (f"INSERT INTO {KEYS.name} ({', '.join(names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        for statement, flat in _multi_row(sql, rows):
            await conn.exec_driver_sql(statement, flat)

    async def undo(self, run: _Run) -> None:
        """Delete what was written (short transactions), unless the lease is lost."""
        if self.snapshot_id is None:
            return
        with suppress(ImportBusy):  # another import holds the connection: it undoes it
            await _finish_swap(run.sessions, self.snapshot_id, owner=run.import_id)

    async def finish(self, run: _Run, scope: ReplaceScope | None, snapshot: SyncSnapshot,
                     now: datetime, actor: Actor | None, source: str, rows: int,
                     days: int) -> _Swapped:
        done = _Swapped()
        digests = run.staging.digests if run.staging is not None else None
        started = time.perf_counter()
        async with run.sessions() as session, session.begin():
            await _hold_lease(session, run.connection_id, run.import_id)
            if scope is not None:
                await _rollup(session, scope, scope.first_day, scope.last_day, run.sums,
                              kept=False)
                await day_digests.clear(session, scope.org_id, scope.connection_id,
                                        scope.first_day, scope.last_day)
                if digests is not None:
                    found = []
                    day = scope.first_day
                    while day <= scope.last_day:
                        if (mine := digests.of(day)) is not None:
                            found.append((day, _day_scope(scope, day), *mine))
                        day += timedelta(days=1)
                    await day_digests.write(session, scope.org_id, scope.connection_id,
                                            found)
            if self.snapshot_id is None:  # nothing was written: a file without lines
                session.add(snapshot)
                await session.flush()
                snap = snapshot
            else:
                snap = (await session.execute(select(SyncSnapshot).where(
                    SyncSnapshot.id == self.snapshot_id))).scalar_one()
                for name in ("finished_at", "status", "cost_lines", "cost_total", "totals",
                             "warnings", "started_at"):
                    setattr(snap, name, getattr(snapshot, name))
            await _succeeded(session, snap, now, actor.telegram_id if actor else None,
                             source, rows, days, {}, {})
            done.snapshot_id = snap.id
        _record_step(started)
        run.swapping = True  # done: nothing for `discard` to undo
        return done


async def _undo_step(session: AsyncSession, snap: SyncSnapshot, above: int) -> bool:
    """One step of undoing a first import written directly: up to DROP_ROWS of its lines
    deleted; at the last, the connection's keys (it held no line before, so none is
    another's) and the snapshot. True when done."""
    batch = (select(AMOUNTS.c.id).where(AMOUNTS.c.id > above,
                                        AMOUNTS.c.connection_id == snap.connection_id)
             .limit(DROP_ROWS).scalar_subquery())
    gone = await session.execute(delete(AMOUNTS).where(AMOUNTS.c.id.in_(batch)))
    if int(getattr(gone, "rowcount", 0) or 0) >= DROP_ROWS:
        return False
    await session.execute(delete(KEYS).where(KEYS.c.org_id == snap.org_id,
                                             KEYS.c.connection_id == snap.connection_id))
    await session.delete(snap)
    return True


async def _hold_lease(session: AsyncSession, connection_id: int, owner: str) -> None:
    """Renew the connection's import lease in the caller's transaction, or raise ImportBusy:
    an import writes only while it still owns the connection."""
    if not await acquire_job(session, f"import:{connection_id}", owner=owner,
                             now=SystemClock().now(), ttl=LEASE_TTL):
        raise ImportBusy(f"connection {connection_id}: the import lost its lease")


async def _record_snapshot(session: AsyncSession, run: _Run, snapshot: SyncSnapshot) -> int:
    """With the lease held: the import's snapshot stored, its id."""
    await _hold_lease(session, run.connection_id, run.import_id)
    session.add(snapshot)
    await session.flush()
    return snapshot.id


async def _swap_step(session: AsyncSession, snapshot_id: int, owner: str,
                     sums: _Sums | None = None,
                     digests: day_digests.DayDigests | None = None) -> bool:
    """The next step of a swap; True when it was the last (the swap is then recorded)."""
    snap = (await session.execute(select(SyncSnapshot).where(
        SyncSnapshot.id == snapshot_id))).scalar_one()
    plan = dict(cast(dict[str, Any], snap.totals["swap"]))
    await _hold_lease(session, snap.connection_id, owner)
    if plan.get("loading"):  # a first import written while read, which did not finish
        return await _undo_step(session, snap, int(plan["above"]))
    chunks, step = plan["chunks"], int(plan["done"])
    if step < len(chunks):
        scope = _scope_from(snap.org_id, snap.connection_id, plan["scope"])
        first, last = (date.fromisoformat(d) for d in chunks[step])
        await _swap_days(session, scope, plan["import_id"], first, last, sums,
                         kept=bool(plan["kept"]), digests=digests)
        plan["done"] = step + 1
        snap.totals = {**snap.totals, "swap": plan}
        if plan["done"] < len(chunks):
            return False
    await session.execute(delete(IDENTS).where(IDENTS.c.import_id == plan["import_id"]))
    snap.status = "success"
    snap.totals = {k: v for k, v in snap.totals.items() if k != "swap"}
    await _succeeded(session, snap, datetime.fromisoformat(plan["now"]), plan["actor"],
                     plan["source"], plan["rows"], plan["days"], plan["replaced"],
                     plan["kept"])
    return True


async def _succeeded(session: AsyncSession, snap: SyncSnapshot, when: datetime,
                     actor: int | None, source: str, rows: int, days: int,
                     replaced: dict[str, int], kept: dict[str, int]) -> None:
    """With an import's last write: its connection synced, and the audit entry."""
    await session.execute(update(Connection).where(Connection.id == snap.connection_id)
                          .values(last_sync_at=when, last_success_at=when, last_error=None,
                                  last_error_code=None, consecutive_failures=0)
                          .execution_options(synchronize_session=False))
    await audit(session, f"connection.import_{source}", org_id=snap.org_id,
                actor_telegram_id=actor, object_type="connection",
                object_id=snap.connection_id, rows=rows, days=days, replaced=replaced,
                kept=kept)


async def _commit(run: _Run, whole: _OneTransaction, scope: ReplaceScope | None,
                  snapshot: SyncSnapshot, now: datetime, actor: Actor | None, source: str,
                  rows: int, days: int) -> _Swapped:
    """PostgreSQL: end the import's one transaction. The lines stored before it began that
    the file replaces are deleted (the new ones are in already), the rollup of the file's
    days is refreshed, the snapshot, connection and audit entry written; then it commits,
    and readers see the new lines all at once."""
    done = _Swapped()
    session = whole.open
    if scope is not None:
        for part in scope.parts:  # what each provider replaced: its delete's row count
            if count := await cost_store.delete_lines(session, _scope_lines(scope, part),
                                                      CostLineRow.id <= whole.before):
                done.replaced[part.provider] = count
        done.kept = await _by_provider(session, and_(_same_days(scope),
                                                     not_(replaced_lines(scope))))
        await _rollup(session, scope, scope.first_day, scope.last_day,
                      run.sums, kept=bool(done.kept))
    done.snapshot_id = await _record_snapshot(session, run, snapshot)
    await _succeeded(session, snapshot, now, actor.telegram_id if actor else None, source,
                     rows, days, done.replaced, done.kept)
    await session.commit()
    _record_step(whole.started)
    return done


# seconds each of the last write transactions of imports took (staging and swap steps): how
# long other writers may wait on SQLite's one write lock (bench/bench_sync.py reports them)
write_seconds: list[float] = []


_held = 0.0  # seconds of write transactions since the imports last let others write


def _record_step(started: float) -> None:
    write_seconds.append(time.perf_counter() - started)
    del write_seconds[:-10_000]
    global _held
    _held += write_seconds[-1]


def _on_sqlite(sessions: async_sessionmaker[AsyncSession]) -> bool:
    return getattr(getattr(sessions.kw.get("bind"), "dialect", None), "name", "") == "sqlite"


async def _let_others_write(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Between two of an import's write transactions on SQLite, give other writers their turn.
    SQLite's lock is not fair: a writer waiting on it polls (sleeping up to 100 ms between
    tries), and an import that begins its next transaction the moment it commits wins
    nearly every race, so a bot reply waited for several of its transactions in a row.
    - Someone in this process waits (`core.db.writers`): stay out until they have the lock,
      GAP at most (longer than that poll).
    - Nobody here: go straight on, except a GAP after HOLD_UNSEEN seconds of writes, for
      writers of other processes on the same file, which cannot be seen from here.
    (A fixed GAP after every 0.5 s of writes cost an import ~15 % of its time with nobody
    waiting, and still let a waiting reply sit through up to 0.5 s of import writes.)"""
    global _held
    engine = sessions.kw.get("bind")
    if isinstance(engine, AsyncEngine) and writers.waiting(engine):
        _held = 0.0
        await writers.quiet(engine, within=GAP)
    elif _held >= HOLD_UNSEEN:
        _held = 0.0
        await asyncio.sleep(GAP)


async def _swapping(sessions: async_sessionmaker[AsyncSession],
                    connection_id: int | None = None) -> list[tuple[int, int, str]]:
    """(snapshot id, connection id, import id) of every swap begun and not finished."""
    query = select(SyncSnapshot.id, SyncSnapshot.connection_id, SyncSnapshot.totals).where(
        SyncSnapshot.status == "swapping")
    if connection_id is not None:
        query = query.where(SyncSnapshot.connection_id == connection_id)
    async with sessions() as session:
        found = (await session.execute(query.order_by(SyncSnapshot.id))).all()
    return [(sid, conn_id, str(cast(dict[str, Any], totals["swap"])["import_id"]))
            for sid, conn_id, totals in found]


async def resume_swaps(sessions: async_sessionmaker[AsyncSession], *,
                       connection_id: int | None = None, owner: str | None = None) -> int:
    """Finish the swaps an import began and did not end (its process died, or its database
    failed mid-way); how many. With `owner` the caller holds the connection's import lease;
    without, each connection's lease is taken here, and a connection whose lease a live
    import holds is left to that import."""
    finished = 0
    for snapshot_id, conn_id, _ in await _swapping(sessions, connection_id):
        if owner is not None:
            await _finish_swap(sessions, snapshot_id, owner=owner)
            finished += 1
            continue
        mine, lease = uuid.uuid4().hex, f"import:{conn_id}"
        async with sessions() as session, session.begin():
            taken = await acquire_job(session, lease, owner=mine, now=SystemClock().now(),
                                      ttl=LEASE_TTL)
        if not taken:
            continue
        try:
            await _finish_swap(sessions, snapshot_id, owner=mine)
            finished += 1
        finally:
            async with sessions() as session, session.begin():
                await release_job(session, lease, owner=mine, now=SystemClock().now())
    if finished:
        log.info("finished %s import swap(s) an earlier run had begun", finished)
    return finished


async def recover_imports(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """At start: finish interrupted swaps, then drop staging no live import owns;
    (swaps finished, staged rows dropped)."""
    return await resume_swaps(sessions), await sweep_stale_staging(sessions)


async def _import(session: AsyncSession, conn: Connection, opened: OpenedFile, source: str,
                  actor: Actor | None, now: datetime | None, *, kind: str) -> ImportResult:
    """Import `opened.records`; if they raise FastPathUnavailable, drop what they staged and
    import the row-by-row `opened.fallback` of the same file."""
    now = now or SystemClock().now()
    provider = canonical_provider(conn.kind, fallback="other")
    org_id, conn_id = conn.org_id, conn.id
    counter = opened.records
    async with _running(session, conn) as run:
        agg = DailyAggregator(provider=provider)
        try:
            await _aggregate(run, counter, agg, source)
        except FastPathUnavailable as exc:
            if opened.fallback is None:
                raise
            log.debug("connection %s: row-by-row import (%s)", conn_id, exc)
            await run.abandon()
            await run.discard()
            counter = opened.fallback()
            agg = DailyAggregator(provider=provider)
            await _aggregate(run, counter, agg, source)
        totals = dict(sorted(agg.totals.items()))
        days = sorted(agg.days_seen)
        scope = ReplaceScope.of(org_id, conn_id, agg.covered)
        snap = SyncSnapshot(org_id=org_id, connection_id=conn_id, started_at=now,
                            finished_at=SystemClock().now(), status="success", trigger="import",
                            cost_lines=run.staged,
                            cost_total=max(totals.values(), key=abs) if totals else Decimal(0),
                            totals={"rows": counter.rows, "days": len(days),
                                    "cost_by_currency": {k: str(v) for k, v in totals.items()}},
                            warnings=[])
        stored = run.staged
        if run.whole is not None:
            swapped = await _commit(run, run.whole, scope, snap, now, actor, source,
                                    counter.rows, len(days))
        elif run.direct is not None:
            swapped = await run.direct.finish(run, scope, snap, now, actor, source,
                                              counter.rows, len(days))
        else:
            swapped = await _swap(run, scope, snap, now, actor, source, counter.rows,
                                  len(days))
    metrics.record_import(counter.rows, kind)
    return ImportResult(connection_id=conn_id, snapshot_id=swapped.snapshot_id,
                        rows=counter.rows, lines_stored=stored, days=len(days),
                        first_day=days[0] if days else None,
                        last_day=days[-1] if days else None, totals=totals,
                        facts=counter.facts, replaced=swapped.replaced, kept=swapped.kept,
                        unchanged_days=swapped.unchanged)


async def import_focus(session: AsyncSession, files: BillingFiles, org_id: int,
                       connection_id: int, source: Source, *,
                       default_currency: str | None = None, actor: Actor | None = None,
                       now: datetime | None = None,
                       limits: ReadLimits | None = None) -> ImportResult:
    """Import a FOCUS CSV / CSV.gz into a `focus` connection (raises InvalidInput on bad rows)."""
    conn = await _load(session, org_id, connection_id, "focus", actor)
    return await _import_focus(session, files, conn, source, default_currency, actor, now,
                               limits)


async def _import_focus(session: AsyncSession, files: BillingFiles, conn: Connection,
                        source: Source, default_currency: str | None, actor: Actor | None,
                        now: datetime | None, limits: ReadLimits | None) -> ImportResult:
    currency = default_currency or (conn.options or {}).get("default_currency")
    opened = files.open(source, "focus", currency=str(currency) if currency else None,
                        provider_name=None, limits=limits)
    return await _import(session, conn, opened, "focus", actor, now, kind="focus")


def _open_manual(files: BillingFiles, conn: Connection, source: Source,
                 limits: ReadLimits | None) -> OpenedFile:
    options = conn.options or {}
    return files.open(source, "manual",
                      currency=str(options.get("currency") or options.get("default_currency")
                                   or "RUB"),
                      provider_name=str(options.get("provider_name") or "") or None,
                      limits=limits)


async def import_manual_csv(session: AsyncSession, files: BillingFiles, org_id: int,
                            connection_id: int, source: Source, *,
                            actor: Actor | None = None, now: datetime | None = None,
                            limits: ReadLimits | None = None) -> ImportResult:
    """Import a manual `date,service,resource,cost[,tags][,currency]` CSV."""
    conn = await _load(session, org_id, connection_id, "manual_csv", actor)
    return await _import(session, conn, _open_manual(files, conn, source, limits), "manual",
                         actor, now, kind="manual_csv")


async def import_file(session: AsyncSession, files: BillingFiles, org_id: int,
                      connection_id: int, source: Source, *,
                      default_currency: str | None = None, actor: Actor | None = None,
                      now: datetime | None = None,
                      limits: ReadLimits | None = None) -> ImportResult:
    """Import a billing file into a FOCUS or manual CSV connection; the file says what it is
    (FOCUS, Yandex Cloud billing detail, manual CSV), not the connection's kind. A stream
    that cannot be read twice is taken as the connection's own kind."""
    kind = (await session.execute(select(Connection.kind).where(
        Connection.id == connection_id, Connection.org_id == org_id))).scalar_one_or_none()
    conn = await _load(session, org_id, connection_id, kind if kind in FILE_KINDS else "focus",
                       actor)
    readable_twice = isinstance(source, str | Path) or source.seekable()
    found = (files.detect(source, limits) if readable_twice
             else "manual" if conn.kind == "manual_csv" else "focus")
    if found == "yandex":
        opened = files.open(source, "yandex", currency=None, provider_name=None, limits=limits)
        return await _import(session, conn, opened, "yandex", actor, now, kind="yandex")
    if found == "manual":
        return await _import(session, conn, _open_manual(files, conn, source, limits),
                             "manual", actor, now, kind="manual_csv")
    return await _import_focus(session, files, conn, source, default_currency, actor, now,
                               limits)
