"""Filters: the role guard and the superadmin gate.

`RoleFilter(Role.ADMIN)` lets the handler run only for members with at least that role in the
current organisation. It refuses loudly (raises a `ServiceError` that `ServiceErrorMiddleware`
renders) because a member pressing a button deserves an answer; the demo organisation refuses
every write with its own message. `SuperadminFilter` refuses silently so that everyone else
falls through to the fallback and learns nothing about /admin.
"""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.context import RequestContext
from core.domain.roles import Role, role_at_least
from core.services.errors import Forbidden, ServiceError
from core.services.team import DemoReadOnly

__all__ = ["NoOrganisation", "RoleFilter", "SuperadminFilter", "org_id_of"]


class NoOrganisation(ServiceError):
    """The caller has no organisation yet: create one, join one, or open the demo."""

    code = "no_org"


def org_id_of(rc: RequestContext) -> int:
    """The caller's organisation id, or the polite "create or join one first" refusal."""
    if rc.org is None:
        raise NoOrganisation()
    return rc.org.id


class RoleFilter(Filter):
    def __init__(self, required: Role = Role.VIEWER) -> None:
        self.required = required

    async def __call__(self, event: TelegramObject, rc: RequestContext) -> bool:
        if rc.org is None:
            raise NoOrganisation()
        if rc.role is None:  # e.g. a group bound to an organisation the caller is not in
            raise Forbidden("not a member")
        if rc.is_demo and not rc.support and self.required != Role.VIEWER:
            raise DemoReadOnly()
        if not role_at_least(rc.role, self.required):
            raise Forbidden(f"requires {self.required.value}")
        return True


class SuperadminFilter(Filter):
    async def __call__(self, event: TelegramObject, rc: RequestContext) -> bool:
        return rc.is_superadmin
