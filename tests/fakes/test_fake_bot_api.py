"""The fake Bot API speaks the protocol aiogram expects and enforces Telegram's limits."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from tests.support.fake_bot_api import FakeBotApi, TelegramLimits
from tests.support.fake_server import run_fake

TOKEN = "123456:TEST-token"


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_round_trips_record_what_the_bot_sent() -> None:
    fake = FakeBotApi(TOKEN)
    async with run_fake(fake.app) as url:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        try:
            me = await bot.get_me()
            markup = InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text="OK", callback_data="conn:sync:1")]])
            msg = await bot.send_message(42, "Привет", reply_markup=markup)
            await bot.edit_message_text("Готово", chat_id=42, message_id=msg.message_id)
            await bot.send_document(42, BufferedInputFile(b"%PDF-1.4", "brief.pdf"),
                                    caption="Бриф")
        finally:
            await bot.session.close()
    assert me.username == "infrazen_test_bot"
    assert fake.sent_texts(42) == ["Привет", "Бриф"]
    assert fake.sent(42)[0].buttons()[0]["callback_data"] == "conn:sync:1"
    assert fake.calls_of("editMessageText")[0].text == "Готово"
    assert fake.sent(42)[1].files["document"] == b"%PDF-1.4"


async def test_limits_blocked_chats_and_injected_failures() -> None:
    clock = _Clock()
    fake = FakeBotApi(TOKEN, limits=TelegramLimits(), clock=clock)
    fake.blocked_chats.add(7)
    async with run_fake(fake.app) as url:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        try:
            await bot.send_message(1, "a")
            with pytest.raises(TelegramRetryAfter) as err:
                await bot.send_message(1, "b")
            assert err.value.retry_after == 1
            clock.now += 1.0
            await bot.send_message(1, "b")
            for i in range(20):
                await bot.send_message(-100, f"g{i}")
                clock.now += 0.05
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(-100, "one too many")
            with pytest.raises(TelegramForbiddenError):
                await bot.send_message(7, "blocked")
        finally:
            await bot.session.close()
    assert fake.throttled == 2
    assert fake.sent_texts(1) == ["a", "b"]
    assert len(fake.sent(-100)) == 20
