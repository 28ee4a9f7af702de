"""Anomaly detector and forecast on labelled billing patterns (issue 14): figures, not asserts.

Anomalies: precision and recall. A report is correct when its first day lies within ±1 day of a
labelled event's first day (a ramp: anywhere from a day before it starts to a day after it
ends; slow growth: from a week before it starts to five weeks after, since growth needs weeks
to show). A series on which the detector raises counts as silent: nothing reported.
Forecast: rolling origin (train ≥ 90 days, cut every 7 days, 30-day horizon) on the series that
carry a monthly fee, except the noisy small accounts: MAPE of the 30-day total, and how often
the 80 % interval holds the actual (each day; and the 30-day total).

Run: `.venv/bin/python -m bench.bench_analytics [--part dev|dev-c|locked|locked-b|locked-c|
locked-d|locked-e] [--families]`. Only the development parts (`dev`; `dev-c`, a second one in the
locked-c mix; `--diagnose` takes either) may be broken down by family (`--families`); the
locked parts print totals. `locked-b` (a second locked part, fixed before the forecast-MAPE
round's tuning) and `locked-c` (a third, with its own mix of families, committed after the
calibration round and before its first run) and `locked-d` (a fourth, in a mix like
locked-c's, committed after the growth round and before its first run) and `locked-e` (a fifth,
committed after the total-interval calibration and before its first run) are never part of
`both`: each is scored once, on its own.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analytics.anomalies import detect  # noqa: E402
from core.analytics.anomalies.calendar import non_working_days  # noqa: E402
from core.analytics.forecast import ForecastPoint, forecast  # noqa: E402
from tests.analytics.billing_locked import (  # noqa: E402
    generate_locked,
    generate_locked_b,
    generate_locked_c,
    generate_locked_d,
    generate_locked_e,
)
from tests.analytics.billing_patterns import (  # noqa: E402
    Case,
    Label,
    generate_dev,
    generate_dev_c,
)

HORIZON, MIN_TRAIN, STEP = 30, 90, 7


def matches(start: date, label: Label) -> bool:
    if label.kind == "growth":
        return label.start - timedelta(7) <= start <= label.start + timedelta(35)
    hi = label.end if label.kind == "drift" else label.start
    return label.start - timedelta(1) <= start <= hi + timedelta(1)


def score_anomalies(cases: list[Case]) -> dict[str, dict[str, int]]:
    """Per family: reports, correct reports, labels, labels found, series that raised."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for case in cases:
        row = out[case.family]
        try:
            found = detect(case.series).anomalies
        except ValueError:
            found = ()
            row["raised"] += 1
        hit: set[int] = set()
        for anomaly in found:
            idx = [i for i, lab in enumerate(case.labels) if matches(anomaly.start, lab)]
            row["reported"] += 1
            if idx:
                row["correct"] += 1
                hit.update(idx)
        row["labels"] += len(case.labels)
        row["found"] += len(hit)
    return out


def score_forecast(cases: list[Case]) -> dict[str, float]:
    errors: list[float] = []
    quiet: list[float] = []  # origins whose next 30 days (or last week) hold no labelled change
    inside = days = total_inside = origins = failed = 0
    for case in cases:
        values = [float(v) for _, v in case.series]
        for cut in range(MIN_TRAIN, len(values) - HORIZON + 1, STEP):
            try:
                fc = forecast(case.series[:cut], HORIZON)
            except ValueError:
                failed += 1
                continue
            actual = values[cut:cut + HORIZON]
            pts = fc.points
            total = sum(actual)
            predicted = sum(float(p.value) for p in pts)
            errors.append(abs(predicted - total) / total)
            first, last = case.series[cut][0] - timedelta(days=7), case.series[cut][0] + \
                timedelta(days=HORIZON)
            if not any(first <= label.start < last for label in case.labels):
                quiet.append(errors[-1])
            inside += sum(float(p.lower) <= a <= float(p.upper) for p, a in zip(pts, actual,
                                                                                strict=True))
            days += HORIZON
            _, low, high = fc.total()  # the interval the bot shows for a period's total
            lower, upper = float(low), float(high)
            total_inside += lower <= total <= upper
            origins += 1
    return {"series": len(cases), "origins": origins, "failed": failed,
            "mape": 100 * sum(errors) / max(len(errors), 1),
            "quiet_origins": len(quiet), "mape_quiet": 100 * sum(quiet) / max(len(quiet), 1),
            "coverage_daily": inside / max(days, 1),
            "coverage_total": total_inside / max(origins, 1)}


