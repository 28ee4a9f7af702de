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


def _steady(start: date, days: int, level: str = "1000") -> list[tuple[date, Decimal]]:
    """A steady series with a little deterministic wobble (no weekly rhythm)."""
    return [(start + timedelta(days=i), Decimal(level) + Decimal(i % 5) * 7)
            for i in range(days)]


def test_a_yearly_fee_seen_a_year_ago_is_not_news() -> None:
    """13+ months of history: a licence renewed on 15 March each year is a yearly fee, not a
    spike; the same charge in a series that does not reach back a year is still a spike."""
    series = _steady(date(2025, 2, 1), 420)
    series = [(d, v + (Decimal(40000) if (d.month, d.day) == (3, 15) else 0)) for d, v in series]
    detection = detect(series)
    assert not [a for a in detection.anomalies if a.start == date(2026, 3, 15)]
    assert any(f.months == 12 and f.day == 15 for f in detection.fees)
    recent = [(d, v) for d, v in series if d >= date(2025, 12, 1)]
    assert [a.kind for a in detect(recent).anomalies if a.start == date(2026, 3, 15)] == [
        "spike"]


def test_charges_the_bill_marks_as_purchases_are_expected() -> None:
    """A reservation bought on one day (ChargeCategory Purchase) is no anomaly; the same
    amount without the mark is a spike."""
    series = _steady(date(2026, 1, 1), 90)
    bought = date(2026, 3, 10)
    series = [(d, v + (Decimal(30000) if d == bought else 0)) for d, v in series]
    assert [a.start for a in detect(series).anomalies] == [bought]
    marked = detect(series, purchases={bought: Decimal(30000)})
    assert marked.anomalies == ()
    assert dict(marked.expected)[bought] > Decimal(30000)
