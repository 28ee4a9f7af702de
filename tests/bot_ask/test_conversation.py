"""Conversation v2 through the fake Bot API: answers say what was understood, unused words are
named with buttons, non-questions are not answered, follow-ups modify the previous question
within 30 minutes, and an optional LLM (a loopback fake) reads what the rules could not."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.clock import FrozenClock
from core.db.models import Organization
from core.security.vault import Vault
from core.tasks import default_tasks
from tests.bot.harness import BotHarness, ChatClient, running_bot
from tests.bot_ask.conftest import KEY, NOW, Demo
from tests.query.fake_llm import FakeLlm
from tests.support.fake_server import run_fake


async def _viewer(hd: BotHarness, user_id: int = 2101, lang: str = "ru") -> ChatClient:
    client = hd.client(user_id, language_code=lang)
    await client.send("/demo")
    return client


async def _texts(client: ChatClient, text: str) -> list[str]:
    replies = await client.send(text)
    await default_tasks().wait_all()
    return [r.text for r in replies if r.method == "sendMessage"]


async def test_the_answer_states_period_filters_and_the_reading(hd: BotHarness) -> None:
    alice = await _viewer(hd)
    text = (await _texts(alice, "сколько потратили на Selectel в прошлую пятницу"))[0]
    assert "🔎 Понял: расходы · 13 ноября 2026 · провайдер selectel" in text
    assert "пятница прошлой недели" in text
    assert "Расходы за 13 ноября 2026" in text
    default = (await _texts(alice, "сколько потратили"))[0]
    assert "(период по умолчанию)" in default


async def test_words_not_understood_are_named_and_buttons_offered(hd: BotHarness) -> None:
    bob = await _viewer(hd, 2102, "en")
    reply = (await bob.send("spend in october abracadabra"))[0]
    assert "Words not taken into account: «abracadabra»" in reply.text
    assert "Spend for October 2026" in reply.text
    assert "📈 Trend" in reply.button_texts()


async def test_a_non_question_is_not_answered_as_spend(hd: BotHarness) -> None:
    alice = await _viewer(hd, 2103)
    reply = (await alice.send("дай денег"))[-1]
    assert "Я не понял запрос" in reply.text
    assert "Расходы за" not in reply.text
    assert "💰 Расходы" in reply.button_texts()


async def test_follow_ups_modify_the_previous_question(hd: BotHarness) -> None:
    alice = await _viewer(hd, 2104)
    first = (await _texts(alice, "сколько потратили на Selectel в октябре?"))[0]
    assert "Расходы за октябрь 2026" in first
    september = (await _texts(alice, "а в сентябре?"))[0]
    assert "Уточнение к прошлому вопросу" in september
    assert "Расходы за сентябрь 2026" in september
    assert "провайдер selectel" in september
    beget = (await _texts(alice, "а по Beget?"))[0]
    assert "Расходы за сентябрь 2026" in beget
    assert "провайдер beget" in beget
    why = await _texts(alice, "почему?")
    assert len(why) == 2
    assert "аномалии и главные статьи расходов" in why[0]
    assert "сентябрь 2026" in why[0]
    assert "сервисы" in why[1].lower()
    assert "провайдер beget" in why[1]
    more = (await _texts(alice, "подробнее"))[0]
    assert "разбивка по ресурсам" in more
    assert "Самые дорогие ресурсы" in more
    assert "(Beget)" in more
    year = (await _texts(alice, "а за прошлый год?"))[0]
    assert "2025" in year
    assert "провайдер beget" in year


async def test_a_follow_up_expires_after_thirty_minutes(hd: BotHarness) -> None:
    bob = await _viewer(hd, 2105, "en")
    await _texts(bob, "spend on selectel last month")
    clock = hd.ctx.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(minutes=31)
    reply = (await bob.send("and in september?"))[-1]
    assert "Spend for" not in reply.text
    assert "September 2026" in reply.text  # what was understood is still said


@pytest.fixture
async def llm_bot(demo: Demo) -> AsyncIterator[tuple[BotHarness, FakeLlm]]:
    llm = FakeLlm()
    async with (run_fake(llm.app()) as base,
                running_bot(demo.engine, Vault([KEY]), clock=FrozenClock(NOW),
                            throttle=(1000, 1), LLM_URL=base + "/v1", LLM_MODEL="fake-model",
                            LLM_TIMEOUT="0.5") as harness):
        try:
            yield harness, llm
        finally:
            await default_tasks().wait_all()


async def test_the_llm_reads_what_the_rules_did_not(llm_bot: tuple[BotHarness, FakeLlm]
                                                    ) -> None:
    hd, llm = llm_bot
    alice = await _viewer(hd, 2106)
    llm.reply(intent="spend", period_start="2026-11-09", period_end="2026-11-15",
              filters={"provider": "selectel"})
    text = (await _texts(alice, "что там по селектелу за ту неделю"))[0]
    assert "Вопрос разобран языковой моделью" in text
    assert "Расходы за 9–15 ноября 2026" in text
    assert "провайдер selectel" in text
    assert llm.requests[0]["messages"][1]["content"] == "что там по селектелу за ту неделю"
    understood = await _texts(alice, "сколько потратили вчера")
    assert len(llm.requests) == 1  # the rules understood: nothing sent
    assert "Расходы за 21 ноября 2026" in understood[0]


async def test_an_invalid_or_late_llm_reply_falls_back(llm_bot: tuple[BotHarness, FakeLlm]
                                                       ) -> None:
    hd, llm = llm_bot
    alice = await _viewer(hd, 2107)
    llm.content = "I think you mean spend"
    assert "Я не понял запрос" in (await alice.send("озвучь цифру"))[-1].text
    llm.reply(intent="spend", period_start="2026-11-01", period_end="2026-11-21")
    llm.delay = 3.0
    assert "Я не понял запрос" in (await alice.send("озвучь цифру"))[-1].text


async def test_an_organisation_can_turn_the_llm_off(llm_bot: tuple[BotHarness, FakeLlm]
                                                    ) -> None:
    hd, llm = llm_bot
    alice = await _viewer(hd, 2108)
    async with hd.ctx.session() as session:
        org = (await session.execute(Organization.__table__.select())).first()
        assert org is not None
        row = await session.get(Organization, org.id)
        assert row is not None
        row.settings = {**(row.settings or {}), "llm_understanding": False}
    llm.reply(intent="spend", period_start="2026-11-01", period_end="2026-11-21")
    assert "Я не понял запрос" in (await alice.send("озвучь цифру"))[-1].text
    assert llm.requests == []
