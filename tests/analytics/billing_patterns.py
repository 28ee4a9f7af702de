"""Labelled daily cost series built from the patterns real bills have, with a fixed seed.

Every series is usage × weekly rhythm × (Russian) holidays × noise, plus recurring fees
(monthly on the 1st or another day, quarterly), plus credits and refunds (days at or below
zero). Families and their labels:

  spike, drop, level_shift      one labelled event each (spike: 1–3 days; drop: an outage);
  growth                        slow growth of 0.6–1.5 %/day from a day on, labelled there;
  ramp                          a finished ramp (10–25 days) to a new plateau, labelled `drift`;
  fee_change / fee_missing      a monthly fee that changes amount or does not come one month;
  fees, credits, holidays,      nothing happened: recurring fees, credits and refunds,
  clean, quiet, noisy_small     holiday dips, weekly rhythm, pennies, noisy small accounts.

Each family also carries monthly fees and credits at random, so a detector cannot pass by
ignoring them. The development part (`generate_dev`) is for tuning; the locked part lives in
`billing_locked.py`, has its own seed and is only ever scored as a whole.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import holidays

DEV_SEED = 14_2026
LENGTH = 180
FAMILIES = ("spike", "drop", "level_shift", "growth", "ramp", "fee_change", "fee_missing",
            "fees", "credits", "holidays", "clean", "quiet", "noisy_small")


@dataclass(frozen=True)
class Label:
    start: date
    end: date
    kind: str


@dataclass
class Case:
    name: str
    family: str
    series: list[tuple[date, Decimal]]
    labels: list[Label] = field(default_factory=list)
    has_monthly_fee: bool = False
    level: float = 0.0
    # the parts each day was built from (for diagnosing a forecast's misses, not for scoring):
    # usage without noise, recurring fees added (monthly, quarterly), what credits changed
    usage: list[float] = field(default_factory=list)
    fee_part: list[float] = field(default_factory=list)
    quarterly_part: list[float] = field(default_factory=list)
    credit_part: list[float] = field(default_factory=list)


def _first_days(start: date, length: int, dom: int) -> list[int]:
    """Indices of the days that are day-of-month `dom` (clamped to the month's last day)."""
    out = []
    for i in range(length):
        day = start + timedelta(i)
        nxt = day + timedelta(1)
        if day.day == dom or (day.day < dom and nxt.month != day.month):
            out.append(i)
    return out


def _case(rng: random.Random, family: str, k: int) -> Case:
    start = date(2025, 9, 1) + timedelta(rng.randrange(0, 240))
    small = family in ("quiet", "noisy_small")
    level = (rng.uniform(3, 60) if family == "quiet" else rng.uniform(60, 400) if small
             else rng.uniform(1500, 60000))
    noise = (rng.uniform(0.15, 0.35) if family == "noisy_small" else rng.uniform(0.01, 0.05))
    weekend = rng.choice([1.0, 1.0, 0.9, 0.75, 0.55])
    business = weekend < 1.0 or family == "holidays"  # usage follows the working calendar
    ru = holidays.country_holidays("RU", years=range(start.year, start.year + 2))
    growth = rng.uniform(-0.003, 0.01) / 30
    days = [start + timedelta(i) for i in range(LENGTH)]
    usage = []
    for i, day in enumerate(days):
        off = day.weekday() >= 5 or (business and day in ru)
        rhythm = (min(weekend, 0.7) if family == "holidays" else weekend) if off else 1.0
        usage.append(level * (1 + growth * i) * rhythm)
    labels: list[Label] = []
    lo, hi = 60, LENGTH - 8
    if family == "spike":
        s, length = rng.randrange(lo, hi), rng.choice([1, 1, 2, 3])
        mult = rng.uniform(1.5, 4.0)
        for i in range(s, s + length):
            usage[i] *= mult
        labels.append(Label(days[s], days[s + length - 1], "spike"))
    elif family == "drop":
        s, length = rng.randrange(lo, hi), rng.choice([1, 2, 3])
        for i in range(s, s + length):
            usage[i] *= rng.uniform(0.05, 0.5)
        labels.append(Label(days[s], days[s + length - 1], "drop"))
    elif family == "level_shift":
        s = rng.randrange(lo, LENGTH - 12)
        mult = rng.choice([1.3, 1.5, 1.8, 2.0, 0.6, 0.7])
        for i in range(s, LENGTH):
            usage[i] *= mult
        labels.append(Label(days[s], days[LENGTH - 1], "level_shift"))
    elif family == "growth":
        s = rng.randrange(lo, LENGTH - 45)
        rate = rng.uniform(0.006, 0.015)
        for i in range(s, LENGTH):
            usage[i] *= (1 + rate) ** (i - s)
        labels.append(Label(days[s], days[LENGTH - 1], "growth"))
    elif family == "ramp":
        s, ramp, total = rng.randrange(lo, LENGTH - 35), rng.randrange(10, 26), rng.uniform(
            0.5, 1.2)
        for i in range(s, LENGTH):
            usage[i] *= 1 + total * min(1.0, (i - s + 1) / ramp)
        labels.append(Label(days[s], days[s + ramp - 1], "drift"))
    values = [u * max(0.0, 1 + rng.gauss(0, noise)) for u in usage]
    fee_part, quarterly_part, credit_part = [0.0] * LENGTH, [0.0] * LENGTH, [0.0] * LENGTH
    fee_kinds = family in ("fee_change", "fee_missing", "fees") or (
        not small and rng.random() < 0.6)
    has_fee = False
    if fee_kinds:
        for _ in range(rng.choice([1, 1, 2])):
            dom = rng.choice([1, 1, 1, rng.randrange(2, 29), 31])
            amount = level * rng.uniform(1.0, 12.0)
            idx = _first_days(start, LENGTH, dom)
            has_fee = True
            if family == "fee_change" and not labels:
                j = rng.randrange(2, len(idx))
                factor = rng.choice([0.5, 0.6, 1.4, 1.6, 2.0])
                for n, i in enumerate(idx):
                    values[i] += amount * (factor if n >= j else 1.0)
                    fee_part[i] += amount * (factor if n >= j else 1.0)
                labels.append(Label(days[idx[j]], days[idx[j]], "fee_change"))
                continue
            if family == "fee_missing" and not labels:
                j = rng.randrange(2, len(idx))
                for n, i in enumerate(idx):
                    if n != j:
                        values[i] += amount
                        fee_part[i] += amount
                labels.append(Label(days[idx[j]], days[idx[j]], "fee_missing"))
                continue
            for i in idx:
                values[i] += amount
                fee_part[i] += amount
        if rng.random() < 0.4 and not small:  # a quarterly support plan on the 1st
            amount = level * rng.uniform(3.0, 20.0)
            for i, day in enumerate(days):
                if day.day == 1 and day.month in (1, 4, 7, 10):
                    values[i] += amount
                    quarterly_part[i] += amount
    if family == "credits" or (not small and rng.random() < 0.3):
        for _ in range(rng.choice([1, 2, 3])):  # a refund or a fully credited day
            i = rng.randrange(20, LENGTH)
            if any(lab.start <= days[i] <= lab.end for lab in labels):
                continue
            was = values[i]
            values[i] = -rng.uniform(0.2, 3.0) * level if rng.random() < 0.6 else 0.0
            credit_part[i] += values[i] - was
    series = [(d, Decimal(str(round(v, 2)))) for d, v in zip(days, values, strict=True)]
    return Case(f"{family}-{k}", family, series, labels, has_fee, level, usage, fee_part,
                quarterly_part, credit_part)


PER_FAMILY = {"spike": 10, "drop": 6, "level_shift": 8, "growth": 8, "ramp": 6,
              "fee_change": 6, "fee_missing": 6, "fees": 8, "credits": 6, "holidays": 6,
              "clean": 6, "quiet": 4, "noisy_small": 6}


def generate(seed: int, per_family: Mapping[str, int] | None = None) -> list[Case]:
    """All families, `per_family` (default `PER_FAMILY`) series each, from one seed."""
    rng = random.Random(seed)
    counts = PER_FAMILY if per_family is None else per_family
    return [_case(rng, family, k) for family in FAMILIES for k in range(counts[family])]


def generate_dev() -> list[Case]:
    """The development part: tune on this one."""
    return generate(DEV_SEED)


# A second development part in the locked parts' heavier mix (more fees, credits, holidays,
# growth and ramps; fewer spikes and shifts): the first development part has fewer of the
# patterns the locked-c mix missed on. Tuned on like the first (growth round).
DEV_C_SEED = 777_001
DEV_C_MIX = {"spike": 7, "drop": 5, "level_shift": 6, "growth": 10, "ramp": 6,
             "fee_change": 7, "fee_missing": 7, "fees": 11, "credits": 9, "holidays": 9,
             "clean": 4, "quiet": 3, "noisy_small": 5}


def generate_dev_c() -> list[Case]:
    """The second development part (the locked-c mix, its own seed): tune on this one too."""
    return generate(DEV_C_SEED, DEV_C_MIX)
