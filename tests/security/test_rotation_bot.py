"""A rotation while the bot runs: the /connect wizard's secret (a vault token in FSM storage)
and stored credentials stay readable, and the bot follows the new key without a restart.

The bot is the production dispatcher over the fake Bot API with a vault built from a key file,
as in production; the rotation is the real `infrazen rotate-key` in a subprocess on the same
SQLite database and key file.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.models import Connection
from core.domain.roles import Role
from core.security.vault import Vault, load_or_create_key, read_key_file
from core.services.orgs import create_org, ensure_user, set_membership
from core.services.sync.run import run_sync
from core.services.users import set_active_org
from core.tasks import default_tasks
from tests.bot.harness import BotHarness, ChatClient, running_bot
from tests.bot_ask.fake_cloud import GOOD_KEY

INFRAZEN = str(Path(sys.executable).with_name("infrazen"))


def _rotate(engine: AsyncEngine) -> None:
    """`infrazen rotate-key` on the bot's database, as an operator would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFRAZEN_")}
    env["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    done = subprocess.run([INFRAZEN, "rotate-key"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture
async def bot(sqlite_engine: AsyncEngine, tmp_path: Path,
              cloud: str) -> AsyncIterator[tuple[BotHarness, Path]]:
    key_file = tmp_path / "infrazen.key"  # beside the test database, where the CLI looks
    load_or_create_key(key_file)
    async with running_bot(sqlite_engine, Vault.from_key_file(key_file),
                           throttle=(1000, 1)) as hb:
        async with hb.ctx.session() as s:
            org = await create_org(s, "ООО Тест")
            user = await ensure_user(s, 4001, full_name="Admin")
            await set_membership(s, org.id, user.id, Role.OWNER)
            await set_active_org(s, user.id, org.id)
        try:
            yield hb, key_file
        finally:
            await default_tasks().wait_all()


async def _start_wizard(admin: ChatClient) -> None:
    await admin.send("/connect")
    await admin.click("Test Cloud")
    await admin.send("ops")
    await admin.send(GOOD_KEY)  # now a vault token in FSM storage, under the old key


async def test_wizard_secret_survives_a_rotation_and_a_restart(
        bot: tuple[BotHarness, Path]) -> None:
    hb, key_file = bot
    old = read_key_file(key_file)[0]
    admin = hb.client(4001)
    await _start_wizard(admin)

    await asyncio.to_thread(_rotate, hb.ctx.engine)
    new = read_key_file(key_file)[0]
    assert new != old
    # A restarted bot builds its vault from the file again; FSM data outlives it (Redis).
    hb.ctx.vault = Vault.from_key_file(key_file)

    await admin.click("Назвать «Test Cloud»")
    assert any("Подключено" in t for t in admin.texts())
    async with hb.ctx.session() as s:
        conn = (await s.execute(select(Connection))).scalar_one()
    assert Vault([new]).decrypt(conn.credentials)["api_key"] == GOOD_KEY  # the new primary


async def test_running_bot_reads_credentials_re_encrypted_under_a_new_key(
        bot: tuple[BotHarness, Path]) -> None:
    hb, key_file = bot
    admin = hb.client(4001)
    await _start_wizard(admin)
    await admin.click("Назвать «Test Cloud»")
    assert any("Подключено" in t for t in admin.texts())
    await default_tasks().wait_all()  # the first sync
    async with hb.ctx.session() as s:
        conn_id = (await s.execute(select(Connection.id))).scalar_one()

    await asyncio.to_thread(_rotate, hb.ctx.engine)
    new = read_key_file(key_file)[0]
    async with hb.ctx.session() as s:
        token = (await s.execute(select(Connection.credentials))).scalar_one()
    assert Vault([new]).decrypt(token)["api_key"] == GOOD_KEY

    # no restart, no reload by hand: the bot's vault notices the new file on its own
    result = await run_sync(hb.ctx, conn_id)
    assert result.status == "success", result
    assert hb.ctx.vault.primary == new
