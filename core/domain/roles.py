"""Roles inside an organisation and what each may do."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role", "role_at_least"]


class Role(StrEnum):
    """Membership roles, most powerful first."""

    OWNER = "owner"
    ADMIN = "admin"
    FINANCE = "finance"
    MEMBER = "member"
    VIEWER = "viewer"


_RANK = {Role.OWNER: 50, Role.ADMIN: 40, Role.FINANCE: 30, Role.MEMBER: 20, Role.VIEWER: 10}


def role_at_least(role: Role, required: Role) -> bool:
    """True when `role` carries at least the rights of `required`."""
    return _RANK[role] >= _RANK[required]
