"""Allocation without tags: org rules give resources a team / project / environment / cost centre.

Precedence, per field: the resource's own tag wins (an owner said so explicitly), then the
active rules in priority order (lower number first, then oldest), then — for the project
only — what the provider reported. Rules match on a name pattern (a glob such as `*-prod-*`,
or `re:` + a regular expression; case-insensitive), provider, connection, service, region
and tags; every condition given must hold. Suggested rules (status `suggested`) come from
naming patterns already present and wait for an admin to accept them.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import AllocationRule, Connection, Resource
from core.domain.roles import Role
from core.services import costs
from core.services.audit import audit
from core.services.errors import NotFound, ServiceError
from core.services.exports import chargeback_rows
from core.services.orgs import require_role

__all__ = ["FIELDS", "ApplyResult", "ChargebackLine", "Coverage", "accept_rule", "apply_rules",
           "chargeback", "coverage", "create_rule", "delete_rule", "list_rules", "rule_matches",
           "showback", "suggest_rules"]

FIELDS = ("team", "project", "environment", "cost_center")
TAG_KEYS: dict[str, tuple[str, ...]] = {
    "team": ("team", "owner-team"), "project": ("project",),
    "environment": ("env", "environment"),
    "cost_center": ("cost_center", "cost-center", "costcenter")}
MATCH_KEYS = ("name", "provider", "connection_id", "service", "region", "tags")
ENV_TOKENS: dict[str, tuple[str, ...]] = {
    "prod": ("prod", "production", "prd"), "stage": ("stage", "staging", "stg"),
    "dev": ("dev", "develop", "development"), "test": ("test", "qa", "testing")}
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ApplyResult:
    resources: int
    changed: int
    by_rule: dict[int, int]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Share of spend with an owner: `share` is the team coverage, the headline figure."""

    start: date
    end: date
    total: Decimal
    allocated: Decimal
    share: Decimal
    by_field: dict[str, Decimal]
    unallocated_top: tuple[costs.CostRow, ...]


@dataclass(frozen=True, slots=True)
class ChargebackLine:
    team: str
    project: str
    amount: Decimal
    share_percent: Decimal


def _pattern(text: str) -> re.Pattern[str]:
    if text.startswith("re:"):
        try:
            return re.compile(text[3:], re.IGNORECASE)
        except re.error as exc:
            raise ServiceError(f"the name pattern {text[3:]!r} is not a valid "
                               f"regular expression: {exc}") from exc
    return re.compile(fnmatch.translate(text), re.IGNORECASE)


def _validate_match(match: dict[str, object]) -> dict[str, object]:
    unknown = set(match) - set(MATCH_KEYS)
    if unknown:
        raise ServiceError(f"unknown match keys: {', '.join(sorted(unknown))}; "
                           f"use {', '.join(MATCH_KEYS)}")
    if not match:
        raise ServiceError("a rule needs at least one condition")
    if "name" in match:
        _pattern(str(match["name"]))
    if "tags" in match and not isinstance(match["tags"], dict):
        raise ServiceError("tags must be an object of key: value")
    return match


def rule_matches(match: dict[str, object], resource: Resource, provider: str) -> bool:
    """True when every condition of `match` holds for `resource` (of `provider`)."""
    if "name" in match and not _pattern(str(match["name"])).search(resource.name):
        return False
    if "provider" in match and str(match["provider"]).lower() != provider:
        return False
    if "connection_id" in match and str(match["connection_id"]) != str(resource.connection_id):
        return False
    if "service" in match and str(match["service"]).lower() != (
            resource.service_name or "").lower():
        return False
    if "region" in match and str(match["region"]).lower() != (resource.region or "").lower():
        return False
    tags = match.get("tags")
    if isinstance(tags, dict):
        own = resource.tags or {}
        if any(own.get(str(k)) != str(v) for k, v in tags.items()):
            return False
    return True


def _tag(resource: Resource, field: str) -> str | None:
    own = resource.tags or {}
    return next((own[k] for k in TAG_KEYS[field] if own.get(k)), None)


async def _providers(session: AsyncSession, org_id: int) -> dict[int, str]:
    return dict((await session.execute(select(Connection.id, Connection.kind).where(
        Connection.org_id == org_id))).all())


