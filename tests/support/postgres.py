"""A throwaway PostgreSQL for the test run: initdb in a temp folder, a free loopback port.

`INFRAZEN_TEST_PG_URL` points the tests at an existing server instead. When neither is
possible the PostgreSQL half is skipped on a laptop, but under CI=true that is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresServer", "find_pg_bin", "start_postgres"]


def find_pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    url: str
    data_dir: Path
    bin_dir: Path
    run_as: list[str]

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir),
                        "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Start a private server; raises RuntimeError saying what is missing."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries (initdb) not found; "
                           "install the `postgresql` Debian package")
    run_as: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="infrazen-pg-"))
    if os.geteuid() == 0:
        # initdb refuses to run as root: run the server as the `postgres` system user.
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    data = root / "data"
    port = _free_port()
    subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "infrazen",
                    "--auth=trust", "-E", "UTF8", "--locale=C"],
                   check=True, capture_output=True)
    subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-t", "60",
                    "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                    "-l", str(root / "log"), "start"], check=True, capture_output=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready = subprocess.run([str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                               capture_output=True, check=False)
        if ready.returncode == 0:
            break
        time.sleep(0.2)
    subprocess.run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U",
                    "infrazen", "infrazen"], check=True, capture_output=True)
    return PostgresServer(f"postgresql+asyncpg://infrazen@127.0.0.1:{port}/infrazen",
                          data, bin_dir, run_as)
