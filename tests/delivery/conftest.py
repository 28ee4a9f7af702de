"""A real aiogram Bot talking to the fake Bot API over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from core.clock import FrozenClock
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_server import run_fake

TOKEN = "123456:TEST-delivery"
START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


class FakeMonotonic:
    """The fake server's clock, moved together with the app's frozen clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Telegram:
    fake: FakeBotApi
    bot: Bot
    clock: FrozenClock
    server_clock: FakeMonotonic

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)
        self.server_clock.now += seconds


@pytest.fixture
async def telegram(request: pytest.FixtureRequest) -> AsyncIterator[Telegram]:
    """`@pytest.mark.parametrize("telegram", [TelegramLimits(...)], indirect=True)` sets limits."""
    limits = getattr(request, "param", None)
    server_clock = FakeMonotonic()
    fake = FakeBotApi(TOKEN, limits=limits, clock=server_clock)
    async with run_fake(fake.app) as url:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        try:
            yield Telegram(fake, bot, FrozenClock(START), server_clock)
        finally:
            await bot.session.close()