async def apply_rules(session: AsyncSession, org_id: int) -> ApplyResult:
    """Recompute team / project / environment / cost centre of every resource of the org."""
    rules = (await session.execute(select(AllocationRule).where(
        AllocationRule.org_id == org_id, AllocationRule.status == "active")
        .order_by(AllocationRule.priority, AllocationRule.id))).scalars().all()
    providers = await _providers(session, org_id)
    resources = (await session.execute(select(Resource).where(
        Resource.org_id == org_id))).scalars().all()
    used: Counter[int] = Counter()
    changed = 0
    for res in resources:
        matching = [r for r in rules
                    if rule_matches(r.match or {}, res, providers.get(res.connection_id, ""))]
        dirty = False
        for field in FIELDS:
            value = _tag(res, field)
            if value is None:
                rule = next((r for r in matching if getattr(r, field)), None)
                if rule is not None:
                    value = getattr(rule, field)
                    used[rule.id] += 1
            if value is None and field == "project":
                value = res.project
            if value != getattr(res, field):
                setattr(res, field, value)
                dirty = True
        changed += dirty
    await session.flush()
    return ApplyResult(len(resources), changed, dict(used))


async def create_rule(session: AsyncSession, org_id: int, user_id: int, *, name: str,
                      match: dict[str, object], team: str | None = None,
                      project: str | None = None, environment: str | None = None,
                      cost_center: str | None = None, priority: int = 100,
                      actor_telegram_id: int | None = None) -> int:
    """Create an active rule (admins) and apply the rules at once; returns the rule id."""
    await require_role(session, org_id, user_id, Role.ADMIN)
    if not any((team, project, environment, cost_center)):
        raise ServiceError("a rule must set a team, project, environment or cost centre")
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError("rule name must be 1–100 characters")
    rule = AllocationRule(org_id=org_id, name=name, priority=priority,
                          match=_validate_match(dict(match)), team=team, project=project,
                          environment=environment, cost_center=cost_center, status="active")
    session.add(rule)
    await session.flush()
    await audit(session, "allocation_rule.create", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="allocation_rule",
                object_id=rule.id, name=name, match=rule.match)
    await apply_rules(session, org_id)
    return rule.id


async def _rule(session: AsyncSession, org_id: int, rule_id: int) -> AllocationRule:
    rule = (await session.execute(select(AllocationRule).where(
        AllocationRule.org_id == org_id, AllocationRule.id == rule_id))).scalar_one_or_none()
    if rule is None:
        raise NotFound("rule not found")
    return rule


async def accept_rule(session: AsyncSession, org_id: int, user_id: int, rule_id: int, *,
                      actor_telegram_id: int | None = None) -> ApplyResult:
    """Turn a suggested rule into an active one and apply."""
    await require_role(session, org_id, user_id, Role.ADMIN)
    rule = await _rule(session, org_id, rule_id)
    rule.status = "active"
    await audit(session, "allocation_rule.accept", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="allocation_rule",
                object_id=rule_id, name=rule.name)
    return await apply_rules(session, org_id)


async def delete_rule(session: AsyncSession, org_id: int, user_id: int, rule_id: int, *,
                      actor_telegram_id: int | None = None) -> None:
    """Delete (or reject a suggested) rule, then re-apply the rest."""
    await require_role(session, org_id, user_id, Role.ADMIN)
    rule = await _rule(session, org_id, rule_id)
    await session.delete(rule)
    await session.flush()
    await audit(session, "allocation_rule.delete", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="allocation_rule",
                object_id=rule_id, name=rule.name)
    await apply_rules(session, org_id)


async def list_rules(session: AsyncSession, org_id: int) -> list[AllocationRule]:
    return list((await session.execute(select(AllocationRule).where(
        AllocationRule.org_id == org_id).order_by(
            AllocationRule.status, AllocationRule.priority, AllocationRule.id))).scalars())


def _tokens(name: str) -> set[str]:
    return {t for t in re.split(r"[-_.\s]+", name.lower())
            if len(t) >= 2 and re.search(r"[a-zа-я]", t)}


def _token_regex(tokens: tuple[str, ...]) -> str:
    return "re:(^|[-_.])(" + "|".join(tokens) + r")([-_.\d]|$)"


