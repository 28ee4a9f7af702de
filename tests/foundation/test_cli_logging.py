"""The terminal shows what a command says, not internal log lines: at the default level an
INFO line of a core module (such as the importer's "row-by-row import (...)") stays out, a
WARNING still shows, and `-v` shows everything. Run as a real process: logging is global."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import logging, sys
from bot.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
finally:
    logging.getLogger("core.services.focus_import").info("connection 1: row-by-row import (x)")
    logging.getLogger("core.services.sync.run").warning("sync of connection 1 failed")
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin",
           "INFRAZEN_SECRET_KEY": "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="}
    return subprocess.run([sys.executable, "-c", SCRIPT, *args, "--lang", "en", "parse",
                           "spend last week"], capture_output=True, text=True, timeout=120,
                          check=True, env=env, cwd=Path(__file__).parents[2])


def test_default_level_hides_internal_info_and_verbose_shows_it(tmp_path: Path) -> None:
    quiet = _run(tmp_path)
    assert '"intent": "spend"' in quiet.stdout
    assert "row-by-row import" not in quiet.stdout + quiet.stderr
    assert "sync of connection 1 failed" in quiet.stderr
    loud = _run(tmp_path, "-v")
    assert "INFO core.services.focus_import: connection 1: row-by-row import (x)" in loud.stderr
