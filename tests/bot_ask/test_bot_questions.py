"""Questions over the demo organisation, end to end through the fake Bot API."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.db.models import Resource
from core.services import costs
from core.services.costs import CostFilters
from core.tasks import default_tasks
from renderers.format import fmt_money
from tests.bot.harness import BotHarness, ChatClient
from tests.bot_ask.conftest import Demo


async def _settled(client: ChatClient) -> list[str]:
    """Methods of everything the last action produced, charts drawn in the background included."""
    await default_tasks().wait_all()
    return [r.method for r in client.replies()]


async def _viewer(hd: BotHarness, user_id: int = 2001, lang: str = "ru") -> ChatClient:
    client = hd.client(user_id, language_code=lang)
    await client.send("/demo")
    return client


async def test_spend_command_answers_with_totals_and_a_chart_button(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    reply = (await alice.send("/spend"))[-1]
    assert "Расходы за 1–21 ноября 2026" in reply.text
    assert "₽" in reply.text
    assert "📊 График" in reply.button_texts()
    await alice.click("📊 График")
    assert await _settled(alice) == ["sendPhoto"]
    assert "Расходы по провайдерам" in alice.replies()[0].params.get("caption", "")


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
        await default_tasks().wait_all()
    connections = await bob.click("🔌 Connections")
    assert "Selectel BU-A" in connections[0].text


async def test_forecast_and_budget_come_with_charts(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    forecast = await alice.send("/forecast")
    assert "Прогноз на ноябрь 2026" in forecast[0].text
    assert await _settled(alice) == ["sendMessage", "sendPhoto"]
    budget = await alice.send("/budget")
    assert "Облако — всего" in budget[0].text
    assert await _settled(alice) == ["sendMessage", "sendPhoto"]


async def test_resources_are_paginated_by_editing_the_list(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    first = (await alice.send("/resources"))[-1]
    assert "Страница 1 из 5" in first.text
    nxt = await alice.click("Вперёд ▶️")
    assert nxt[0].method == "editMessageText"
    assert "Страница 2 из 5" in nxt[0].text
    back = await alice.click("◀️ Назад")
    assert "Страница 1 из 5" in back[0].text


async def test_free_text_questions_in_both_languages(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    reply = (await alice.send("сколько потратили на Selectel в октябре?"))[-1]
    assert "Расходы за октябрь 2026" in reply.text
    assert "провайдер selectel" in reply.text
    assert "Beget" not in reply.text
    bob = await _viewer(hd, 2003, "en")
    trend = await bob.send("show the spend trend for the last 30 days")
    assert "Spend trend" in trend[0].text
    assert await _settled(bob) == ["sendMessage", "sendPhoto"]
    top = (await bob.send("top 3 most expensive resources last month"))[-1]
    assert "Most expensive resources, October 2026" in top.text
    assert "3. " in top.text
    assert "4. " not in top.text


async def test_a_russian_project_is_answered_with_its_own_spend(hd: BotHarness,
                                                              demo: Demo) -> None:
    """The demo's project renamed "Маркетинг": asked in lower case, the answer is that
    project's spend (before, SQL lower() left the capital М and the answer said 0 ₽)."""
    async with demo.sessions() as s:
        for resource in (await s.execute(select(Resource).where(
                Resource.org_id == demo.org_id, Resource.project == "core-api"))).scalars():
            resource.project = "Маркетинг"
        await s.commit()
        spent = await costs.total(s, demo.org_id, date(2026, 10, 1), date(2026, 10, 31),
                                  CostFilters(projects=("Маркетинг",)))
        whole = await costs.total(s, demo.org_id, date(2026, 10, 1), date(2026, 10, 31))
    assert 0 < spent < whole
    alice = await _viewer(hd)
    reply = (await alice.send("расходы проекта маркетинг за октябрь"))[-1]
    assert "Расходы за октябрь 2026" in reply.text
    assert "Маркетинг" in reply.text
    assert fmt_money(spent, "RUB", "ru") in reply.text


async def test_not_understood_says_what_was_understood_and_offers_buttons(hd: BotHarness
                                                                          ) -> None:
    alice = await _viewer(hd)
    reply = (await alice.send("абракадабра в октябре"))[-1]
    assert "период: октябрь 2026" in reply.text
    assert "💰 Расходы" in reply.button_texts()
    answer = await alice.click("💰 Расходы")
    assert "Расходы за" in answer[0].text


async def test_recommendation_buttons_respect_roles(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    recs = (await alice.send("/recs"))[-1]
    assert "Рекомендации" in recs.text
    accept = next(b for b in recs.buttons if b["text"] == "✅ 1")
    await alice.click_data(str(accept["callback_data"]))
    assert any("демо" in a.lower() for a in alice.alerts())
    rec_id = int(str(accept["callback_data"]).rsplit(":", 1)[1])
    async with hd.ctx.session() as s:
        from core.db.models import Recommendation

        assert (await s.get(Recommendation, rec_id)).status == "new"  # type: ignore[union-attr]