async def suggest_rules(session: AsyncSession, org_id: int) -> list[AllocationRule]:
    """Suggest rules from names: environment words (`-prod-`, `dev-`, `stage-`…), and words
    that every tagged resource carrying them shares one team or project with (`k8s-` → k8s).
    Stored with status `suggested` (once per name); returns the suggestions still pending."""
    resources = (await session.execute(select(Resource).where(
        Resource.org_id == org_id, Resource.is_deleted.is_(False)))).scalars().all()
    existing = {r.name for r in await list_rules(session, org_id)}
    proposals: list[AllocationRule] = []
    for env, words in ENV_TOKENS.items():
        hits = [r for r in resources if not r.environment and _tokens(r.name) & set(words)]
        if hits:
            proposals.append(AllocationRule(
                org_id=org_id, name=f"env {env}: {'/'.join(words)}", priority=200,
                match={"name": _token_regex(words)}, environment=env, status="suggested"))
    env_words = {w for words in ENV_TOKENS.values() for w in words}
    for field in ("team", "project"):
        owners: dict[str, set[str]] = defaultdict(set)
        seen: Counter[str] = Counter()
        for r in resources:
            value = getattr(r, field)
            if value:
                for token in _tokens(r.name) - env_words:
                    owners[token].add(value)
                    seen[token] += 1
        for token, values in sorted(owners.items()):
            if len(values) != 1 or seen[token] < 2:
                continue
            hits = [r for r in resources if not getattr(r, field) and token in _tokens(r.name)]
            if hits:
                value = next(iter(values))
                proposals.append(AllocationRule(
                    org_id=org_id, name=f"{field} {value}: {token}", priority=300,
                    match={"name": _token_regex((token,))}, status="suggested",
                    **{field: value}))
    for rule in proposals:
        if rule.name not in existing:
            session.add(rule)
    await session.flush()
    return [r for r in await list_rules(session, org_id) if r.status == "suggested"]


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


async def coverage(session: AsyncSession, org_id: int, start: date, end: date) -> Coverage:
    """How much of the spend of [start, end] has an owner ("87 % allocated")."""
    total = await costs.total(session, org_id, start, end)
    by_field: dict[str, Decimal] = {}
    owned: dict[str, Decimal] = {}
    for field, dim in (("team", costs.Dimension.TEAM), ("project", costs.Dimension.PROJECT),
                       ("environment", costs.Dimension.ENVIRONMENT)):
        rows = await costs.breakdown(session, org_id, start, end, dim)
        owned[field] = sum((r.amount for r in rows if r.key), ZERO)
        by_field[field] = _percent(owned[field], total)
    allocated = owned["team"]
    names = await _unowned_names(session, org_id)
    unowned = [r for r in await costs.breakdown(session, org_id, start, end,
                                                costs.Dimension.RESOURCE) if r.key in names]
    return Coverage(start, end, total.quantize(Decimal("0.01")),
                    allocated.quantize(Decimal("0.01")), _percent(allocated, total), by_field,
                    tuple(unowned[:10]))


async def _unowned_names(session: AsyncSession, org_id: int) -> set[str]:
    rows = (await session.execute(select(Resource.name).where(
        Resource.org_id == org_id, Resource.team.is_(None)))).scalars()
    return set(rows)


async def showback(session: AsyncSession, org_id: int, start: date, end: date,
                   by: str = "team") -> list[costs.CostRow]:
    """Spend by team or project; the empty key is what no one owns yet."""
    dim = {"team": costs.Dimension.TEAM, "project": costs.Dimension.PROJECT,
           "environment": costs.Dimension.ENVIRONMENT}.get(by)
    if dim is None:
        raise ServiceError("showback is by team, project or environment")
    return await costs.breakdown(session, org_id, start, end, dim)


async def chargeback(session: AsyncSession, org_id: int, start: date,
                     end: date) -> list[ChargebackLine]:
    """Team × project amounts with their share of the period (the chargeback CSV's rows)."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in await chargeback_rows(session, org_id, start, end):
        sums[(row.team, row.project)] += row.cost
    total = sum(sums.values(), ZERO)
    lines = [ChargebackLine(team, project, amount.quantize(Decimal("0.01")),
                            _percent(amount, total)) for (team, project), amount in sums.items()]
    return sorted(lines, key=lambda r: (-r.amount, r.team, r.project))
