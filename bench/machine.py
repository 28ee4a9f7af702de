"""How fast this machine is right now, printed above a bench's figures. The same commit's
first import of bench_sync's 1M daily rows took 14.2 s of CPU on 2026-12-07 and 25-27 s on
2026-12-08 on "this 2-core machine": figures of different sessions compare only through
these numbers (or through runs of the old code beside the new)."""

from __future__ import annotations

import os
import tempfile
import time


def cpu_seconds() -> float:
    """Wall seconds for 20 million Python additions in a function (one core)."""
    started, total = time.perf_counter(), 0
    for n in range(20_000_000):
        total += n
    return time.perf_counter() - started


def disk_seconds(megabytes: int = 256) -> float:
    """Wall seconds to write `megabytes` to a temporary file and fsync it."""
    block = os.urandom(1 << 20)
    with tempfile.NamedTemporaryFile(prefix="bench-disk-") as out:
        started = time.perf_counter()
        for _ in range(megabytes):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
        return time.perf_counter() - started


def describe() -> str:
    """One line to print above a bench's figures."""
    return (f"machine now: 20M Python additions {cpu_seconds():.2f} s, "
            f"256 MB written and fsynced {disk_seconds():.2f} s, "
            f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    print(describe())
