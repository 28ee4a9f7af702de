"""Which days a file re-import repeats exactly, so that it leaves them as they are.

A month-to-date billing export is imported again every day: the same month, one more day,
and a few corrected ones. Rewriting every day of it (delete a million lines, insert a
million) cost a 1M-row re-import twice the time of the first import, and held SQLite's
write lock for it. Instead, when an import stores a day it records a digest of the day's
lines in its replace scope (`cost_day_digests`); the next import computes the digest of
what it staged for the day, and when both agree, and the stored lines of the day still
count and sum as recorded, the day is left alone.

The digest: each line hashed over every column it is stored with (its identity's values
once per identity through BLAKE2b, then day and amounts mixed per line in NumPy, two 64-bit
lanes), summed per day modulo 2**64, so that it does not depend on the order of the lines
(and counts a line that appears twice twice). Days the import staged through the record path
(rows over several days, the row-by-row reader) are not digested: they are always rewritten.
Only SQLite imports record and use digests (a PostgreSQL import writes its lines as it reads,
in its one transaction); every swap step clears the digests of the days it changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger

from core.db.models import CostLine
from core.db.models.costs import cost_day_digests

__all__ = ["DayDigests", "Recorded", "clear", "recorded", "scope_key", "stored_days", "write"]

DIGESTS = cost_day_digests
_MASK = (1 << 64) - 1
# per lane: a seed and one constant per field (day, billed, effective, list cost and whether
# there is one, contracted cost and whether there is one, quantity), so that equal values in
# different columns hash apart, and a missing amount apart from every amount, zero included
_LANES = ((0x9E3779B97F4A7C15, 0x632BE59BD9B4E019, 0x85157AF5A5A0C1F3, 0xC2B2AE3D27D4EB4F,
           0x165667B19E3779F9, 0x27D4EB2F165667C5, 0xFF51AFD7ED558CCD, 0x9FB21C651E98DF25,
           0xB492B66FBE98F273),
          (0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3,
           0x589965CC75374CC3, 0x1D8E4E27C47D124F, 0xC4CEB9FE1A85EC53, 0x2127599BF4325C37,
           0x880355F21E6D1965))


def _mix(z: Any) -> Any:
    """SplitMix64's finaliser on a uint64 array (wrapping arithmetic)."""
    import numpy as np

    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _hash128(value: object) -> tuple[int, int]:
    raw = hashlib.blake2b(repr(value).encode(), digest_size=16).digest()
    return int.from_bytes(raw[:8], "little"), int.from_bytes(raw[8:], "little")


def scope_key(parts: Iterable[tuple[str, Collection[str | None]]]) -> str:
    """The replace scope of one day (provider and sub-accounts of each part covering it)."""
    canonical = sorted((provider, sorted(accounts, key=lambda a: (a is not None, a or "")))
                       for provider, accounts in parts)
    return hashlib.blake2b(repr(canonical).encode(), digest_size=16).hexdigest()


