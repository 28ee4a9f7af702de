"""Recurring fees: charges that come on the same day of the month (monthly, quarterly or
yearly: a fee seen on the same day of the same month a year ago is not news).

Hosting plans, licences, support and commitments are billed on a fixed day (often the 1st).
They are part of the baseline: learned from the history, they are taken out of the usage
series before anomalies are looked for, and added back by the forecast. A fee that changes
amount or does not come is its own finding (`fee_change`, `fee_missing`).

How a fee is learned: every day's excess over a robust local level (the median of the
fortnight around it, same weekday preferred) is computed; a day of the month whose excess is
far above the noise in at least two months — every month (monthly) or every third month
(quarterly) — carries a fee. Its expected amount on an occurrence is the amount of the last
occurrence that came, so a change is reported once and then becomes the new normal.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import numpy as np

from core.analytics.robust import MAD_TO_SIGMA
from core.analytics.series import FloatArray

__all__ = ["FeeEvent", "RecurringFee", "day_key", "fee_range", "find_fees", "local_level",
           "occurs_on", "on_day", "seen_once"]

LAST = 31  # key of "the last day of the month" (a fee on the 31st comes on the 30th in April)
MIN_HITS = 2
HIT_SIGMAS = 5.0
HIT_RELATIVE = 0.25  # of the local level: smaller steps are noise, not a fee
MISSING_SHARE = 0.3  # less than this share of the expected fee came: missing
CHANGE_SHARE = 0.2  # the fee moved by more than this share: changed
ANNUAL_LIKE = 2.0  # a yearly fee's occurrences differ by less than this factor


@dataclass(frozen=True, slots=True)
class RecurringFee:
    """A fee due on day-of-month `day` (31: the last day) every `months` months from `phase`
    (month number modulo `months`); `amount` is the last amount that came and held;
    `unconfirmed` the different amount of the latest occurrence when nothing has confirmed it
    yet (a new price, or a one-off on the fee's day: the forecast spans both)."""

    day: int
    months: int
    phase: int
    amount: float
    first: date
    last: date
    unconfirmed: float | None = None

    def due(self, when: date) -> bool:
        return on_day(when, self.day) and (when.month - self.phase) % self.months == 0


@dataclass(frozen=True, slots=True)
class FeeEvent:
    """An occurrence of a fee that did not come as expected."""

    index: int
    kind: str  # fee_change | fee_missing
    expected: float
    actual: float


def day_key(day: date) -> int:
    """The day of the month, with the month's last day keyed as `LAST`."""
    return LAST if day.day == calendar.monthrange(day.year, day.month)[1] else day.day


def on_day(when: date, dom: int) -> bool:
    """Whether a fee due on day-of-month `dom` comes on `when` (the 31st: the month's last)."""
    last = calendar.monthrange(when.year, when.month)[1]
    return when.day == dom or (when.day == last and last < dom)


def occurs_on(day: date, fees: tuple[RecurringFee, ...]) -> float:
    """The fees expected on `day`."""
    return sum(f.amount for f in fees if f.due(day))


def fee_range(day: date, fees: tuple[RecurringFee, ...]) -> tuple[float, float]:
    """The least and the most the fees of `day` may come to (an unconfirmed amount widens)."""
    due = [f for f in fees if f.due(day)]
    alt = [f.amount if f.unconfirmed is None else f.unconfirmed for f in due]
    return (sum(min(f.amount, a) for f, a in zip(due, alt, strict=True)),
            sum(max(f.amount, a) for f, a in zip(due, alt, strict=True)))


def local_level(values: FloatArray, days: list[date], usable: np.ndarray) -> FloatArray:
    """Each day's robust level: the median of the same weekday within ±3 weeks, else of the
    fortnight around it (the day itself and unusable days left out)."""
    n = values.size
    out = np.zeros(n)
    for t in range(n):
        same = [values[i] for i in range(t - 21, t + 22, 7)
                if 0 <= i < n and i != t and usable[i]]
        if len(same) >= 3:
            out[t] = float(np.median(same))
            continue
        near = [values[i] for i in range(max(0, t - 7), min(n, t + 8)) if i != t and usable[i]]
        out[t] = float(np.median(near)) if near else 0.0
    return out


def find_fees(days: list[date], values: FloatArray, usable: np.ndarray,
              quiet: np.ndarray | None = None
              ) -> tuple[tuple[RecurringFee, ...], dict[int, float], list[FeeEvent]]:
    """The fees of a series, the fee expected on each fee day (by index) and the occurrences
    that broke the pattern. `usable`: days that can carry a fee (not credits, not planned);
    `quiet`: usable days that also describe the usage level (holidays are not)."""
    calm = usable if quiet is None else quiet
    level, excess, threshold = _excess(days, values, usable, calm)
    hit = usable & (excess > threshold) & (level > 0)
    slack = _level_slack(values, calm, level)
    by_key: dict[int, list[int]] = {}
    for i, day in enumerate(days):
        for key in range(1, LAST + 1):
            if on_day(day, key):
                by_key.setdefault(key, []).append(i)
    fees: list[RecurringFee] = []
    expected: dict[int, float] = {}
    events: list[FeeEvent] = []
    taken: set[int] = set()  # a day carries one fee: the last-day key goes first
    for key, idx in sorted(by_key.items(), key=lambda kv: (kv[0] != LAST, kv[0])):
        hits = [i for i in idx if hit[i] and i not in taken]
        if len(hits) < MIN_HITS:
            continue
        months = (1 if _monthly(idx, hits) else 3 if _quarterly(days, idx, hits)
                  else 12 if _annual(days, idx, hits, excess) else 0)
        if months == 0:
            continue
        phase = days[hits[-1]].month % months
        due = [i for i in idx if i >= hits[0] and days[i].month % months == phase]
        extra = _quarterly_extra(days, due, excess, threshold) if months == 1 else None
        if extra is not None and extra[2] < float(np.median(threshold[due])):
            months, phase = 3, extra[0]  # the "monthly" part is noise: a quarterly fee alone
            due = [i for i in due if days[i].month % 3 == phase]
            extra = None
        if extra is not None:
            q_phase, q_amount, _ = extra
            quarter = [i for i in due if days[i].month % 3 == q_phase]
            fees.append(RecurringFee(key, 3, q_phase, q_amount, days[quarter[0]],
                                     days[quarter[-1]]))
            excess = excess.copy()
            for i in quarter:
                excess[i] -= q_amount
                expected[i] = q_amount
        # the first amount: from an occurrence whose usage level is known (not a holiday)
        owned = [i for i in hits if i in due] or due
        first = next((i for i in owned if calm[i]), owned[0])
        amount = float(excess[first])
        pending: float | None = None  # a changed amount waiting for the next month to confirm
        for i in due:
            expected[i] = expected.get(i, 0.0) + amount
            if not usable[i]:
                continue  # a credit, a refund or a planned day: says nothing about the fee
            got = max(float(excess[i]), 0.0)
            tolerance = max(CHANGE_SHARE * amount, float(threshold[i])) + float(slack[i])
            if i == first or abs(got - amount) <= tolerance:
                if (pending is not None and events and events[-1].kind == "fee_change"
                        and events[-1].actual > events[-1].expected):
                    # the old amount is back: the extra last time was a one-off charge on
                    # the fee's day (a quarterly or yearly fee not yet learned), not a change
                    events.pop()
                # the amount follows what came, unless the usage level under it is unsure
                amount = got if slack[i] <= threshold[i] else amount
                pending = None
            elif pending is not None and abs(got - pending) <= tolerance:
                amount, pending = got, None  # the change of last month holds: the new normal
            else:
                kind = "fee_missing" if got < MISSING_SHARE * amount else "fee_change"
                events.append(FeeEvent(i, kind, amount, got))
                pending = got
        taken.update(due)
        fees.append(RecurringFee(key, months, phase, amount, days[hits[0]], days[due[-1]],
                                 pending))
    return tuple(fees), expected, events


def _excess(days: list[date], values: FloatArray, usable: np.ndarray, calm: np.ndarray
            ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each day's usage level, its excess over it, and the excess that is clearly a charge
    (far above the relative noise of the usable days, and a sizeable share of the level)."""
    level = local_level(values, days, calm)
    excess = values - level
    ok = usable & (level > 0)
    rel = excess[ok] / level[ok]
    sigma = MAD_TO_SIGMA * float(np.median(np.abs(rel - np.median(rel)))) if rel.size else 0.0
    threshold = np.maximum(HIT_SIGMAS * sigma * level, HIT_RELATIVE * level)
    return level, excess, threshold


def seen_once(days: list[date], values: FloatArray, usable: np.ndarray, calm: np.ndarray,
              fees: tuple[RecurringFee, ...], expected: dict[int, float]
              ) -> tuple[tuple[RecurringFee, ...], list[int]]:
    """Quarterly fees seen once, for the forecast (not the detector: one charge is no
    pattern to excuse): a one-day charge on a billing day (the 1st, or the day of a monthly
    fee, over that fee) that the next two months did not repeat, with its third month still
    to come. A support plan or a commitment billed each quarter looks exactly so after its
    first bill; the forecast carries it at the third month with the chance it does not come
    (`unconfirmed` 0: the daily interval spans both). Returns the fees and the days they
    were seen on (not usage)."""
    n = values.size
    if n == 0:
        return (), []
    level, excess, threshold = _excess(days, values, usable, calm)
    billing = {1} | {f.day for f in fees if f.months == 1}
    covered = {(f.day, f.phase) for f in fees if f.months == 3}
    index = {d: i for i, d in enumerate(days)}
    extra = excess - np.array([expected.get(i, 0.0) for i in range(n)])
    hit = usable & (level > 0) & (extra > threshold)
    out: list[RecurringFee] = []
    seen: list[int] = []
    for i in np.flatnonzero(hit):
        key = day_key(days[i])
        if key not in billing and days[i].day != 1:
            continue
        if any(0 <= j < n and hit[j] and day_key(days[j]) not in billing
               for j in (i - 1, i + 1)):
            continue  # a usage spike lasts around the day; a charge is the day itself
        dom = 1 if days[i].day == 1 else key
        later = [_month_day(days[i], k, dom) for k in (1, 2, 3)]
        if later[1] > days[-1] or later[2] <= days[-1]:
            continue  # two months not seen yet, or the third already came (or did not)
        if any(index.get(d) is not None and hit[index[d]] for d in later[:2]):
            continue  # it came again the next month: a change of a monthly fee, not this
        phase = days[i].month % 3
        if (dom, phase) in covered:
            continue
        out.append(RecurringFee(dom, 3, phase, float(extra[i]), days[i], days[i], 0.0))
        seen.append(int(i))
    return tuple(out), seen


def _month_day(day: date, months: int, dom: int) -> date:
    """Day-of-month `dom` (the 31st: the last day) `months` months after `day`'s month."""
    year, month = divmod(day.month - 1 + months, 12)
    last = calendar.monthrange(day.year + year, month + 1)[1]
    return date(day.year + year, month + 1, min(dom, last))


def _level_slack(values: FloatArray, calm: np.ndarray, level: FloatArray) -> FloatArray:
    """How far each day's usage level may be from `level`, so a fee's amount is uncertain by
    it: on a holiday (not calm) usage may fall to nothing; next to a step in the level the
    weeks around mix the old and the new level (the gap between the week before and after)."""
    n = values.size
    out = np.zeros(n)
    for t in range(n):
        if not calm[t]:
            out[t] = max(float(level[t]), 0.0)
            continue
        before = values[max(0, t - 7):t][calm[max(0, t - 7):t]]
        after = values[t + 1:t + 8][calm[t + 1:t + 8]]
        if before.size >= 3 and after.size >= 3:
            out[t] = abs(float(np.median(after)) - float(np.median(before)))
    return out


def _monthly(idx: list[int], hits: list[int]) -> bool:
    """Hits in most months since the first one (a missing month is allowed, and reported)."""
    since = [i for i in idx if i >= hits[0]]
    return len(hits) >= max(MIN_HITS, int(0.6 * len(since) + 0.5))


def _annual(days: list[date], idx: list[int], hits: list[int], excess: FloatArray) -> bool:
    """Hits in the same month of every year since the first (a yearly licence or support
    plan), of a like amount (within a factor of two): needs 13 months of history."""
    months = {days[i].month for i in hits}
    if len(months) != 1:
        return False
    m = months.pop()
    due = [i for i in idx if i >= hits[0] and days[i].month == m]
    amounts = [float(excess[i]) for i in hits]
    return (len(hits) >= max(MIN_HITS, len(due) - 1)
            and max(amounts) <= ANNUAL_LIKE * min(amounts))


def _quarterly(days: list[date], idx: list[int], hits: list[int]) -> bool:
    phase = {days[i].month % 3 for i in hits}
    if len(phase) != 1:
        return False
    p = phase.pop()
    due = [i for i in idx if i >= hits[0] and days[i].month % 3 == p]
    return len(hits) >= max(MIN_HITS, len(due) - 1)


def _quarterly_extra(days: list[date], due: list[int], excess: FloatArray,
                     threshold: FloatArray) -> tuple[int, float, float] | None:
    """A quarterly fee on the same day as a monthly one: one month phase (mod 3) whose
    occurrences each carry clearly more than the month before them (the monthly amount of
    that time, so a monthly fee that changes later does not hide it). Its amount is the step
    at its first occurrence: a later change shows as a change of the monthly fee."""
    for p in range(3):
        pos = [k for k, i in enumerate(due) if days[i].month % 3 == p]
        out = [float(excess[i]) for i in due if days[i].month % 3 != p]
        if len(pos) < MIN_HITS or len(out) < MIN_HITS:
            continue
        steps = [float(excess[due[k]]) - float(excess[due[k - 1 if k > 0 else k + 1]])
                 for k in pos if len(due) > 1]
        # how much the monthly amount wobbles: a change (a, a, b, b) or a month missing
        # (a, 0, a) must not count as wobble, so the smaller of two robust measures
        arr = np.array(out)
        jitter = min(float(np.median(np.abs(np.diff(arr)))),
                     float(np.median(np.abs(arr - np.median(arr)))))
        if steps and min(steps) > max(float(np.median(threshold[due])), 3.0 * jitter):
            return p, steps[0], float(np.median(out))
    return None
