"""A throwaway Redis for the FSM tests: `redis-server` on a free loopback port, no persistence.

`INFRAZEN_TEST_REDIS_URL` points the tests at an existing server instead. Without either, the
Redis tests are skipped on a laptop, but under CI=true that is a failure (`.ci/run` installs
the `redis-server` Debian package).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

__all__ = ["RedisServer", "start_redis"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_redis() -> RedisServer:
    """Start a private server; raises RuntimeError saying what is missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found; install the `redis-server` Debian package")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return RedisServer(f"redis://127.0.0.1:{port}/0", process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"redis-server did not answer on port {port}")
