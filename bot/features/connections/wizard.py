"""/connect: provider → its fields one by one → name → test → save encrypted → first sync.

Secrets never rest in clear: the message carrying one is deleted as soon as it is read, and
the value is kept in FSM data only as a vault token until the test; non-secret progress is
plain FSM data. A failed test keeps everything and offers "test again" or "correct a field".
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.connections.callbacks import WizCb
from bot.features.connections.fields import available_kinds, display_name, field_label, fields_of
from bot.features.connections.keyboards import failed_kb, field_kb, name_kb, providers_kb
from bot.features.connections.progress import error_reason, start_sync
from bot.features.connections.states import ConnectWizard
from bot.filters import RoleFilter
from bot.i18n import esc
from connectors.errors import ConnectorError, RateLimited
from core.app import AppContext
from core.domain.roles import Role
from core.services.connections import Actor, add_connection
from core.services.errors import Conflict, ServiceError

__all__ = ["cancel", "on_field", "on_field_not_text", "on_name", "on_text_after_failure",
           "on_wizard_cancel", "on_wizard_fix", "on_wizard_kind", "on_wizard_name",
           "on_wizard_retry", "on_wizard_skip", "start_wizard"]

KEY = "wizard"


def actor_of(rc: RequestContext) -> Actor:
    return Actor(rc.user.id, rc.user.telegram_id, rc.is_superadmin)


async def start_wizard(message: Message, rc: RequestContext, state: FSMContext) -> None:
    """Provider buttons; admins only, private chats only (secrets never go to a group)."""
    await RoleFilter(Role.ADMIN)(message, rc)
    if message.chat.type != "private":
        await message.answer(rc.t("connect.private_only"))
        return
    await state.clear()
    await message.answer(rc.t("connect.choose_provider"),
                         reply_markup=providers_kb(rc, available_kinds()))


async def _data(state: FSMContext) -> dict[str, Any]:
    wiz = (await state.get_data()).get(KEY)
    if not isinstance(wiz, dict):
        raise ServiceError("wizard expired")
    return wiz


async def _ask(message: Message, rc: RequestContext, state: FSMContext,
               wiz: dict[str, Any]) -> None:
    fields = fields_of(wiz["kind"])
    i = wiz["i"]
    if i >= len(fields):
        await state.set_state(ConnectWizard.name)
        await state.update_data({KEY: wiz})
        default = display_name(wiz["kind"])
        await message.answer(rc.t("connect.ask_name", default=esc(default)),
                             reply_markup=name_kb(rc, default))
        return
    field = fields[i]
    await state.set_state(ConnectWizard.field)
    await state.update_data({KEY: wiz})
    text = rc.t("connect.ask_secret" if field.secret else "connect.ask_field", step=i + 1,
                steps=len(fields), label=esc(field_label(wiz["kind"], field.name, rc.lang)))
    if not field.required:
        text += "\n" + rc.t("connect.optional")
    await message.answer(text, reply_markup=field_kb(rc, field))


async def on_field(message: Message, rc: RequestContext, session: AsyncSession, app: AppContext,
                   state: FSMContext, bot: Bot) -> None:
    """One field's value; a secret's message is deleted before anything else happens."""
    wiz = await _data(state)
    field = fields_of(wiz["kind"])[wiz["i"]]
    value = (message.text or "").strip()
    if field.secret:
        try:
            await message.delete()
            await message.answer(rc.t("connect.secret_deleted"))
        except TelegramBadRequest:
            await message.answer(rc.t("connect.secret_not_deleted"))
        if value:
            wiz["secrets"][field.name] = app.vault.encrypt({"v": value}).decode()
    elif value:
        wiz["values"][field.name] = value
    if not value:
        await message.answer(rc.t("connect.empty_value", label=esc(
            field_label(wiz["kind"], field.name, rc.lang))))
        return
    await _advance(message, rc, session, app, state, bot, wiz)


async def on_field_not_text(message: Message, rc: RequestContext, state: FSMContext) -> None:
    """A file, photo or caption at a field step: at a secret step it may carry the secret
    (a key file), so it is deleted unread; the value is asked for again as text."""
    wiz = await _data(state)
    field = fields_of(wiz["kind"])[wiz["i"]]
    if field.secret:
        try:
            await message.delete()
        except TelegramBadRequest:
            await message.answer(rc.t("connect.file_not_deleted"))
    await message.answer(rc.t("connect.text_only", label=esc(
        field_label(wiz["kind"], field.name, rc.lang))))


async def on_text_after_failure(message: Message, rc: RequestContext,
                                state: FSMContext) -> None:
    """Text after a failed test is most often the corrected key pasted straight in: deleted
    unread (it may be a secret), and the retry / correct buttons offered again."""
    wiz = await _data(state)
    try:
        await message.delete()
    except TelegramBadRequest:
        await message.answer(rc.t("connect.message_not_deleted"))
    await message.answer(rc.t("connect.use_buttons"),
                         reply_markup=failed_kb(rc, wiz["kind"], fields_of(wiz["kind"])))


async def _advance(message: Message, rc: RequestContext, session: AsyncSession, app: AppContext,
                   state: FSMContext, bot: Bot, wiz: dict[str, Any]) -> None:
    if wiz.get("fixing"):
        wiz["fixing"] = False
        await _test(message, rc, session, app, state, bot, wiz)
        return
    wiz["i"] += 1
    await _ask(message, rc, state, wiz)


async def on_name(message: Message, rc: RequestContext, session: AsyncSession, app: AppContext,
                  state: FSMContext, bot: Bot) -> None:
    wiz = await _data(state)
    wiz["name"] = (message.text or "").strip()
    await _test(message, rc, session, app, state, bot, wiz)


def _credentials(app: AppContext, wiz: dict[str, Any]) -> dict[str, Any]:
    creds: dict[str, Any] = dict(wiz["values"])
    for name, token in wiz["secrets"].items():
        creds[name] = app.vault.decrypt(token.encode())["v"]
    return creds


async def _test(message: Message, rc: RequestContext, session: AsyncSession, app: AppContext,
                state: FSMContext, bot: Bot, wiz: dict[str, Any]) -> None:
    """Test against the provider (typing…); save and start the first sync, or explain."""
    assert rc.org is not None
    kind = wiz["kind"]
    provider = display_name(kind)
    name = wiz.get("name") or provider
    await state.update_data({KEY: wiz})
    await bot.send_chat_action(message.chat.id, ChatAction.TYPING)
    await message.answer(rc.t("connect.testing", provider=esc(provider)))
    try:
        conn_id, account = await add_connection(
            session, app.vault, app.http, connectors=app.adapters.connectors,
            org_id=rc.org.id, kind=kind, name=name, credentials=_credentials(app, wiz),
            actor=actor_of(rc), now=app.clock.now())
    except ConnectorError as exc:
        await state.set_state(ConnectWizard.failed)
        retry = exc.retry_after if isinstance(exc, RateLimited) else None
        reason = error_reason(exc.code, rc.lang, retry_after=retry)
        if exc.detail:
            reason += "\n" + rc.t("connect.failed_detail", detail=esc(exc.detail[:300]))
        await message.answer(rc.t("connect.failed", provider=esc(provider), reason=reason),
                             reply_markup=failed_kb(rc, kind, fields_of(kind)))
        return
    except Conflict:
        await state.set_state(ConnectWizard.name)
        await message.answer(rc.t("connect.name_taken"))
        return
    except ServiceError as exc:
        await state.set_state(ConnectWizard.failed)
        await message.answer(rc.t("connect.invalid", detail=esc(exc.detail)),
                             reply_markup=failed_kb(rc, kind, fields_of(kind)))
        return
    await state.clear()
    await session.commit()  # the background sync reads the connection from its own session
    await message.answer(rc.t("connect.connected", name=esc(name), provider=esc(provider),
                              account=esc(account.display_name or account.account_id)))
    await start_sync(app, bot, message.chat.id, connection_id=conn_id, org_id=rc.org.id,
                     name=name, lang=rc.lang, first=True)


async def cancel(message: Message, rc: RequestContext, state: FSMContext) -> None:
    """/cancel or the button: forget everything entered (secret tokens included)."""
    had = await state.get_state() is not None
    await state.clear()
    await message.answer(rc.t("connect.cancelled" if had else "connect.nothing_to_cancel"))


def _message(query: CallbackQuery) -> Message | None:
    """The wizard's message under the pressed button; None when Telegram no longer has it."""
    return query.message if isinstance(query.message, Message) else None


