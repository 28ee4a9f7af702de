"""Credentials are never logged, echoed or stored in clear: the CLI (`connection add -v`) and the
bot's /connect wizard run end to end against a loopback provider with every logger at DEBUG,
then the secrets are searched for in the log records, the Bot API calls and the database file.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.cli import cli
from connectors.http import redact
from core.db.models import Connection
from core.domain.roles import Role
from core.services.orgs import create_org, ensure_user, set_membership
from core.services.users import set_active_org
from tests.bot.harness import BotHarness
from tests.bot_ask.fake_cloud import GOOD_KEY

WRONG_SECRET = "sk-wrong-5ec7e7-only-in-this-test"
KEY = "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="
LOUD = ("", "httpx", "httpcore", "aiohttp", "aiogram", "connectors", "core", "bot", "sqlalchemy")


def _loud(caplog: pytest.LogCaptureFixture) -> None:
    """Every logger we or our libraries use at DEBUG (the worst an operator can configure)."""
    known = [n for n, lg in logging.root.manager.loggerDict.items()
             if isinstance(lg, logging.Logger)]
    for name in {*LOUD, *known}:
        caplog.set_level(logging.DEBUG, logger=name or None)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """All records rendered as a handler would (message with args, exception, stack)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records)


def _db_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def _cli(*args: str, input: str | None = None) -> Result:
    """CliRunner in a thread: the command runs its own loop while the fake serves on ours."""
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), input=input)


async def test_cli_connection_add_never_logs_or_prints_the_secret(
        cloud: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "infrazen.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", KEY)
    _loud(caplog)
    assert (await _cli("org", "create", "--name", "Acme")).exit_code == 0

    wrong = await _cli("-v", "connection", "add", "--org", "acme", "--kind", "testcloud",
                       "--name", "Test", "--credentials", "-",
                       input=json.dumps({"login": "ops", "api_key": WRONG_SECRET}))
    assert wrong.exit_code == 2, wrong.output
    assert "bad_credentials" in wrong.output
    right = await _cli("-v", "connection", "add", "--org", "acme", "--kind", "testcloud",
                       "--name", "Test", "--credentials", "-",
                       input=json.dumps({"login": "ops", "api_key": GOOD_KEY}))
    assert right.exit_code == 0, right.output
    synced = await _cli("-v", "sync")
    assert synced.exit_code == 0, synced.output

    # -v means DEBUG for us, never for the HTTP libraries (their debug output has URLs/headers)
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    logged = _logged(caplog)
    assert "connectors" in logged  # the provider calls were logged at DEBUG, redacted
    for secret in (WRONG_SECRET, GOOD_KEY):
        assert secret not in logged
        assert secret not in wrong.output + right.output + synced.output
        assert secret.encode() not in _db_bytes(db)


async def test_bot_connect_wizard_never_logs_or_sends_the_secret(
        hb: BotHarness, cloud: str, caplog: pytest.LogCaptureFixture) -> None:
    async with hb.ctx.session() as s:
        org = await create_org(s, "ООО Тест")
        user = await ensure_user(s, 4001, full_name="Admin")
        await set_membership(s, org.id, user.id, Role.OWNER)
        await set_active_org(s, user.id, org.id)
    _loud(caplog)
    admin = hb.client(4001)
    await admin.send("/connect")
    await admin.click("Test Cloud")
    await admin.send("ops")
    await admin.send(WRONG_SECRET)
    await admin.click("Назвать «Test Cloud»")
    assert "Провайдер отклонил учётные данные" in admin.last_reply().text
    await admin.click("✏️ Исправить: API-ключ")
    await admin.send(GOOD_KEY)
    assert any("Подключено" in t for t in admin.texts())
    async with hb.ctx.session() as s:
        conn = (await s.execute(select(Connection))).scalar_one()
        assert hb.ctx.vault.decrypt(conn.credentials)["api_key"] == GOOD_KEY

    logged = _logged(caplog)
    assert "aiogram" in logged  # updates were logged at DEBUG
    sent = json.dumps([c.params for c in hb.fake.calls], ensure_ascii=False)
    for secret in (WRONG_SECRET, GOOD_KEY):
        # the user's own messages are in the updates we fed, not in anything the bot sent
        assert secret not in sent
        assert secret not in logged
        assert secret.encode() not in _db_bytes(Path(str(hb.ctx.engine.url.database)))


@pytest.mark.parametrize(("url", "hidden", "kept"), [
    ("https://api.example/v1?login=ops&passwd=p4ss&output_format=json", ["p4ss"],
     ["login=ops", "output_format=json"]),
    ("https://api.example/v1?access_token=t0k&page=2", ["t0k"], ["page=2"]),
    ("https://api.example/v1?api_key=k3y&X-Auth-Token=t2&secret=s3", ["k3y", "t2", "s3"], []),
    ("https://api.example/v1?client_secret=abc&code=c0de", ["abc", "c0de"], []),
])
def test_redact_hides_secret_query_values(url: str, hidden: list[str], kept: list[str]) -> None:
    safe = redact(url)
    for value in hidden:
        assert value not in safe
    for part in kept:
        assert part in safe
    assert safe.startswith("https://api.example/v1?")
