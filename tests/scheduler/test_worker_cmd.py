"""`infrazen worker` starts the scheduler alone, says what runs, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path


async def test_worker_starts_without_a_token_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "infrazen"), "--lang", "en", "worker", cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    lines: list[str] = []
    while not any("jobs" in line for line in lines):
        line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
        assert line, f"worker exited early: {lines}"
        lines.append(line)
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 30) == 0
    text = "".join(lines)
    assert "messages wait in the outbox" in text
    jobs = text.split("jobs", 1)[1]
    for job in ("sync", "alerts", "digests", "briefs", "retention"):
        assert job in jobs
    assert "outbox" not in jobs
