"""Small readers for what the bot sent: documents, PDF text, CSV rows."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web
from pypdf import PdfReader

from core.domain.roles import Role
from core.services.demo import DEMO_SLUG
from core.services.orgs import ensure_user, get_org, set_membership
from tests.bot.harness import BotHarness, ChatClient, RecordingFakeBotApi
from tests.support.fake_bot_api import Call


class FileNameRecordingFake(RecordingFakeBotApi):
    """The harness's fake plus the multipart file names the bot uploaded, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.file_names: list[str] = []

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params, files = await super()._params(request)
        if request.content_type.startswith("multipart/"):
            form = await request.post()  # aiohttp caches the parsed body
            self.file_names.extend(str(v.filename) for v in form.values()
                                   if isinstance(v, web.FileField))
        return params, files


def file_names(h: BotHarness) -> list[str]:
    assert isinstance(h.fake, FileNameRecordingFake)
    return h.fake.file_names


def documents(h: BotHarness, chat_id: int) -> list[Call]:
    return [c for c in h.fake.calls_of("sendDocument") if c.chat_id == chat_id]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def demo_user(h: BotHarness, user_id: int, lang: str = "ru",
                    role: Role = Role.VIEWER) -> ChatClient:
    """A user in the demo organisation with `role` (/demo itself makes viewers)."""
    if role is not Role.VIEWER:
        async with h.ctx.session() as s:
            org = await get_org(s, DEMO_SLUG)
            user = await ensure_user(s, user_id, full_name=f"User {user_id}")
            await set_membership(s, org.id, user.id, role)
    client = h.client(user_id, language_code=lang)
    await client.send("/demo")
    return client
