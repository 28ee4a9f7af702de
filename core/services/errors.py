"""Service-level errors the bot and CLI translate into messages (code → catalogue key)."""

from __future__ import annotations

__all__ = ["Conflict", "Forbidden", "NotFound", "ServiceError"]


class ServiceError(Exception):
    code = "error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class NotFound(ServiceError):
    """Absent, or belongs to another organisation: the two are indistinguishable on purpose."""

    code = "not_found"


class Forbidden(ServiceError):
    """The caller's role does not allow the action."""

    code = "forbidden"


class Conflict(ServiceError):
    code = "conflict"
