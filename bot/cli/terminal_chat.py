"""The terminal chat behind `infrazen chat`: the real dispatcher, no Telegram needed.

Lines you type become updates fed to the same dispatcher `infrazen run` uses
(`dp.feed_update`); the bot's requests go to `TerminalSession`, which prints them instead of
calling Telegram: buttons as numbered choices (type the number to press one), photos and
documents saved to a folder, `/file PATH` sends a local file as a document, `/quit` leaves.
"""

from __future__ import annotations

import html
import itertools
import re
import tempfile
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChatMember,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BufferedInputFile,
    ChatMemberOwner,
    File,
    FSInputFile,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

from bot.cli.runtime import msg
from bot.factory import build_bot, build_dispatcher
from core.app import AppContext

__all__ = ["TerminalSession", "chat_loop", "read_line"]

TERMINAL_TOKEN = "1000000:terminal-chat"
BOT_ID = 1_000_000
_TAGS = re.compile(r"<[^>]+>")


def plain(text: str | None) -> str:
    """HTML parse-mode text as the user would read it."""
    return html.unescape(_TAGS.sub("", text or ""))


class TerminalSession(BaseSession):
    """A Bot API session that prints what the bot would send and answers like Telegram."""

    def __init__(self, out: Callable[[str], None], files_dir: Path, lang: str = "ru") -> None:
        super().__init__()
        self.out, self.files_dir, self.lang = out, files_dir, lang
        self.files: dict[str, Path] = {}
        self.choices: list[tuple[str, int, int]] = []  # (callback_data, message_id, chat_id)
        self._ids = itertools.count(1)

    async def close(self) -> None:
        return None

    def _message(self, chat_id: int | str, message_id: int | None = None,
                 **extra: Any) -> Message:
        chat = int(chat_id)
        return Message.model_validate({
            "message_id": message_id or next(self._ids), "date": int(time.time()),
            "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "InfraZen"}, **extra})

    def _buttons(self, markup: Any, message_id: int, chat_id: int) -> None:
        if not isinstance(markup, InlineKeyboardMarkup):
            return
        self.choices = []
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data:
                    self.choices.append((button.callback_data, message_id, chat_id))
                    self.out(f"  {len(self.choices)}) {button.text}")
                elif button.url:
                    self.out(f"  ↗ {button.text}: {button.url}")

    def _save(self, media: Any, default: str) -> str:
        if isinstance(media, BufferedInputFile):
            path = self.files_dir / (media.filename or default)
            path.write_bytes(media.data)
            return str(path)
        if isinstance(media, FSInputFile):
            return str(media.path)
        return str(media)

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:  # noqa: ASYNC109
        return cast(TelegramType, self._answer(method))

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return User(id=BOT_ID, is_bot=True, first_name="InfraZen", username="infrazen_bot")
        if isinstance(method, SendMessage):
            message = self._message(method.chat_id, text=plain(str(method.text)))
            self.out(f"🤖 {plain(str(method.text))}")
            self._buttons(method.reply_markup, message.message_id, message.chat.id)
            return message
        if isinstance(method, EditMessageText):
            self.out(f"🤖 ✎ {plain(str(method.text))}")
            message = self._message(method.chat_id or 0, method.message_id, text=method.text)
            self._buttons(method.reply_markup, message.message_id, message.chat.id)
            return message
        if isinstance(method, EditMessageReplyMarkup):
            message = self._message(method.chat_id or 0, method.message_id)
            self._buttons(method.reply_markup, message.message_id, message.chat.id)
            return message
        if isinstance(method, SendPhoto | SendDocument):
            media = method.photo if isinstance(method, SendPhoto) else method.document
            saved = self._save(media, "photo.png" if isinstance(method, SendPhoto) else "file")
            self.out(f"🤖 📎 {plain(method.caption)} → {saved}")
            message = self._message(method.chat_id)
            self._buttons(method.reply_markup, message.message_id, message.chat.id)
            return message
        if isinstance(method, AnswerCallbackQuery):
            if method.text:
                self.out(f"🤖 [{plain(method.text)}]")
            return True
        if isinstance(method, DeleteMessage):
            self.out("🤖 " + msg("chat.deleted", self.lang))
            return True
        if isinstance(method, GetChatMember):
            return ChatMemberOwner(user=User(id=int(method.user_id), is_bot=False,
                                             first_name="You"), is_anonymous=False)
        if isinstance(method, GetFile):
            path = self.files.get(method.file_id)
            return File(file_id=method.file_id, file_unique_id=method.file_id,
                        file_size=path.stat().st_size if path else 0, file_path=str(path))
        return True

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None,
                             timeout: int = 30, chunk_size: int = 65536,  # noqa: ASYNC109
                             raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        for path in self.files.values():
            if url.endswith(str(path)):
                yield path.read_bytes()
                return


def _local_document(raw: str, file_id: str, session: TerminalSession) -> dict[str, Any] | None:
    path = Path(raw.strip()).expanduser().resolve()
    if not path.is_file():
        return None
    session.files[file_id] = path
    return {"file_id": file_id, "file_unique_id": file_id, "file_name": path.name,
            "file_size": path.stat().st_size}


async def chat_loop(ctx: AppContext, read: Callable[[], Awaitable[str | None]],
                    out: Callable[[str], None], *, user_id: int = 1, language: str = "ru",
                    chat_id: int | None = None, files_dir: Path | None = None) -> None:
    """Feed each line to the production dispatcher until `read` returns None or `/quit`."""
    session = TerminalSession(out, files_dir or Path(tempfile.mkdtemp(prefix="infrazen-chat-")),
                              language)
    token = ctx.settings.bot_token.get_secret_value() if ctx.settings.bot_token else None
    bot = build_bot(ctx.settings, token=token or TERMINAL_TOKEN, session=session)
    dp = build_dispatcher(ctx)
    chat = chat_id if chat_id is not None else user_id
    chat_obj = {"id": chat, "type": "private" if chat > 0 else "supergroup", "title": "Chat"}
    sender = {"id": user_id, "is_bot": False, "first_name": "You", "language_code": language}
    ids = itertools.count(1)
    while (line := await read()) is not None:
        line = line.strip()
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        payload: dict[str, Any]
        if line.isdigit() and 0 < int(line) <= len(session.choices):
            data, message_id, where = session.choices[int(line) - 1]
            payload = {"callback_query": {
                "id": str(next(ids)), "from": sender, "chat_instance": "terminal", "data": data,
                "message": {"message_id": message_id, "date": int(time.time()),
                            "chat": {**chat_obj, "id": where}, "text": "-",
                            "from": {"id": BOT_ID, "is_bot": True, "first_name": "InfraZen"}}}}
        else:
            message: dict[str, Any] = {"message_id": next(ids) + 1_000_000,
                                       "date": int(time.time()), "chat": chat_obj,
                                       "from": sender}
            if line.startswith("/file "):
                document = _local_document(line.removeprefix("/file "), f"local-{next(ids)}",
                                           session)
                if document is None:
                    out(msg("chat.no_file", language, path=line.removeprefix("/file ").strip()))
                    continue
                message["document"] = document
            else:
                message["text"] = line
            payload = {"message": message}
        update = Update.model_validate({"update_id": next(ids), **payload},
                                       context={"bot": bot})
        await dp.feed_update(bot, update)
    await dp.storage.close()


def read_line() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None
