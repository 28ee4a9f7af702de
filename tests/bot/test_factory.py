"""Factory choices: FSM storage by configuration, language resolution, the TELEGRAM_API_SERVER."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage

from bot.factory import MissingToken, build_bot, build_storage
from bot.fsm_storage import ResilientRedisStorage
from bot.i18n import resolve_language
from core.settings import load_settings


async def test_memory_storage_by_default_and_redis_when_configured() -> None:
    memory = build_storage(load_settings())
    assert isinstance(memory, MemoryStorage)
    redis = build_storage(load_settings(REDIS_URL="redis://127.0.0.1:6390/3"))
    assert isinstance(redis, ResilientRedisStorage)
    assert isinstance(redis.primary, RedisStorage)
    assert redis.redis.connection_pool.connection_kwargs["db"] == 3
    await redis.close()
    await memory.close()


@pytest.mark.parametrize(("saved", "telegram", "default", "expected"), [
    ("en", "ru", "ru", "en"),      # the saved choice wins
    (None, "en-GB", "ru", "en"),   # then Telegram's language
    (None, "uk", "ru", "ru"),      # an unsupported one falls back to DEFAULT_LANGUAGE
    (None, None, "en", "en"),
    ("xx", "ru", "en", "ru"),      # a corrupt saved value is ignored
])
def test_language_resolution(saved: str | None, telegram: str | None, default: str,
                             expected: str) -> None:
    assert resolve_language(saved, telegram, default) == expected


async def test_the_bot_talks_to_the_configured_api_server_and_needs_a_token(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(MissingToken):
        build_bot(load_settings())
    bot = build_bot(load_settings(BOT_TOKEN="1:x", TELEGRAM_API_SERVER="http://127.0.0.1:9/"))
    try:
        assert bot.session.api.api_url("1:x", "getMe") == "http://127.0.0.1:9/bot1:x/getMe"
    finally:
        await bot.session.close()
