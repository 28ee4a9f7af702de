"""The typed per-update context: who asks, in which chat, for which organisation, in what role.

`ContextMiddleware` builds one `RequestContext` per update and puts it in handler data as `rc`;
the closed set of keys handlers may ask for is `MiddlewareData`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.app import AppContext
from core.domain.roles import Role, role_at_least
from core.services.orgs import OrgRef
from core.settings import Settings
from renderers.i18n import t

__all__ = ["MiddlewareData", "RequestContext", "UserRef"]


@dataclass(frozen=True)
class UserRef:
    """The caller's user row, detached from the session."""

    id: int
    telegram_id: int
    full_name: str
    username: str | None
    language: str | None
    timezone: str | None
    active_org_id: int | None


@dataclass
class RequestContext:
    """Resolved once per update; handlers read it, services get ids from it."""

    settings: Settings
    user: UserRef
    chat_id: int
    chat_type: str
    org: OrgRef | None = None
    role: Role | None = None
    lang: str = "ru"
    is_superadmin: bool = False
    support: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_private(self) -> bool:
        return self.chat_type == "private"

    @property
    def is_demo(self) -> bool:
        return self.org is not None and self.org.is_demo

    @property
    def timezone(self) -> str:
        """The user's own time zone, else the organisation's, else DEFAULT_TIMEZONE."""
        if self.user.timezone:
            return self.user.timezone
        return self.org.timezone if self.org else self.settings.default_timezone

    def has_role(self, required: Role) -> bool:
        return self.role is not None and role_at_least(self.role, required)

    def t(self, key: str, /, **params: Any) -> str:
        """A message in the caller's language."""
        return t(key, self.lang, **params)


class MiddlewareData(TypedDict, total=False):
    """The closed set of keys our middlewares put in handler data (besides aiogram's own)."""

    app: AppContext
    session: AsyncSession
    rc: RequestContext
    bot: Bot
    state: FSMContext


def callback_message(query: CallbackQuery) -> Message:
    """The message a pressed button sits on (always there for our own inline keyboards)."""
    assert isinstance(query.message, Message)
    return query.message
