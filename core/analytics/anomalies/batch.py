"""Many series judged in one call: what the CPU pool runs for a chat question or a scan.

A job is everything the detector is given, as plain hashable values, so it crosses the
process boundary by pickling and doubles as the key of the caller's memo.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.analytics.anomalies.detector import Detection, DetectorSettings, detect
from core.analytics.series import SeriesError

__all__ = ["Job", "judge", "judge_batch"]

Job = tuple[tuple[tuple[date, Decimal], ...], DetectorSettings, frozenset[date],
            tuple[tuple[date, Decimal], ...]]
"""The trimmed series, the settings, the days marked planned, the purchases by day."""


def judge(job: Job) -> Detection:
    """The detector's verdict; a malformed series gives its error code as `reason`."""
    series, cfg, excluded, bought = job
    try:
        return detect(series, cfg, excluded=excluded, purchases=dict(bought) or None)
    except SeriesError as err:
        return Detection((), reason=err.code)


def judge_batch(jobs: list[Job]) -> list[Detection]:
    """Verdicts in order: one pool round trip for all the series of a question or a scan."""
    return [judge(job) for job in jobs]