@dataclass
class DayDigests:
    """What an import staged per day through the columnar path: lines, billed units and the
    two digest lanes; the days it staged otherwise are `unverified`."""

    source: str
    lanes: dict[date, list[int]] = field(default_factory=dict)  # day → [lines, billed, a, b]
    unverified: set[date] = field(default_factory=set)
    _ident: Any = None  # per identity number, its two lanes (uint64, shape (n, 2))

    def identities(self, numbered: Iterable[tuple[int, tuple[Any, ...]]]) -> None:
        """The identities new in a chunk: number → the values it is stored with."""
        import numpy as np

        rows = [(number, _hash128((self.source, values))) for number, values in numbered]
        if not rows:
            return
        top = max(number for number, _ in rows)
        if self._ident is None or top >= len(self._ident):
            size = max(top + 1, 2 * (0 if self._ident is None else len(self._ident)))
            grown = np.zeros((size, 2), np.uint64)
            if self._ident is not None:
                grown[:len(self._ident)] = self._ident
            self._ident = grown
        for number, (a, b) in rows:
            self._ident[number] = (a, b)

    def lines(self, days: list[date], day_at: Any, numbers: Any, billed: Any,
              effective: Any, optional: list[tuple[Any, Any] | None], quantity: Any) -> None:
        """A chunk's lines: per line its day's index in `days`, identity number and amounts
        (int64); `optional`: (values, valid or None) of list and contracted cost, None for
        a column the file lacks; `quantity`: per line a uint64 hash of its stored value."""
        import numpy as np

        count = len(numbers)
        if not count:
            return
        ident = self._ident[numbers]
        zero, one = np.zeros(count, np.uint64), np.ones(count, np.uint64)
        fields: list[Any] = [_ordinals(days, day_at), billed.view(np.uint64),
                             effective.view(np.uint64)]
        for column in optional:  # the amount (0 where none) and whether there is one
            if column is None:
                fields += [zero, zero]
            else:
                values, valid = column
                fields += ([values.view(np.uint64), one] if valid is None else
                           [np.where(valid, values.view(np.uint64), np.uint64(0)),
                            valid.astype(np.uint64)])
        fields.append(quantity)
        sums: list[Any] = []
        with np.errstate(over="ignore"):
            for lane, constants in enumerate(_LANES):
                h = ident[:, lane] ^ np.uint64(constants[0])
                for value, constant in zip(fields, constants[1:], strict=True):
                    h = _mix(h ^ _mix(value + np.uint64(constant)))
                sums.append(h)
        order = np.argsort(day_at, kind="stable")
        bounds = np.searchsorted(day_at[order], np.arange(len(days) + 1)).tolist()
        present = [n for n in range(len(days)) if bounds[n + 1] > bounds[n]]
        starts = np.array([bounds[n] for n in present], np.int64)
        lane_a = np.add.reduceat(sums[0][order], starts).tolist()  # per present day
        lane_b = np.add.reduceat(sums[1][order], starts).tolist()
        billed_sorted = billed[order]
        for at, n in enumerate(present):
            got = self.lanes.setdefault(days[n], [0, 0, 0, 0])
            got[0] += bounds[n + 1] - bounds[n]
            got[1] += sum(billed_sorted[bounds[n]:bounds[n + 1]].tolist())  # exact, any size
            got[2] = (got[2] + lane_a[at]) & _MASK
            got[3] = (got[3] + lane_b[at]) & _MASK

    def of(self, day: date) -> tuple[int, int, str] | None:
        """(lines, billed units, digest) of a day staged wholly through the columnar path."""
        got = self.lanes.get(day)
        if got is None or day in self.unverified:
            return None
        return got[0], got[1], f"{got[2]:016x}{got[3]:016x}"


def _ordinals(days: list[date], day_at: Any) -> Any:
    """Per line, its day's ordinal (uint64)."""
    import numpy as np

    return np.array([d.toordinal() for d in days], np.uint64)[day_at]


def quantity_hashes(values: list[Any]) -> Any:
    """A uint64 hash per distinct stored quantity value (None included)."""
    import numpy as np

    return np.array([_hash128(v)[0] for v in values], np.uint64)


@dataclass(frozen=True, slots=True)
class Recorded:
    scope: str
    lines: int
    billed_units: int
    digest: str


async def recorded(session: AsyncSession, org_id: int, connection_id: int, first: date,
                   last: date) -> dict[date, Recorded]:
    """The digests recorded for the connection's days [first, last]."""
    rows = await session.execute(select(
        DIGESTS.c.day, DIGESTS.c.scope, DIGESTS.c.lines, DIGESTS.c.billed_units,
        DIGESTS.c.digest).where(DIGESTS.c.org_id == org_id,
                                DIGESTS.c.connection_id == connection_id,
                                DIGESTS.c.day >= first, DIGESTS.c.day <= last))
    return {day: Recorded(scope, lines, billed, digest)
            for day, scope, lines, billed, digest in rows.all()}


async def stored_days(session: AsyncSession, where: Any) -> dict[date, tuple[int, int]]:
    """Per day, how many lines match `where` and their billed sum in units."""
    units = type_coerce(func.sum(type_coerce(CostLine.billed_cost, BigInteger())), BigInteger())
    found = await session.execute(select(CostLine.day, func.count(), units).where(where)
                                  .group_by(CostLine.day))
    return {day: (int(n), int(total or 0)) for day, n, total in found.all()}


async def clear(session: AsyncSession, org_id: int, connection_id: int, first: date,
                last: date) -> None:
    """Forget the digests of days [first, last] (a swap step changes their lines)."""
    await session.execute(delete(DIGESTS).where(and_(
        DIGESTS.c.org_id == org_id, DIGESTS.c.connection_id == connection_id,
        DIGESTS.c.day >= first, DIGESTS.c.day <= last)))


async def write(session: AsyncSession, org_id: int, connection_id: int,
                rows: list[tuple[date, str, int, int, str]]) -> None:
    """Record (day, scope, lines, billed units, digest) of days a swap step just stored."""
    if rows:
        await session.execute(insert(DIGESTS), [
            {"org_id": org_id, "connection_id": connection_id, "day": day, "scope": scope,
             "lines": lines, "billed_units": billed, "digest": digest}
            for day, scope, lines, billed, digest in rows])
