"""Declarative rules the sync engine applies: daily cost spreading and type inference.

Daily normalisation rule (one rule for every source, so every connector and file agrees):

* A cost line is split over the UTC days its charge period [start, end) overlaps, in
  proportion to the time it spends in each day. So an hourly line lands whole on its UTC day
  (24 hourly lines of a day sum to that day), a daily line stays on its day, a line spanning a
  calendar month is spread evenly over the days of that month, and a line spanning N whole days
  is spread evenly over those N days.
* A zero-length period (start == end) lands whole on the day of `start`.
* The split is done in micro-units (the precision of `Money`) with the remainder handed out
  largest-first, so the parts always add back to the original amount exactly.
* Callers may ask for `lump=True` (one-time charges in FOCUS files): the whole amount lands on
  the day of `start`, as it was billed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal

from core.db.types import MONEY_SCALE
from core.domain.collection import ResourceKind

__all__ = ["INFERENCE_RULES", "InferenceRule", "infer_kind", "split_daily", "utc_day"]

_QUANT = Decimal(1).scaleb(-MONEY_SCALE)
_DAY = timedelta(days=1)


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of an aware datetime."""
    return moment.astimezone(UTC).date() if moment.tzinfo is not None else moment.date()


def split_daily(start: datetime, end: datetime, amount: Decimal,
                *, lump: bool = False) -> list[tuple[date, Decimal]]:
    """Spread `amount` over the UTC days of [start, end) by time overlap (see module doc)."""
    first = utc_day(start)
    if lump or end <= start:
        return [(first, amount)]
    last = utc_day(end - timedelta(microseconds=1))
    if first == last:
        return [(first, amount)]
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    total_seconds = Decimal(str((end_utc - start_utc).total_seconds()))
    weights: list[tuple[date, Decimal]] = []
    day = first
    while day <= last:
        lo = max(start_utc, datetime.combine(day, time(), UTC))
        hi = min(end_utc, datetime.combine(day + _DAY, time(), UTC))
        weights.append((day, Decimal(str((hi - lo).total_seconds()))))
        day += _DAY
    return _apportion(amount, weights, total_seconds)


def _apportion(amount: Decimal, weights: list[tuple[date, Decimal]],
               total: Decimal) -> list[tuple[date, Decimal]]:
    """Largest-remainder split in micro-units: the parts add up to `amount` exactly."""
    units = (amount / _QUANT).to_integral_value(rounding=ROUND_FLOOR)
    residue = amount - units * _QUANT  # below the storage precision; kept on the first day
    sign = -1 if units < 0 else 1
    units_abs = abs(int(units))
    shares = [(d, Decimal(units_abs) * w / total) for d, w in weights]
    floors = [int(s.to_integral_value(rounding=ROUND_FLOOR)) for _, s in shares]
    left = units_abs - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: shares[i][1] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    parts = [(d, Decimal(sign * f) * _QUANT) for (d, _), f in zip(shares, floors, strict=True)]
    if residue:
        parts[0] = (parts[0][0], parts[0][1] + residue)
    return parts


@dataclass(frozen=True, slots=True)
class InferenceRule:
    """A billing metric name prefix and the resource kind it implies."""

    prefix: str
    kind: ResourceKind


INFERENCE_RULES: tuple[InferenceRule, ...] = (
    InferenceRule("volume_", ResourceKind.VOLUME),
    InferenceRule("share_", ResourceKind.FILE_STORAGE),
    InferenceRule("dbaas_", ResourceKind.DATABASE),
    InferenceRule("mks_", ResourceKind.KUBERNETES),
    InferenceRule("craas_", ResourceKind.CONTAINER_REGISTRY),
    InferenceRule("s3_", ResourceKind.BUCKET),
    InferenceRule("network_", ResourceKind.FLOATING_IP),
    InferenceRule("load_balancers_", ResourceKind.LOAD_BALANCER),
    InferenceRule("backup_", ResourceKind.BACKUP),
)


def infer_kind(metric_names: Iterable[str | None]) -> ResourceKind:
    """The kind the first matching metric name implies (Selectel-style billing metric ids)."""
    for name in metric_names:
        if not name:
            continue
        low = name.strip().lower()
        for rule in INFERENCE_RULES:
            if low.startswith(rule.prefix):
                return rule.kind
    return ResourceKind.OTHER