PARTS = ("usage", "usage_hol", "noise", "fees", "fees_q", "credits")
TAGS = ("change_near", "quarterly_in_horizon", "fee_first_3_days", "credit_in_horizon",
        "credit_last_28", "holiday_in_horizon")


def _origin_parts(case: Case, cut: int, points: tuple[ForecastPoint, ...]) -> dict[str, float]:
    """A forecast's signed miss (forecast − actual) of a 30-day total split by what the
    generator built the days from: the usage model (vs noiseless usage), noise, recurring fees
    (forecast fees vs fees added) and credits (what they took away; no forecast knows them)."""
    span = range(cut, cut + HORIZON)
    off = non_working_days(case.series[cut][0], case.series[cut + HORIZON - 1][0])
    out = dict.fromkeys(PARTS, 0.0)
    out["actual"] = 0.0
    for i, p in zip(span, points, strict=True):
        fee = case.fee_part[i] + case.quarterly_part[i]
        actual = float(case.series[i][1])
        out["actual"] += actual
        holiday = p.day in off and p.day.weekday() < 5
        out["usage_hol" if holiday else "usage"] += p.usage - case.usage[i]
        out["noise"] += case.usage[i] - (actual - fee - case.credit_part[i])
        out["fees_q" if case.quarterly_part[i] else "fees"] += float(p.value) - p.usage - fee
        out["credits"] -= case.credit_part[i]
    return out


def _origin_tags(case: Case, cut: int) -> set[str]:
    day0 = case.series[cut][0]
    tags = set()
    if any(day0 - timedelta(days=7) <= lab.start < day0 + timedelta(days=HORIZON)
           for lab in case.labels):
        tags.add("change_near")
    span = range(cut, cut + HORIZON)
    if any(case.quarterly_part[i] for i in span):
        tags.add("quarterly_in_horizon")
    if any(case.fee_part[i] + case.quarterly_part[i] for i in range(cut, cut + 3)):
        tags.add("fee_first_3_days")
    if any(case.credit_part[i] for i in span):
        tags.add("credit_in_horizon")
    if any(case.credit_part[i] for i in range(max(0, cut - 28), cut)):
        tags.add("credit_last_28")
    off = non_working_days(day0, day0 + timedelta(days=HORIZON - 1))
    if any(d.weekday() < 5 for d in off):
        tags.add("holiday_in_horizon")
    return tags


def diagnose(cases: list[Case], top: int = 15) -> None:
    """Development part only: where the 30-day-total MAPE comes from, by family, by the part
    of the bill that missed (mean |part| / actual, in %) and by origin tag; the worst origins."""
    rows: list[tuple[str, int, dict[str, float], set[str]]] = []
    for case in forecast_cases(cases):
        for cut in range(MIN_TRAIN, len(case.series) - HORIZON + 1, STEP):
            fc = forecast(case.series[:cut], HORIZON, calibrate=False)
            rows.append((case.family, cut, _origin_parts(case, cut, fc.points),
                         _origin_tags(case, cut)))
    n = len(rows)

    def line(label: str, sel: list[tuple[str, int, dict[str, float], set[str]]]) -> str:
        err = [abs(sum(r[2][k] for k in PARTS)) / r[2]["actual"] for r in sel]
        parts = " ".join(
            f"{k} {100 * sum(abs(r[2][k]) / r[2]['actual'] for r in sel) / len(sel):5.2f}"
            for k in PARTS)
        share = 100 * sum(err) / n
        return (f"    {label:<22} origins {len(sel):>3}  MAPE {100 * sum(err) / len(sel):6.2f} "
                f"(adds {share:5.2f} to the whole)  |part|: {parts}")

    print(f"[dev] diagnose: {n} origins, signed parts of each miss (forecast − actual)")
    print(line("all", rows))
    for family in dict.fromkeys(r[0] for r in rows):
        print(line(family, [r for r in rows if r[0] == family]))
    for tag in TAGS:
        sel = [r for r in rows if tag in r[3]]
        if sel:
            print(line("+" + tag, sel))
    clean = [r for r in rows if not r[3]]
    if clean:
        print(line("no tag", clean))
    for key in PARTS:  # what the MAPE would be if that part had not missed
        err = [abs(sum(r[2][k] for k in PARTS if k != key)) / r[2]["actual"] for r in rows]
        print(f"    without the {key:<8} miss: MAPE {100 * sum(err) / n:5.2f}")
    worst = sorted(rows, key=lambda r: -abs(sum(r[2][k] for k in PARTS)) / r[2]["actual"])
    for family, cut, parts, tags in worst[:top]:
        miss = sum(parts[k] for k in PARTS) / parts["actual"]
        detail = " ".join(f"{k} {100 * parts[k] / parts['actual']:+.1f}" for k in PARTS)
        print(f"      {family:<12} cut {cut:>3} miss {100 * miss:+6.1f} %  {detail}  "
              f"{','.join(sorted(tags))}")


