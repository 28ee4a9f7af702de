"""Micro benchmark of the renderers: the brief 10×, each chart 20×; median / p95 and sizes.

Targets: brief median ≤ 1.5 s, one chart ≤ 250 ms. Run: `.venv/bin/python bench/bench_render.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from renderers.charts import CHARTS  # noqa: E402
from renderers.pdf import render_brief  # noqa: E402
from tests.renderers import sample_data  # noqa: E402

SAMPLES: dict[str, Any] = {
    "trend": sample_data.trend(),
    "stacked": sample_data.stacked(),
    "budget_vs_actual": sample_data.budget_vs_actual(),
    "top_items": sample_data.top_items(),
    "allocation": sample_data.allocation(),
}


def measure(fn: Callable[[], bytes], runs: int) -> tuple[float, float, int]:
    fn()  # warm-up: font cache, catalogues
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, size


def main() -> None:
    print(f"{'what':<26}{'median s':>10}{'p95 s':>10}{'size KB':>10}")
    for name, render in CHARTS.items():
        median, p95, size = measure(partial(render, SAMPLES[name], lang="ru"), 20)
        print(f"{'chart ' + name:<26}{median:>10.3f}{p95:>10.3f}{size / 1024:>10.1f}")
    for edition in ("preliminary", "final"):
        data = sample_data.brief("ru", edition)
        median, p95, size = measure(partial(render_brief, data), 10)
        print(f"{'brief ' + edition:<26}{median:>10.3f}{p95:>10.3f}{size / 1024:>10.1f}")


if __name__ == "__main__":
    main()
