"""CLI start-up: `infrazen parse` and `infrazen costs` end to end, as a user types them.

Each command runs as a fresh process (the way a shell or cron runs it), against a throwaway
SQLite database holding the demo organisation (`costs` must answer with figures, or the bench
stops: an empty answer is not the work being measured). Reported: median and slowest wall
seconds of N runs, the median CPU seconds (user + system: on a shared machine the wall clock
includes waiting for a core), the process's peak RSS, and the heaviest top-level imports of
the command's process (`-X importtime`), so a regression names its cause.
Target: each command ≤ 1 s on this 2-core machine.
Run: `.venv/bin/python -m bench.bench_cli [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(Path(sys.executable).parent / "infrazen")  # the console script pip installed
INFRAZEN = [sys.executable, SCRIPT]

COMMANDS: dict[str, list[str]] = {
    "parse": ["parse", "сколько потратили на compute в ноябре по проектам", "--today",
              "2026-12-07"],
    "costs": ["costs", "--org", "demo", "--from", "2026-11-01", "--to", "2026-11-30",
              "--by", "service"],
}


def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", ""))
                                          if p)}


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """One cold run: wall seconds, CPU seconds and the child's peak RSS in MB."""
    started = time.perf_counter()
    child = subprocess.Popen([*INFRAZEN, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{args[0]} failed with exit code {child.returncode}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _heaviest_imports(args: list[str], env: dict[str, str], top: int = 4) -> str:
    """The top-level imports that cost the most, from `python -X importtime`."""
    done = subprocess.run([sys.executable, "-X", "importtime", SCRIPT, *args],
                          cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    costs: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.removeprefix(" ").startswith(" "):  # imported by the script itself
            costs.append((int(cumulative), name.strip()))
    costs.sort(reverse=True)
    return ", ".join(f"{name} {us / 1e6:.2f}" for us, name in costs[:top])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        env = _env(Path(tmp) / "cli.db")
        started = time.perf_counter()
        subprocess.run([*INFRAZEN, "demo"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"(demo organisation created in {time.perf_counter() - started:.1f} s)")
        answer = subprocess.run([*INFRAZEN, *COMMANDS["costs"]], cwd=ROOT, env=env, check=True,
                                capture_output=True, text=True).stdout
        if len(answer.splitlines()) < 2:
            raise SystemExit(f"costs answered without figures: {answer.strip()!r}")
        print(f"{'command':<10}{'median s':>10}{'max s':>8}{'CPU s':>8}{'RSS MB':>8}"
              "   heaviest imports (s)")
        for name, args in COMMANDS.items():
            _run(args, env)  # the first run warms the OS file cache, as any second call would
            timings = [_run(args, env) for _ in range(runs)]
            walls = [wall for wall, _, _ in timings]
            cpu = statistics.median(cpu for _, cpu, _ in timings)
            print(f"{name:<10}{statistics.median(walls):>10.2f}{max(walls):>8.2f}{cpu:>8.2f}"
                  f"{max(rss for _, _, rss in timings):>8.0f}   {_heaviest_imports(args, env)}")
    print("target: each command ≤ 1 s (median), this 2-core machine")


if __name__ == "__main__":
    main()