def forecast_cases(cases: list[Case]) -> list[Case]:
    return [c for c in cases if c.has_monthly_fee and c.family != "noisy_small"]


def report(name: str, generate: Callable[[], list[Case]], families: bool) -> None:
    cases = generate()
    scores = score_anomalies(cases)
    total: dict[str, int] = defaultdict(int)
    for row in scores.values():
        for key, value in row.items():
            total[key] += value
    precision = total["correct"] / max(total["reported"], 1)
    recall = total["found"] / max(total["labels"], 1)
    print(f"[{name}] anomalies on {len(cases)} series: {total['labels']} labelled events, "
          f"{total['reported']} reported, precision {precision:.3f}, recall {recall:.3f}, "
          f"series that raised {total['raised']}")
    if families:
        for family, row in scores.items():
            print(f"    {family:<12} reported {row['reported']:>3} correct {row['correct']:>3} "
                  f"labels {row['labels']:>3} found {row['found']:>3} raised {row['raised']}")
    fc = score_forecast(forecast_cases(cases))
    print(f"[{name}] forecast on {fc['series']} series with monthly fees, {fc['origins']} "
          f"origins ({fc['failed']} failed): 30-day total MAPE {fc['mape']:.2f} %, 80 % "
          f"interval coverage daily {fc['coverage_daily']:.3f}, 30-day total "
          f"{fc['coverage_total']:.3f}")
    print(f"[{name}]   of which {fc['quiet_origins']} origins with no labelled change from a "
          f"week before to the horizon's end: 30-day total MAPE {fc['mape_quiet']:.2f} % "
          "(a diagnostic: what the other origins add is change no forecast can know of)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["dev", "dev-c", "locked", "locked-b", "locked-c",
                                           "locked-d", "locked-e", "both"], default="both")
    parser.add_argument("--families", action="store_true",
                        help="break the development part down by family")
    parser.add_argument("--diagnose", action="store_true",
                        help="development part only: where the forecast's misses come from")
    args = parser.parse_args()
    if args.diagnose:
        diagnose(generate_dev_c() if args.part == "dev-c" else generate_dev())
        return
    if args.part in ("dev", "both"):
        report("dev", generate_dev, args.families)
    if args.part == "dev-c":  # a second development part, in the locked-c mix
        report("dev-c", generate_dev_c, args.families)
    if args.part in ("locked", "both"):
        report("locked", generate_locked, False)
    if args.part == "locked-b":  # never part of "both": scored once, on its own
        report("locked-b", generate_locked_b, False)
    if args.part == "locked-c":  # the same: written after the calibration round, scored once
        report("locked-c", generate_locked_c, False)
    if args.part == "locked-d":  # written after the growth round, committed before its one run
        report("locked-d", generate_locked_d, False)
    if args.part == "locked-e":  # written after the total-interval calibration, scored once
        report("locked-e", generate_locked_e, False)


if __name__ == "__main__":
    main()
