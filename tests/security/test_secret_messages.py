"""The message that carried a secret is deleted: for each real connector's wizard, every field
the connector's credentials model marks secret is deleted (by its own message id), and no other
field's message is. The wizard stops before testing, so no provider is contacted."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import select

from bot.features.connections.fields import fields_of
from connectors.base import secret_fields, wizard_fields
from connectors.registry import connector_class
from core.db.models import CostLine
from core.domain.roles import Role
from core.services.orgs import create_org, ensure_user, set_membership
from core.services.users import set_active_org
from tests.bot.harness import BotHarness
from tests.bot_ask.fake_cloud import GOOD_KEY


def _next_message_id(h: BotHarness) -> int:
    """The id the next `send` will carry (the harness counts ids)."""
    nxt = next(h._ids)
    h._ids = itertools.count(nxt)
    return nxt


@pytest.mark.parametrize("kind", ["beget", "yandex", "selectel", "cloudru"])
async def test_every_secret_fields_message_is_deleted(hb: BotHarness, kind: str) -> None:
    model = connector_class(kind).credentials_model
    expected_secret = set(secret_fields(model)) & set(wizard_fields(model))
    assert expected_secret, f"{kind} asks for no secret in the wizard?"
    async with hb.ctx.session() as s:
        org = await create_org(s, "ООО Тест")
        user = await ensure_user(s, 5001, full_name="Admin")
        await set_membership(s, org.id, user.id, Role.OWNER)
        await set_active_org(s, user.id, org.id)
    admin = hb.client(5001)
    await admin.send("/connect")
    await admin.click_data(f"wiz:kind:{kind}:0")
    sent_ids: dict[str, int] = {}
    values: dict[str, str] = {}
    for field in fields_of(kind):
        sent_ids[field.name] = _next_message_id(hb)
        values[field.name] = f"value-of-{field.name}-{kind}-Zq9"
        await admin.send(values[field.name])
    assert "Как назвать подключение?" in admin.last_reply().text  # every field was asked
    deleted = set(admin.deleted())
    assert {n for n, mid in sent_ids.items() if mid in deleted} == expected_secret
    notices = [t for t in (c.params.get("text") for c in hb.fake.calls) if t]
    assert sum("Сообщение с секретом удалено" in str(t) for t in notices) == len(expected_secret)
    sent = json.dumps([c.params for c in hb.fake.calls], ensure_ascii=False)
    for name in expected_secret:
        assert values[name] not in sent
    await admin.send("/cancel")


async def test_a_file_sent_at_a_secret_step_is_deleted_and_text_is_asked_for(
        hb: BotHarness) -> None:
    """Yandex's service-account key is a JSON file people tend to send as a document."""
    async with hb.ctx.session() as s:
        org = await create_org(s, "ООО Тест")
        user = await ensure_user(s, 5002, full_name="Admin")
        await set_membership(s, org.id, user.id, Role.OWNER)
        await set_active_org(s, user.id, org.id)
    admin = hb.client(5002)
    await admin.send("/connect")
    await admin.click_data("wiz:kind:yandex:0")  # the first field, the OAuth token, is secret
    doc_id = _next_message_id(hb) + 1  # send_document spends one id on the file
    replies = await admin.send_document("key.json", b'{"private_key": "-----BEGIN"}',
                                        mime_type="application/json")
    assert doc_id in admin.deleted()
    assert "Отправьте <b>OAuth-токен</b> текстом" in replies[-1].text
    token_id = _next_message_id(hb)
    await admin.send("y0_token-as-text")  # the same step, now as text
    assert admin.deleted() == [doc_id, token_id]
    async with hb.ctx.session() as s:
        assert (await s.execute(select(CostLine))).first() is None  # nothing imported


async def test_a_key_pasted_after_a_failed_test_is_deleted_and_the_buttons_offered(
        hb: BotHarness, cloud: str) -> None:
    """After "the provider rejected the credentials" people paste the right key straight away
    instead of pressing "correct"; that message carries a secret too."""
    async with hb.ctx.session() as s:
        org = await create_org(s, "ООО Тест")
        user = await ensure_user(s, 5003, full_name="Admin")
        await set_membership(s, org.id, user.id, Role.OWNER)
        await set_active_org(s, user.id, org.id)
    admin = hb.client(5003)
    await admin.send("/connect")
    await admin.click("Test Cloud")
    await admin.send("ops")
    await admin.send("sk-wrong-first-try")
    await admin.click("Назвать «Test Cloud»")
    assert "Провайдер отклонил учётные данные" in admin.last_reply().text
    pasted_id = _next_message_id(hb)
    replies = await admin.send(GOOD_KEY)
    assert pasted_id in admin.deleted()
    assert "✏️ Исправить: API-ключ" in replies[-1].button_texts()
    assert GOOD_KEY not in json.dumps([c.params for c in hb.fake.calls], ensure_ascii=False)
    await admin.click("✏️ Исправить: API-ключ")  # the wizard still works from there
    await admin.send(GOOD_KEY)
    assert any("Подключено" in t for t in admin.texts())