async def on_wizard_cancel(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    await query.answer()
    if (message := _message(query)) is not None:
        await cancel(message, rc, state)


async def on_wizard_kind(query: CallbackQuery, callback_data: WizCb, rc: RequestContext,
                         state: FSMContext) -> None:
    """A provider picked: its first field."""
    await query.answer()
    if (message := _message(query)) is None:
        return
    if callback_data.kind not in dict(available_kinds()):
        raise ServiceError("unknown provider")
    await _ask(message, rc, state, {"kind": callback_data.kind, "i": 0, "values": {},
                                    "secrets": {}, "name": None, "fixing": False})


async def on_wizard_skip(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                         app: AppContext, state: FSMContext, bot: Bot) -> None:
    """Skips the current field when it is optional; a required one stays asked."""
    await query.answer()
    if (message := _message(query)) is None:
        return
    wiz = await _data(state)
    fields = fields_of(wiz["kind"])
    if wiz["i"] < len(fields) and not fields[wiz["i"]].required:
        await _advance(message, rc, session, app, state, bot, wiz)


async def on_wizard_name(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                         app: AppContext, state: FSMContext, bot: Bot) -> None:
    """The usual name taken: the test runs."""
    await query.answer()
    if (message := _message(query)) is None:
        return
    wiz = await _data(state)
    wiz["name"] = display_name(wiz["kind"])
    await _test(message, rc, session, app, state, bot, wiz)


async def on_wizard_retry(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                          app: AppContext, state: FSMContext, bot: Bot) -> None:
    """The test again, with everything as entered."""
    await query.answer()
    if (message := _message(query)) is None:
        return
    await _test(message, rc, session, app, state, bot, await _data(state))


async def on_wizard_fix(query: CallbackQuery, callback_data: WizCb, rc: RequestContext,
                        state: FSMContext) -> None:
    """One field entered again after a failed test; a field index out of range does nothing."""
    await query.answer()
    if (message := _message(query)) is None:
        return
    wiz = await _data(state)
    fields = fields_of(wiz["kind"])
    if 0 <= callback_data.field < len(fields):
        field = fields[callback_data.field]
        wiz["values"].pop(field.name, None)
        wiz["secrets"].pop(field.name, None)
        wiz["i"], wiz["fixing"] = callback_data.field, True
        await _ask(message, rc, state, wiz)
