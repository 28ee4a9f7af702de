"""Per-organisation recommendation settings: which rules run, and their thresholds.

Kept in `Organization.settings["recommendations"]` as `{"off": [kind, …], "thresholds":
{kind: {name: value}}}`. Turning a rule off dismisses its open recommendations with the reason
`rule_off` (so they leave totals, lists and briefs at once) and the engine stops producing it;
turning it back on reopens exactly those. Owners, admins and finance change settings from the
chat, the operator from the CLI (`user_id=None`); every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Organization, Recommendation
from core.domain.roles import Role
from core.services.audit import audit
from core.services.errors import NotFound, ServiceError
from core.services.orgs import require_role
from core.services.recommendations.balance import LOW_BALANCE_DAYS
from core.services.recommendations.idle import CPU_IDLE, MEM_IDLE, MIN_DAYS
from core.services.recommendations.registry import KINDS
from core.services.recommendations.rightsizing import CPU_LOW, MEM_LOW
from core.services.recommendations.snapshots import OLD_DAYS

__all__ = ["RULE_OFF", "TUNABLES", "RuleSetting", "ThresholdInputError", "Tunable",
           "disabled_kinds", "org_thresholds", "rule_settings", "set_rule_enabled",
           "set_threshold"]

RULE_OFF = "rule_off"
EDITOR = Role.FINANCE
KEY = "recommendations"


@dataclass(frozen=True, slots=True)
class Tunable:
    """A threshold a rule reads through `RuleContext.threshold`, with its allowed range."""

    default: float
    low: float
    high: float


TUNABLES: dict[str, dict[str, Tunable]] = {
    "idle": {"cpu_percent": Tunable(CPU_IDLE, 0.1, 100), "memory_percent":
             Tunable(MEM_IDLE, 0.1, 100), "min_days": Tunable(MIN_DAYS, 1, 14)},
    "rightsizing": {"cpu_percent": Tunable(CPU_LOW, 1, 100),
                    "memory_percent": Tunable(MEM_LOW, 1, 100)},
    "old_snapshots": {"age_days": Tunable(OLD_DAYS, 1, 3650)},
    "low_balance": {"days": Tunable(LOW_BALANCE_DAYS, 1, 365)},
}


class ThresholdInputError(ServiceError):
    """A threshold value people typed that is not a number or is out of range: `reason` is
    `number` or `range`, so the chat can say it in the user's language and ask again."""

    code = "threshold_input"

    def __init__(self, reason: str, value: str, detail: str, tunable: Tunable | None = None):
        super().__init__(detail)
        self.reason, self.value, self.tunable = reason, value, tunable


@dataclass(frozen=True, slots=True)
class RuleSetting:
    kind: str
    enabled: bool
    thresholds: dict[str, float]  # the effective values
    defaults: dict[str, float]


def _stored(settings: dict[str, Any] | None) -> dict[str, Any]:
    raw = (settings or {}).get(KEY)
    return dict(raw) if isinstance(raw, dict) else {}


def disabled_kinds(settings: dict[str, Any] | None) -> frozenset[str]:
    """The kinds an org turned off (read from `Organization.settings`)."""
    off = _stored(settings).get("off")
    return frozenset(str(k) for k in off) if isinstance(off, list) else frozenset()


def org_thresholds(settings: dict[str, Any] | None) -> dict[str, dict[str, float]]:
    """The org's threshold overrides, as the rules read them."""
    raw = _stored(settings).get("thresholds")
    if not isinstance(raw, dict):
        return {}
    return {str(kind): {str(n): float(v) for n, v in values.items()
                        if isinstance(v, int | float)}
            for kind, values in raw.items() if isinstance(values, dict)}


async def _org(session: AsyncSession, org_id: int) -> Organization:
    org = (await session.execute(select(Organization).where(
        Organization.id == org_id))).scalar_one_or_none()
    if org is None:
        raise NotFound("organisation not found")
    return org


async def _authorise(session: AsyncSession, org_id: int, user_id: int | None) -> None:
    if user_id is not None:
        await require_role(session, org_id, user_id, EDITOR)


def _kind(kind: str) -> str:
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise ServiceError(f"unknown rule {kind!r}; one of {', '.join(KINDS)}")
    return kind


