"""`infrazen run` without a token, and `infrazen chat` driving the real dispatcher."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import cli
from bot.cli.commands.chat_cmd import chat_loop
from core.app import open_app
from core.db.models import Organization
from core.security.vault import Vault
from core.settings import load_settings


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
