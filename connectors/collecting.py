"""What every HTTP connector's `collect` repeats: warnings, guarded optional calls and bounded
fan-out — one copy, so the rules read the same for every provider (time limits are
`connectors.http.Timeouts`, set on the connector's `ProviderHttp`).

Warnings are `code: subject: detail`; `code` keys `providers_ru.warning.<code>`. A guarded call
that fails becomes a warning and, for an inventory list, marks the inventory incomplete so the
sync engine does not take the missing items as deleted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors.errors import ConnectorError
from core.domain.collection import Collection
from core.tasks import gather_limited

__all__ = ["gather_limited", "guard", "warn"]

T = TypeVar("T")


def warn(code: str, subject: str, detail: str) -> str:
    """Warnings are `code: subject: detail`; `code` keys `providers_ru.warning.<code>`."""
    return f"{code}: {subject}: {detail}"


def _own_code(exc: ConnectorError) -> str:
    return exc.code


async def guard(out: Collection, subject: str, call: Callable[[], Awaitable[T]], *,
                inventory: bool = True,
                code_of: Callable[[ConnectorError], str] = _own_code) -> T | None:
    """Run one optional call; a `ConnectorError` becomes a warning (code from `code_of`) and,
    when `inventory`, marks the inventory incomplete."""
    try:
        return await call()
    except ConnectorError as exc:
        out.warnings.append(warn(code_of(exc), subject, exc.detail))
    if inventory:
        out.complete_inventory = False
    return None