async def rule_settings(session: AsyncSession, org_id: int) -> list[RuleSetting]:
    """Every rule with its state and effective thresholds, in evaluation order."""
    org = await _org(session, org_id)
    off, overrides = disabled_kinds(org.settings), org_thresholds(org.settings)
    out = []
    for kind in KINDS:
        defaults = {n: t.default for n, t in TUNABLES.get(kind, {}).items()}
        values = {n: overrides.get(kind, {}).get(n, d) for n, d in defaults.items()}
        out.append(RuleSetting(kind, kind not in off, values, defaults))
    return out


def _save(org: Organization, stored: dict[str, Any]) -> None:
    org.settings = {**(org.settings or {}), KEY: stored}  # a new dict: JSON change tracked


async def set_rule_enabled(session: AsyncSession, org_id: int, user_id: int | None, kind: str,
                           enabled: bool, *, actor_telegram_id: int | None = None) -> int:
    """Turn a rule on or off; returns how many recommendations were dismissed or reopened."""
    await _authorise(session, org_id, user_id)
    kind = _kind(kind)
    org = await _org(session, org_id)
    stored = _stored(org.settings)
    off = set(disabled_kinds(org.settings))
    changed = 0
    if enabled and kind in off:
        off.discard(kind)
        rows = (await session.execute(select(Recommendation).where(
            Recommendation.org_id == org_id, Recommendation.kind == kind,
            Recommendation.status == "dismissed",
            Recommendation.decision_reason == RULE_OFF))).scalars().all()
        for rec in rows:
            rec.status, rec.decision_reason, rec.decided_at = "new", None, None
        changed = len(rows)
    elif not enabled and kind not in off:
        off.add(kind)
        rows = (await session.execute(select(Recommendation).where(
            Recommendation.org_id == org_id, Recommendation.kind == kind,
            Recommendation.status.in_(("new", "snoozed"))))).scalars().all()
        for rec in rows:
            rec.status, rec.decision_reason, rec.snoozed_until = "dismissed", RULE_OFF, None
        changed = len(rows)
    else:
        return 0
    stored["off"] = sorted(off)
    _save(org, stored)
    await session.flush()
    action = "recommendation_rule.enable" if enabled else "recommendation_rule.disable"
    await audit(session, action, org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="recommendation_rule", object_id=kind, recommendations=changed,
                via="bot" if user_id is not None else "cli")
    return changed


def _number(value: str | float | Decimal) -> float:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ThresholdInputError("number", str(value), f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ThresholdInputError("number", str(value), f"{value!r} is not a number")
    return float(number)


async def set_threshold(session: AsyncSession, org_id: int, user_id: int | None, kind: str,
                        name: str, value: str | float | Decimal | None, *,
                        actor_telegram_id: int | None = None) -> float:
    """Set a rule's threshold (None: back to the default); returns the effective value.
    The next evaluation (after a sync, or `infrazen recs --evaluate`) uses it."""
    await _authorise(session, org_id, user_id)
    kind = _kind(kind)
    tunable = TUNABLES.get(kind, {}).get(name)
    if tunable is None:
        names = ", ".join(f"{k}.{n}" for k, values in TUNABLES.items() for n in values)
        raise ServiceError(f"{kind} has no threshold {name!r}; tunable: {names}")
    org = await _org(session, org_id)
    stored = _stored(org.settings)
    thresholds = org_thresholds(org.settings)
    before = thresholds.get(kind, {}).get(name, tunable.default)
    if value is None:
        thresholds.get(kind, {}).pop(name, None)
        effective = tunable.default
    else:
        effective = _number(value)
        if not tunable.low <= effective <= tunable.high:
            raise ThresholdInputError(
                "range", str(value), f"{kind}.{name} must be between {tunable.low:g} and "
                f"{tunable.high:g}, got {effective:g}", tunable)
        thresholds.setdefault(kind, {})[name] = effective
    stored["thresholds"] = {k: v for k, v in thresholds.items() if v}
    _save(org, stored)
    await session.flush()
    await audit(session, "recommendation_rule.threshold", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="recommendation_rule",
                object_id=kind, name=name, before=before, after=effective,
                via="bot" if user_id is not None else "cli")
    return effective
