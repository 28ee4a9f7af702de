"""Selectel account info: balance (kopecks → rubles) and the prediction (hours → days)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.errors import BadCredentials, ConnectorError
from connectors.selectel.billing import kopecks
from connectors.selectel.client import SelectelBillingClient
from core.domain.collection import AccountInfo

__all__ = ["account_info", "days_to_block", "funds"]


def funds(data: dict[str, Any]) -> tuple[Decimal | None, Decimal]:
    """Available funds and debt over every billing (`final_sum`, `debt_sum`), in rubles."""
    billings = [b for b in data.get("billings") or [] if isinstance(b, dict)]
    if not billings:
        return None, Decimal(0)
    total = sum(int(b.get("final_sum") or 0) for b in billings)
    debt = sum(int(b.get("debt_sum") or 0) for b in billings)
    return kopecks(total), kopecks(debt)


def days_to_block(prediction: dict[str, Any]) -> int | None:
    """The soonest non-null prediction, in whole days (the API gives hours; null = no paid use)."""
    hours = [float(v) for v in prediction.values() if isinstance(v, int | float)]
    return int(min(hours) // 24) if hours else None


async def account_info(billing: SelectelBillingClient, account_id: str, *,
                       warnings: list[str] | None) -> AccountInfo:
    """Balance is required by `test` (warnings=None) and best effort in `collect`."""
    try:
        data = await billing.balances()
    except ConnectorError as exc:
        if warnings is None or isinstance(exc, BadCredentials):
            raise
        warnings.append(f"balance not read ({exc.code}: {exc.detail or exc.code})")
        return AccountInfo(account_id=account_id, display_name=f"Selectel {account_id}")
    balance, debt = funds(data)
    settings = data.get("settings") or {}
    blocked_in: int | None = None
    try:
        blocked_in = days_to_block(await billing.prediction())
    except ConnectorError as exc:
        if warnings is not None:
            warnings.append(f"balance prediction not read ({exc.code})")
    return AccountInfo(account_id=account_id, display_name=f"Selectel {account_id}",
                       balance=balance, currency=str(settings.get("currency") or "rub").upper(),
                       days_to_block=blocked_in, plan=settings.get("mode"),
                       extra={"debt": str(debt), "debt_status": data.get("debt_status")})
