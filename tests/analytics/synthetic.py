"""A labelled synthetic set of daily cost series, generated with a fixed seed.

Families: spikes, drops, level shifts, gradual drifts, holidays (planned dips passed as
exclusions: nothing to report), quiet series (pennies: nothing to report) and clean series
with a strong weekly rhythm (nothing to report).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

SEED = 5_2026
START = date(2026, 3, 2)
LENGTH = 150


@dataclass(frozen=True)
class Label:
    start: date
    end: date
    kind: str


@dataclass
class Case:
    name: str
    series: list[tuple[date, Decimal]]
    labels: list[Label] = field(default_factory=list)
    excluded: frozenset[date] = frozenset()


def _base(rng: random.Random, level: float, noise: float) -> tuple[list[float], list[float]]:
    weekend = rng.choice([1.0, 1.0, 0.9, 0.75, 0.55])
    growth = rng.uniform(-0.005, 0.03) / 30
    shape = [level * (1 + growth * i) * (weekend if (START + timedelta(i)).weekday() >= 5
                                         else 1.0) for i in range(LENGTH)]
    noise_f = [max(0.0, 1 + rng.gauss(0, noise)) for _ in range(LENGTH)]
    return shape, noise_f


def _pack(values: list[float]) -> list[tuple[date, Decimal]]:
    return [(START + timedelta(i), Decimal(str(round(v, 2)))) for i, v in enumerate(values)]


def _mul(shape: list[float], noise: list[float]) -> list[float]:
    return [a * b for a, b in zip(shape, noise, strict=True)]


def _day(i: int) -> date:
    return START + timedelta(i)


def generate() -> list[Case]:
    rng = random.Random(SEED)
    cases: list[Case] = []
    for k in range(14):  # spikes, one or two per series
        shape, nf = _base(rng, rng.uniform(1500, 60000), rng.uniform(0.01, 0.05))
        labels = []
        starts = rng.sample(range(35, LENGTH - 5, 12), rng.choice([1, 2]))
        for s in sorted(starts):
            length, mult = rng.choice([1, 1, 2, 3]), rng.uniform(1.35, 4.0)
            for i in range(s, s + length):
                shape[i] *= mult
            labels.append(Label(_day(s), _day(s + length - 1), "spike"))
        cases.append(Case(f"spike-{k}", _pack(_mul(shape, nf)), labels))
    for k in range(8):  # drops: an outage or a lost sync
        shape, nf = _base(rng, rng.uniform(2000, 50000), rng.uniform(0.01, 0.04))
        s, length = rng.randrange(35, LENGTH - 5), rng.choice([1, 2, 3])
        for i in range(s, s + length):
            shape[i] *= rng.uniform(0.05, 0.5)
        cases.append(Case(f"drop-{k}", _pack(_mul(shape, nf)),
                          [Label(_day(s), _day(s + length - 1), "drop")]))
    for k in range(12):  # level shifts, up or down, to the end
        shape, nf = _base(rng, rng.uniform(2000, 50000), rng.uniform(0.01, 0.04))
        s, mult = rng.randrange(40, LENGTH - 10), rng.choice([1.25, 1.4, 1.6, 2.0, 0.65, 0.75])
        for i in range(s, LENGTH):
            shape[i] *= mult
        cases.append(Case(f"shift-{k}", _pack(_mul(shape, nf)),
                          [Label(_day(s), _day(LENGTH - 1), "level_shift")]))
    for k in range(10):  # gradual drifts: a ramp over 10–25 days, then a new plateau
        shape, nf = _base(rng, rng.uniform(2000, 50000), rng.uniform(0.01, 0.03))
        s, ramp, total = rng.randrange(40, LENGTH - 35), rng.randrange(10, 26), rng.uniform(
            0.5, 1.2)
        for i in range(s, LENGTH):
            shape[i] *= 1 + total * min(1.0, (i - s + 1) / ramp)
        cases.append(Case(f"drift-{k}", _pack(_mul(shape, nf)),
                          [Label(_day(s), _day(s + ramp - 1), "drift")]))
    for k in range(10):  # holidays: planned dips, marked as exclusions, nothing to report
        shape, nf = _base(rng, rng.uniform(2000, 50000), rng.uniform(0.01, 0.04))
        s, length = rng.randrange(35, LENGTH - 12), rng.randrange(3, 11)
        for i in range(s, s + length):
            shape[i] *= rng.uniform(0.3, 0.6)
        cases.append(Case(f"holiday-{k}", _pack(_mul(shape, nf)),
                          excluded=frozenset(_day(i) for i in range(s, s + length))))
    for k in range(8):  # quiet: tens of roubles a day; even a tripling is pennies
        shape, nf = _base(rng, rng.uniform(5, 80), rng.uniform(0.02, 0.1))
        s = rng.randrange(35, LENGTH - 3)
        shape[s] *= 3
        cases.append(Case(f"quiet-{k}", _pack(_mul(shape, nf))))
    for k in range(8):  # clean: strong weekly rhythm and noise, nothing happened
        shape, nf = _base(rng, rng.uniform(2000, 80000), rng.uniform(0.02, 0.05))
        cases.append(Case(f"clean-{k}", _pack(_mul(shape, nf))))
    return cases
