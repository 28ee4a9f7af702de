"""The LOCKED test part of the billing-patterns set: its own seed, same families as the
development part. Score it only as a whole (`bench/bench_analytics.py`); never tune on, print
or inspect its per-series results."""

from __future__ import annotations

from tests.analytics.billing_patterns import Case, generate

LOCKED_SEED = 91_4_2027
# A second locked part, fixed before any forecast tuning of its round (issue 14, MAPE round):
# the first part had been scored twice, so the closing figure comes from one no tuning has seen.
LOCKED_B_SEED = 27_5_3141


def generate_locked() -> list[Case]:
    """The locked part: the figures reported for issue 14 come from this one only."""
    return generate(LOCKED_SEED)


def generate_locked_b() -> list[Case]:
    """The second locked part: scored once, at the end of the forecast-MAPE round."""
    return generate(LOCKED_B_SEED)
