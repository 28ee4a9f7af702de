"""`infrazen run` without a token, and `infrazen chat` driving the real dispatcher."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import cli
from bot.cli.terminal_chat import chat_loop
from bot.composition import open_app
from core.db.models import Organization
from core.security.vault import Vault
from core.settings import load_settings
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_server import run_fake


def test_run_without_a_token_says_how_to_get_one(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "BOT_TOKEN" in lines[0]
    assert "@BotFather" in lines[0]
    assert not (tmp_path / "x.db").exists()  # nothing touched before the token check


def test_run_with_an_unreachable_api_server_says_so_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC-not-a-real-token")
    monkeypatch.setenv("TELEGRAM_API_SERVER", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    result = CliRunner().invoke(cli, ["--lang", "en", "run"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"Cannot reach the Telegram Bot API at http://127.0.0.1:{port}")
    assert "123456:ABC" not in result.stderr  # the token is never printed


@contextmanager
def fake_in_a_thread(fake: FakeBotApi) -> Iterator[str]:
    """Serve the fake from its own loop in a thread, for CLI commands that run `asyncio.run`."""
    loop = asyncio.new_event_loop()
    ready: Future[str] = Future()
    stop = asyncio.Event()

    async def serve() -> None:
        async with run_fake(fake.app) as url:
            ready.set_result(url)
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=10)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()


def test_run_with_a_rejected_token_says_so_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_in_a_thread(FakeBotApi(token="999:the-real-one")) as url:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("BOT_TOKEN", "123456:ABC-revoked")
        monkeypatch.setenv("TELEGRAM_API_SERVER", url)
        monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
        monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
        result = CliRunner().invoke(cli, ["--lang", "en", "run"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["BOT_TOKEN was rejected by Telegram (401 Unauthorized): copy it again "
                     "from @BotFather (/mybots → API Token)"]


def _script(lines: list[str]) -> Callable[[], Awaitable[str | None]]:
    pending = list(lines)

    async def read() -> str | None:
        return pending.pop(0) if pending else None

    return read


async def test_terminal_chat_numbers_buttons_and_creates_an_org(
        bot_engine: AsyncEngine, vault: Vault, tmp_path: Path) -> None:
    out: list[str] = []
    settings = load_settings()
    async with open_app(settings, migrate=False, engine=bot_engine, vault=vault) as ctx:
        await chat_loop(ctx, _script(["/start", "1", "1", "Терминал", "1", "1", "/quit",
                                      "never read"]), out.append, files_dir=tmp_path)
        async with ctx.session() as s:
            names = (await s.execute(select(Organization.name))).scalars().all()
    assert names == ["Терминал"]
    assert "  1) 🇷🇺 Русский" in out
    assert any("Организация «Терминал» создана" in line for line in out)
