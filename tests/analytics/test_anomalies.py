"""Anomaly detector: precision and recall on the labelled synthetic set, and its edges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.analytics.anomalies import DetectorSettings, detect
from core.analytics.series import SeriesError
from tests.analytics.synthetic import Case, Label, generate


def _matches(found_start: date, label: Label) -> bool:
    lo = label.start - timedelta(days=1)
    hi = (label.end if label.kind == "drift" else label.start) + timedelta(days=1)
    return lo <= found_start <= hi


def _score(cases: list[Case]) -> tuple[float, float, int, int]:
    true_pos = found = labels = reported = 0
    for case in cases:
        anomalies = detect(case.series, excluded=case.excluded).anomalies
        reported += len(anomalies)
        labels += len(case.labels)
        hit: set[int] = set()
        for anomaly in anomalies:
            idx = [i for i, lab in enumerate(case.labels) if _matches(anomaly.start, lab)]
            if idx:
                true_pos += 1
                hit.update(idx)
        found += len(hit)
    return true_pos / max(reported, 1), found / max(labels, 1), reported, labels


def test_precision_and_recall_on_the_labelled_synthetic_set() -> None:
    """Precision ≥ 0.9 and recall ≥ 0.8 over ≥ 60 seeded series, printed.

    Matching rules: a reported anomaly is correct when its first day lies within ±1 day of a
    labelled event's first day; for a gradual drift, anywhere from one day before the ramp
    starts to one day after it ends (a ramp has no single first day). Precision = correct
    reports / all reports; recall = labelled events with at least one correct report / all
    labelled events. Holidays are passed as exclusions and quiet series stay under the
    money floor: anything reported on them is a false positive.
    """
    cases = generate()
    assert len(cases) >= 60
    precision, recall, reported, labels = _score(cases)
    print(f"\nanomaly detector on {len(cases)} series: {labels} labelled events, "
          f"{reported} reported, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.9
    assert recall >= 0.8


def test_each_family_behaves() -> None:
    cases = {c.name: c for c in generate()}
    for name, case in cases.items():
        found = detect(case.series, excluded=case.excluded).anomalies
        if name.startswith(("quiet", "clean", "holiday")):
            assert found == (), name
    drift = detect(cases["drift-0"].series).anomalies
    assert [a.kind for a in drift] == ["drift"]
    shift = detect(cases["shift-0"].series).anomalies
    assert len(shift) == 1
    assert shift[0].kind == "level_shift"


def _flat(days: int, level: str = "10000") -> list[tuple[date, Decimal]]:
    start = date(2026, 1, 5)
    return [(start + timedelta(i), Decimal(level)) for i in range(days)]


def test_spike_is_explained_in_money_and_planned_days_are_left_alone() -> None:
    series = _flat(60)
    series[45] = (series[45][0], Decimal("25000"))
    (spike,) = detect(series).anomalies
    assert (spike.kind, spike.start, spike.delta) == ("spike", series[45][0], Decimal("15000.00"))
    assert spike.expected == Decimal("10000.00")
    assert detect(series, excluded=frozenset({series[45][0]})).anomalies == ()


def test_money_floor_silences_pennies_and_can_be_lowered() -> None:
    series = _flat(60, "100")
    series[45] = (series[45][0], Decimal("400"))
    assert detect(series).anomalies == ()
    low = DetectorSettings(min_impact=Decimal("100"))
    assert [a.kind for a in detect(series, low).anomalies] == ["spike"]


def test_short_history_reports_nothing_rather_than_guessing() -> None:
    assert detect(_flat(10)).anomalies == ()


@pytest.mark.parametrize(("series", "code"), [
    ([], "empty"),
    ([(date(2026, 1, 1), Decimal(5))], "too_short"),
    ([(date(2026, 1, 1), Decimal(5)), (date(2026, 1, 3), Decimal(1))], "gap"),
    ([(date(2026, 1, 2), Decimal(5)), (date(2026, 1, 1), Decimal(1))], "order"),
    ([(date(2026, 1, 1), Decimal(5)), (date(2026, 1, 2), Decimal("NaN"))], "not_finite"),
])
def test_bad_series_raise_a_named_error(series: list[tuple[date, Decimal]], code: str) -> None:
    with pytest.raises(SeriesError) as err:
        detect(series)
    assert err.value.code == code
