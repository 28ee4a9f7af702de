"""Questions over the demo organisation, end to end through the fake Bot API."""

from __future__ import annotations

from tests.bot.harness import BotHarness


async def _viewer(hd: BotHarness, user_id: int = 2001, lang: str = "ru"):
    client = hd.client(user_id, language_code=lang)
    await client.send("/demo")
    return client


async def test_spend_command_answers_with_totals_and_a_chart_button(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    reply = (await alice.send("/spend"))[-1]
    assert "Расходы за 1 ноября 2026 — 21 ноября 2026" in reply.text
    assert "₽" in reply.text
    assert "📊 График" in reply.button_texts()
    photos = await alice.click("📊 График")
    assert [r.method for r in photos] == ["sendPhoto"]
    assert "Расходы по провайдерам" in photos[0].params.get("caption", "")


async def test_menu_buttons_answer_every_question(hd: BotHarness) -> None:
    bob = await _viewer(hd, 2002, "en")
    menu = (await bob.send("/menu"))[-1]
    assert "Main menu" in menu.text
    assert "🔌 Connections" in menu.button_texts()
    assert "➕ Connect a cloud" not in menu.button_texts()  # a demo viewer cannot connect
    expected = {"💰 Spend": "Spend for", "🏆 Top resources": "Most expensive resources",
                "📈 Trend": "Spend trend", "🔮 Forecast": "Forecast for November 2026",
                "🎯 Budgets": "Budgets for", "🖥 Resources": "Resources",
                "💡 Recommendations": "Recommendations", "⚠️ Anomalies": "nomal"}
    for button, text in expected.items():
        replies = await bob.click(button)
        assert text in replies[0].text, (button, replies[0].text)
    connections = await bob.click("🔌 Connections")
    assert "Selectel BU-A" in connections[0].text


async def test_forecast_and_budget_come_with_charts(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    forecast = await alice.send("/forecast")
    assert [r.method for r in forecast] == ["sendMessage", "sendPhoto"]
    assert "Прогноз на ноябрь 2026" in forecast[0].text
    budget = await alice.send("/budget")
    assert [r.method for r in budget] == ["sendMessage", "sendPhoto"]
    assert "Облако — всего" in budget[0].text


async def test_resources_are_paginated_by_editing_the_list(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    first = (await alice.send("/resources"))[-1]
    assert "Страница 1 из 5" in first.text
    nxt = await alice.click("Вперёд ▶️")
    assert nxt[0].method == "editMessageText"
    assert "Страница 2 из 5" in nxt[0].text
    back = await alice.click("◀️ Назад")
    assert "Страница 1 из 5" in back[0].text
