"""A top question names what it ranks: "топ 3 сервисов за октябрь" lists services, end to end
through the fake Bot API over the demo organisation (it once listed resources)."""

from __future__ import annotations

import re
from datetime import date

from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.features.questions.memory import recall, remember
from core.services.ask.types import Intent, Question
from core.services.costs import Dimension
from core.services.demo_data import CONNECTIONS
from tests.bot.harness import BotHarness

SERVICES = {r.service for c in CONNECTIONS for r in c.resources}
RESOURCES = {r.name for c in CONNECTIONS for r in c.resources}
_ROW = re.compile(r"^\d+\. (.+?)(?: \([^)]*\))? — ", re.MULTILINE)


def _rows(text: str) -> list[str]:
    return _ROW.findall(text)


async def test_a_top_of_services_lists_services_in_both_languages(hd: BotHarness) -> None:
    alice = hd.client(2001, language_code="ru")
    await alice.send("/demo")
    reply = (await alice.send("топ 3 сервисов за октябрь"))[-1]
    assert "🔎 Понял: самые дорогие · по сервисам · октябрь 2026" in reply.text
    assert "Самые дорогие сервисы за октябрь 2026" in reply.text
    rows = _rows(reply.text)
    assert len(rows) == 3, rows
    assert set(rows) <= SERVICES, rows
    assert not set(rows) & RESOURCES
    bob = hd.client(2002, language_code="en")
    await bob.send("/demo")
    reply = (await bob.send("top 3 services in October"))[-1]
    assert " · by service · October 2026" in reply.text
    assert "Most expensive services, October 2026" in reply.text
    assert _rows(reply.text) == rows  # the same services, whichever language asked
    providers = (await bob.send("top 3 providers in October"))[-1]
    assert "Providers by spend, October 2026" in providers.text
    assert {"Selectel", "Beget"} <= set(_rows(providers.text))


async def test_a_top_that_names_nothing_still_lists_resources(hd: BotHarness) -> None:
    alice = hd.client(2003, language_code="ru")
    await alice.send("/demo")
    reply = (await alice.send("топ 3 за октябрь"))[-1]
    assert "Самые дорогие ресурсы за октябрь 2026" in reply.text
    rows = _rows(reply.text)
    assert len(rows) == 3, rows
    assert set(rows) <= RESOURCES, rows


async def test_the_chart_button_charts_what_the_top_ranked() -> None:
    """The chart of a top of services is re-asked from the chat's memory: by services too."""
    state = FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=1, user_id=1))
    oct_ = (date(2026, 10, 1), date(2026, 10, 31))
    await remember(state, Question(Intent.TOP, *oct_, by=Dimension.SERVICE))
    assert (await recall(state, Intent.TOP, *oct_)).by is Dimension.SERVICE
    await remember(state, Question(Intent.TOP, *oct_))
    assert (await recall(state, Intent.TOP, *oct_)).by is None
