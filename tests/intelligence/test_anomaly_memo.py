"""Anomaly verdicts come from the CPU pool and are remembered per input; a batch larger than
the memory still gets every verdict (a scan of a big organisation judges many series)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.analytics.anomalies import DetectorSettings
from core.analytics.anomalies.batch import Job, judge
from core.services import anomaly_service


def _job(level: int) -> Job:
    start = date(2026, 6, 1)
    series = tuple((start + timedelta(days=i), Decimal(level + i % 7)) for i in range(90))
    return series, DetectorSettings(), frozenset(), ()


async def test_a_batch_larger_than_the_memory_gets_every_verdict(
        monkeypatch: pytest.MonkeyPatch) -> None:
    anomaly_service._memo.clear()
    monkeypatch.setattr(anomaly_service._memo, "size", 1)
    jobs = [_job(100), _job(200), _job(300)]
    verdicts = await anomaly_service.analyse_all(list(jobs))
    assert verdicts == [judge(job) for job in jobs]
    assert len(anomaly_service._memo) == 1


async def test_a_series_judged_before_is_not_judged_again() -> None:
    anomaly_service._memo.clear()
    job = _job(100)
    first, = await anomaly_service.analyse_all([job])
    again, = await anomaly_service.analyse_all([job])
    assert again is first
