"""The /connect wizard and /connections against a loopback fake provider, through the fake
Bot API: wrong credentials first, then right ones; the secret never stays anywhere in clear."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text

from connectors.registry import KINDS, connector_class
from core.db.models import Connection, CostLine, Organization, Recommendation
from core.domain.roles import Role
from core.services.orgs import create_org, ensure_user, set_membership
from core.services.users import set_active_org
from core.tasks import default_tasks
from tests.bot.harness import BotHarness
from tests.bot_ask.fake_cloud import GOOD_KEY, FakeCloudConnector, fake_provider
from tests.support.fake_server import run_fake

WRONG_KEY = "sk-wrong-0000000000"


@pytest.fixture
async def cloud(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """Registers `testcloud` and serves its fake provider on loopback."""
    async with run_fake(fake_provider()) as url:
        monkeypatch.setitem(KINDS, "testcloud", "tests.bot_ask.fake_cloud:FakeCloudConnector")
        monkeypatch.setattr(FakeCloudConnector, "default_endpoint", url)
        connector_class.cache_clear()
        yield url
    connector_class.cache_clear()


async def _member(hd: BotHarness, telegram_id: int, role: Role, org_name: str = "ООО Тест") -> int:
    async with hd.ctx.session() as s:
        org = (await s.execute(select(Organization).where(
            Organization.name == org_name))).scalar_one_or_none()
        org_id = org.id if org else (await create_org(s, org_name)).id
        user = await ensure_user(s, telegram_id, full_name=f"U{telegram_id}")
        await set_membership(s, org_id, user.id, role)
        await set_active_org(s, user.id, org_id)
    return org_id


def _next_message_id(hd: BotHarness) -> int:
    """The message id the next `send` will carry (the harness counts ids)."""
    nxt = next(hd._ids)
    hd._ids = itertools.count(nxt)
    return nxt


def _storage_dump(hd: BotHarness) -> str:
    return repr(hd.dp.storage.storage)  # type: ignore[attr-defined]


def _db_bytes(hd: BotHarness) -> bytes:
    path = Path(str(hd.ctx.engine.url.database))
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal"))
                    if p.exists())


async def test_connect_wrong_key_then_right_key(hd: BotHarness, cloud: str) -> None:
    await _member(hd, 3001, Role.OWNER)
    admin = hd.client(3001)
    start = (await admin.send("/connect"))[-1]
    assert "Test Cloud" in start.button_texts()
    assert "Шаг 1 из 2. Введите <b>логин</b>" in (await admin.click("Test Cloud"))[-1].text
    secret_step = (await admin.send("tester"))[-1]
    assert "API-ключ" in secret_step.text
    assert "удалю ваше сообщение" in secret_step.text

    wrong_id = _next_message_id(hd)
    replies = await admin.send(WRONG_KEY)
    assert wrong_id in admin.deleted()
    assert "Сообщение с секретом удалено" in replies[0].text
    assert WRONG_KEY not in _storage_dump(hd)  # only the vault token sits in FSM data
    await admin.click("Назвать «Test Cloud»")
    failed = admin.last_reply()
    assert "Не удалось подключиться к Test Cloud" in failed.text
    assert "Провайдер отклонил учётные данные" in failed.text
    assert "🔁 Повторить проверку" in failed.button_texts()
    assert "✏️ Исправить: API-ключ" in failed.button_texts()
    assert any(c.method == "sendChatAction" and c.params.get("action") == "typing"
               for c in hd.fake.calls)
    async with hd.ctx.session() as s:
        assert (await s.execute(select(Connection).where(
            Connection.kind == "testcloud"))).first() is None

    await admin.click("✏️ Исправить: API-ключ")
    right_id = _next_message_id(hd)
    await admin.send(GOOD_KEY)
    assert right_id in admin.deleted()
    texts = admin.texts()
    assert any("✅ Подключено: <b>Test Cloud</b>" in t for t in texts)
    progress = admin.last_reply()
    assert "Первая синхронизация" in progress.text
    await default_tasks().wait_all()
    edited = [c for c in hd.fake.calls if c.method == "editMessageText"
              and int(c.params.get("message_id", 0)) == progress.message_id]
    assert edited
    assert "Синхронизация «Test Cloud» завершена" in edited[-1].text

    async with hd.ctx.session() as s:
        conn = (await s.execute(select(Connection).where(
            Connection.kind == "testcloud"))).scalar_one()
        assert hd.ctx.vault.decrypt(conn.credentials)["api_key"] == GOOD_KEY
        lines = (await s.execute(select(CostLine).where(
            CostLine.connection_id == conn.id))).scalars().all()
        assert len(lines) == 3
        audit_rows = (await s.execute(text("select details from audit_log"))).all()
    sent = json.dumps([c.params for c in hd.fake.calls], ensure_ascii=False)
    for key in (GOOD_KEY, WRONG_KEY):
        assert key not in sent
        assert key.encode() not in _db_bytes(hd)
        assert key not in _storage_dump(hd)
        assert all(key not in str(row) for row in audit_rows)


async def test_viewer_cannot_delete_a_connection(hd: BotHarness, cloud: str) -> None:
    org_id = await _member(hd, 3101, Role.VIEWER, "ООО Смотрим")
    async with hd.ctx.session() as s:
        conn = Connection(org_id=org_id, kind="testcloud", name="Прод", status="active",
                          credentials=hd.ctx.vault.encrypt({"login": "x", "api_key": "y"}))
        s.add(conn)
        await s.flush()
        conn_id = conn.id
    viewer = hd.client(3101)
    listing = (await viewer.send("/connections"))[-1]
    assert "Прод" in listing.text
    await viewer.click("Прод")
    await viewer.click("🗑 Удалить")
    assert any("Недостаточно прав" in a for a in viewer.alerts())
    await viewer.click_data(f"conn:del_yes:{conn_id}:0")
    assert any("Недостаточно прав" in a for a in viewer.alerts())
    async with hd.ctx.session() as s:
        assert await s.get(Connection, conn_id) is not None


async def test_tampered_callback_for_another_orgs_connection(hd: BotHarness, cloud: str
                                                             ) -> None:
    victim_org = await _member(hd, 3201, Role.OWNER, "ООО Жертва")
    await _member(hd, 3202, Role.OWNER, "ООО Взломщик")
    async with hd.ctx.session() as s:
        conn = Connection(org_id=victim_org, kind="testcloud", name="Секретный прод",
                          status="active", credentials=hd.ctx.vault.encrypt({"api_key": "z"}))
        s.add(conn)
        await s.flush()
        conn_id = conn.id
    attacker = hd.client(3202)
    await attacker.send("/connections")
    for data in (f"conn:open:{conn_id}:0", f"conn:del_yes:{conn_id}:0",
                 f"conn:rename:{conn_id}:0", f"conn:sync:{conn_id}:0", f"imp:{conn_id}"):
        replies = await attacker.click_data(data)
        alerts = attacker.alerts()
        assert any("Не найдено" in a for a in alerts), (data, alerts)
        assert all("Секретный прод" not in r.text for r in replies)
    async with hd.ctx.session() as s:
        row = await s.get(Connection, conn_id)
        assert row is not None
        assert row.name == "Секретный прод"
        assert row.status == "active"


GOOD_CSV = (b"date,service,resource,cost\n2026-11-01,Compute,vm-1,100\n"
            b"2026-11-02,Compute,vm-1,110\n")
BAD_CSV = ("date,service,resource,cost\n2026-11-01,Compute,vm-1,90\n"
           "2026-11-02,Compute,vm-1,сто рублей\n").encode()


async def test_document_import_and_a_malformed_file(hd: BotHarness) -> None:
    org_id = await _member(hd, 3301, Role.ADMIN, "ООО Файлы")
    async with hd.ctx.session() as s:
        conn = Connection(org_id=org_id, kind="manual_csv", name="Ручной учёт", status="active",
                          credentials=hd.ctx.vault.encrypt({}))
        s.add(conn)
        await s.flush()
        conn_id = conn.id
    admin = hd.client(3301)
    assert "Импортирую «costs.csv»" in (await admin.send_document("costs.csv", GOOD_CSV))[-1].text
    await default_tasks().wait_all()  # the import runs in the background
    assert "Импорт «costs.csv» в «Ручной учёт»: строк 2" in admin.last_reply().text
    await admin.send_document("bad.csv", BAD_CSV)
    await default_tasks().wait_all()
    reply = admin.last_reply().text
    assert "строка 3" in reply
    assert "столбец «cost»" in reply
    assert "Ничего не изменено" in reply
    async with hd.ctx.session() as s:
        costs = sorted(c.billed_cost for c in (await s.execute(select(CostLine).where(
            CostLine.connection_id == conn_id))).scalars())
    assert costs == [100, 110]  # the good import survives the bad one untouched


async def test_admin_manages_a_connection_from_its_card(hd: BotHarness, cloud: str) -> None:
    org_id = await _member(hd, 3401, Role.ADMIN, "ООО Управляем")
    async with hd.ctx.session() as s:
        conn = Connection(org_id=org_id, kind="testcloud", name="Стенд", status="active",
                          credentials=hd.ctx.vault.encrypt({"login": "x", "api_key": GOOD_KEY}))
        s.add(conn)
        await s.flush()
        conn_id = conn.id
    admin = hd.client(3401, language_code="en")
    listing = (await admin.send("/connections"))[-1]
    assert "Стенд" in listing.text
    assert "Test Cloud" in listing.text
    card = (await admin.click("Стенд"))[-1]
    assert {"🔄 Sync now", "✏️ Rename", "⏱ Interval", "⏸ Pause", "🗑 Delete"} <= set(
        card.button_texts())
    await admin.click("✏️ Rename")
    assert "Renamed: “Стенд-2”" in (await admin.send("Стенд-2"))[-1].text
    await admin.click("⏱ Interval")
    assert "every 12 h" in (await admin.click("every 12 h"))[-1].text
    await admin.click("⏸ Pause")
    async with hd.ctx.session() as s:
        row = await s.get(Connection, conn_id)
        assert row is not None
        assert (row.name, row.sync_interval_minutes, row.status) == ("Стенд-2", 720, "paused")
    await admin.click_data(f"conn:resume:{conn_id}:0")
    await admin.click_data(f"conn:sync:{conn_id}:0")
    progress = admin.last_reply()
    await default_tasks().wait_all()
    edits = [c for c in hd.fake.calls if c.method == "editMessageText"
             and int(c.params.get("message_id", 0)) == progress.message_id]
    assert "Sync of “Стенд-2” finished" in edits[-1].text
    await admin.click_data(f"conn:delete:{conn_id}:0")
    assert "cannot be undone" in admin.last_reply().text
    await admin.click("Yes, delete")
    assert "deleted" in admin.last_reply().text
    async with hd.ctx.session() as s:
        assert await s.get(Connection, conn_id) is None


async def test_member_accepts_and_snoozes_recommendations(hd: BotHarness) -> None:
    org_id = await _member(hd, 3501, Role.MEMBER, "ООО Экономим")
    async with hd.ctx.session() as s:
        recs = [Recommendation(org_id=org_id, dedup_key=f"idle:vm-{i}", kind="idle",
                               title=f"idle: vm-{i}", params={"resource": f"vm-{i}"},
                               monthly_saving=Decimal(1000 * (3 - i)), status="new")
                for i in range(2)]
        s.add_all(recs)
        await s.flush()
        ids = [r.id for r in recs]
    member = hd.client(3501)
    listing = (await member.send("/recs"))[-1]
    assert "Рекомендации</b>: 2" in listing.text
    assert "Простаивающий ресурс" in listing.text
    await member.click("✅ 1")
    assert any("Принято" in a for a in member.alerts())
    await member.click("💤 2")  # snoozing asks why first (a preset reason or free text)
    assert "Почему отложить" in member.last_reply().text
    await member.click("Запланировано")
    assert "Отложено на 30 дней" in member.last_reply().text
    async with hd.ctx.session() as s:
        statuses = [(await s.get(Recommendation, i)).status for i in ids]  # type: ignore[union-attr]
    assert statuses == ["accepted", "snoozed"]


async def test_cancel_forgets_the_wizard(hd: BotHarness, cloud: str) -> None:
    await _member(hd, 3601, Role.OWNER, "ООО Отмена")
    admin = hd.client(3601)
    await admin.send("/connect")
    await admin.click("Test Cloud")
    await admin.send("tester")
    await admin.send(WRONG_KEY)
    assert "отменено" in (await admin.send("/cancel"))[-1].text
    assert WRONG_KEY not in _storage_dump(hd)
    assert "Нечего отменять" in (await admin.send("/cancel"))[-1].text


async def test_a_focus_export_sent_as_a_document_imports_to_the_cent(hd: BotHarness) -> None:
    """The official FOCUS sample, sent to the bot: the stored total equals the file's own sum
    to the cent (money is kept to 6 decimal places; the file has up to 11)."""
    import csv
    import io

    from tests.conftest import FOCUS_DIR

    raw = (FOCUS_DIR / "official-1.0" / "focus_sample.csv").read_bytes()
    expected: dict[str, Decimal] = {}
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))):
        expected[row["BillingCurrency"]] = (expected.get(row["BillingCurrency"], Decimal(0))
                                            + Decimal(row["BilledCost"] or "0"))
    org_id = await _member(hd, 3401, Role.ADMIN, "ООО Мультиоблако")
    async with hd.ctx.session() as s:
        conn = Connection(org_id=org_id, kind="focus", name="AWS CUR", status="active",
                          credentials=hd.ctx.vault.encrypt({}))
        s.add(conn)
        await s.flush()
        conn_id = conn.id
    admin = hd.client(3401)
    await admin.send_document("focus_sample.csv", raw)
    await default_tasks().wait_all()  # the import runs in the background
    assert "Импорт «focus_sample.csv» в «AWS CUR»" in admin.last_reply().text
    assert ("Прочитано как FOCUS 1.0: UTF-8, разделитель «,», десятичная точка."
            in admin.last_reply().text)  # how the file was read, said in the outcome
    async with hd.ctx.session() as s:
        rows = (await s.execute(select(CostLine.billing_currency, CostLine.billed_cost).where(
            CostLine.connection_id == conn_id))).all()
    stored: dict[str, Decimal] = {}
    for currency, amount in rows:
        stored[currency] = stored.get(currency, Decimal(0)) + amount
    cent = Decimal("0.01")
    assert {k: v.quantize(cent) for k, v in stored.items()} == {
        k: v.quantize(cent) for k, v in expected.items() if v}
