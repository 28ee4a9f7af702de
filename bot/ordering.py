"""One chat's updates are handled one at a time, in the order they arrived.

aiogram handles every update in its own task, so `/demo` and the question typed right after
it can run side by side and the question reads the organisation before `/demo` committed it;
two wizard steps can read the same FSM state. `OrderedDispatcher.feed_update` takes a
per-chat FIFO lock before anything else runs (FSM state is read inside, after the lock), so
updates of one chat queue up in arrival order while different chats stay concurrent.

`asyncio.Lock` wakes waiters first-in first-out, and the lock is taken before the first
`await` of the update's task, so arrival order (the order polling or the webhook started the
tasks) is handling order. The guarantee holds within one process: replicas behind a webhook
proxy should route a chat to one replica (Telegram sends one chat's updates in order).

A double tap is not queued behind its first press: a press of the same button on the same
message while that press is still waiting or running is answered at once ("already on it")
and dropped, so a PDF is not rendered twice and the spinner never hangs behind a long job.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Update

from renderers.i18n import normalise_language, t

__all__ = ["ChatLocks", "OrderedDispatcher", "chat_key", "press_key"]

Press = tuple[int, int, str]


def chat_key(update: Update) -> int | None:
    """The chat an update belongs to (the user for inline-only events), or None."""
    event = update.event
    chat = getattr(event, "chat", None)
    if chat is None:
        message = getattr(event, "message", None)  # a callback query's message
        chat = getattr(message, "chat", None)
    if chat is not None:
        return int(chat.id)
    user = getattr(event, "from_user", None)
    return int(user.id) if user is not None else None


def press_key(update: Update) -> Press | None:
    """(chat, message, button data) of a button press, or None for anything else."""
    query = update.callback_query
    if query is None or query.message is None or query.data is None:
        return None
    return (int(query.message.chat.id), int(query.message.message_id), query.data)


class ChatLocks:
    """FIFO locks by key, dropped when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class OrderedDispatcher(Dispatcher):
    """A `Dispatcher` whose `feed_update` serialises updates per chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chat_locks = ChatLocks()
        self._pressing: set[Press] = set()

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        key = chat_key(update)
        if key is None:
            return await super().feed_update(bot, update, **kwargs)
        press = press_key(update)
        if press is not None:
            if press in self._pressing:  # checked and marked before the first await
                assert update.callback_query is not None
                await _answer_busy(bot, update.callback_query)
                return None
            self._pressing.add(press)
        try:
            async with self.chat_locks.hold(key):
                return await super().feed_update(bot, update, **kwargs)
        finally:
            if press is not None:
                self._pressing.discard(press)


async def _answer_busy(bot: Bot, query: CallbackQuery) -> None:
    lang = normalise_language(query.from_user.language_code if query.from_user else None)
    await bot.answer_callback_query(query.id, text=t("bot.busy_button", lang))
