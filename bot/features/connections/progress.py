"""A sync in the background with its progress in one message, edited when it finishes.

Started through `core.tasks.spawn` so the handler returns at once (the user can keep asking);
the message says "syncing…" first and is edited into the outcome: counts, warnings, or the
translated reason of a failure.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.i18n import esc
from core.app import AppContext
from core.services.errors import ServiceError
from core.services.sync.run import SyncResult, run_sync
from core.tasks import spawn
from renderers.i18n import catalogue, t

__all__ = ["error_reason", "start_sync", "sync_text"]

log = logging.getLogger(__name__)


def error_reason(code: str | None, lang: str, *, retry_after: float | None = None,
                 detail: str = "") -> str:
    """The translated reason of a connector error code (`connectors.error.<code>`)."""
    messages = catalogue(lang)
    template = (messages.get(f"connectors.error.{code}")
                or messages["connectors.error.provider_error"])
    seconds = int(retry_after) if retry_after else 60
    return template.format(seconds=seconds, detail=esc(detail))


def sync_text(result: SyncResult, name: str, lang: str) -> str:
    resources = result.created + result.updated + result.unchanged
    if result.status == "failed":
        return t("connect.sync_failed", lang, name=esc(name),
                 reason=error_reason(result.error_code, lang))
    if result.status == "partial" or result.warnings:
        return t("connect.sync_partial", lang, name=esc(name), resources=resources,
                 lines=result.cost_lines, warnings=esc("; ".join(result.warnings[:3])))
    return t("connect.sync_done", lang, name=esc(name), resources=resources,
             created=result.created, lines=result.cost_lines)


async def _run(app: AppContext, bot: Bot, chat_id: int, message_id: int, connection_id: int,
               org_id: int, name: str, lang: str, trigger: str) -> SyncResult | None:
    try:
        result = await run_sync(app, connection_id, org_id=org_id, trigger=trigger)
    except ServiceError as exc:  # deleted or paused meanwhile
        log.info("sync of connection %s not started: %s", connection_id, exc.detail)
        return None
    try:
        await bot.edit_message_text(sync_text(result, name, lang), chat_id=chat_id,
                                    message_id=message_id)
    except TelegramAPIError:
        log.warning("could not edit the sync progress message in chat %s", chat_id)
    return result


async def start_sync(app: AppContext, bot: Bot, chat_id: int, *, connection_id: int,
                     org_id: int, name: str, lang: str, first: bool = False) -> None:
    """Post the progress message and run the sync in the background, editing it at the end."""
    text = (t("connect.sync_started", lang) if first
            else t("connect.sync_running", lang, name=esc(name)))
    progress = await bot.send_message(chat_id, text)
    spawn(_run(app, bot, chat_id, progress.message_id, connection_id, org_id, name, lang,
               "initial" if first else "manual"), name=f"sync-{connection_id}")
