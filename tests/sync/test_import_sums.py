"""An import sums its own lines into the rollup of their days as it stages them (`_Sums`),
so the swap writes the rollup without reading the lines again; the columnar path sums a
chunk's lines with NumPy, and must give the exact sums the line-by-line path gives, also for
amounts whose sums pass 64 bits."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from core.services import focus_import

DAYS = [date(2026, 3, 1) + timedelta(days=n) for n in range(5)]


def _identity(number: int) -> tuple[object, ...]:
    """An identity's staged row (`number` first), its rollup key shared with others."""
    values: dict[str, object] = {name: None for name in focus_import._IDENT_COLUMNS}
    values.update(resource_external_id=f"r-{number}", service_name=f"svc-{number % 3}",
                  region_id=f"ru-{number % 2}", billing_currency="USD", provider="aws",
                  provider_name="AWS", charge_category="Usage")
    return (number, *(values[name] for name in focus_import._IDENT_COLUMNS))


@pytest.mark.parametrize("size", [10**9, 2**61], ids=["ordinary", "past 64 bits summed"])
def test_columnar_sums_are_the_line_by_line_sums(size: int) -> None:
    rng = random.Random(size)
    columnar = focus_import._Sums(1, 2, number_at=0)
    by_line = focus_import._Sums(1, 2, number_at=0)
    seen: set[int] = set()
    for _ in range(3):  # chunks: identities new in one, named again in the next
        numbers = [rng.randrange(1, 40) for _ in range(500)]
        fresh = [_identity(n) for n in dict.fromkeys(numbers) if n not in seen]
        seen.update(numbers)
        day_at = [rng.randrange(len(DAYS)) for _ in numbers]
        billed = [rng.randrange(-size, size) for _ in numbers]
        effective = [rng.randrange(-size, size) for _ in numbers]
        columnar.add_columns(fresh, np.array(numbers, np.int64), DAYS,
                             np.array(day_at, np.int64), np.array(billed, np.int64),
                             np.array(effective, np.int64))
        by_line.add(fresh, [(n, DAYS[d], b, e) for n, d, b, e in
                            zip(numbers, day_at, billed, effective, strict=True)])
    expected = by_line.between(DAYS[0], DAYS[-1])
    assert expected
    assert columnar.between(DAYS[0], DAYS[-1]) == expected
    if size > 2**62 // 500:
        assert max(abs(s[0]) for s in expected.values()) > 2**63  # the case is real
