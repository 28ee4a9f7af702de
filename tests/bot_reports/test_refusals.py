"""Tampered buttons and an organisation without data: clear answers, never a document."""

from __future__ import annotations

import pytest

from core.domain.roles import Role
from tests.bot.harness import BotHarness
from tests.bot.seed import org_with
from tests.bot_reports.helpers import demo_user, documents

NOT_UNDERSTOOD = "Не понял эту кнопку"


@pytest.mark.parametrize("data", [
    "rep:zz",          # an unknown period key
    "rep:2019-01",     # a period the buttons never offer
    "rep:lm:extra",    # more fields than the button has
    "exp:pdf",         # an unknown format
    "exp:focus:1999",  # a known format, an unknown period
    "exp:",            # nothing at all
])
async def test_tampered_buttons_are_not_understood(hd: BotHarness, data: str) -> None:
    erin = await demo_user(hd, 2201, role=Role.ADMIN)
    await erin.send("/report")
    await erin.click_data(data)
    assert any(NOT_UNDERSTOOD in alert for alert in erin.alerts())
    assert documents(hd, 2201) == []


async def test_an_org_without_data_is_told_to_connect_a_provider(hd: BotHarness) -> None:
    await org_with(hd, "Пустая", (2202, Role.OWNER))
    owner = hd.client(2202)
    for command in ("/report", "/export"):
        reply = (await owner.send(command))[-1]
        assert "Данных о расходах пока нет" in reply.text
        assert "/connect" in reply.text
        assert reply.buttons == []
    await owner.click_data("rep:lm")  # a button kept from another organisation's chat
    said = owner.replies()[-1]
    assert said.method == "editMessageText"
    assert "За период «октябрь 2026» расходов нет" in said.text
    assert documents(hd, 2202) == []


async def test_no_organisation_at_all_is_sent_to_start(hd: BotHarness) -> None:
    stranger = hd.client(2203)
    await stranger.send("/start")
    reply = (await stranger.send("/report"))[-1]
    assert "/start" in reply.text
    assert documents(hd, 2203) == []
