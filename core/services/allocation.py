"""Allocation without tags: org rules give resources a team / project / environment / cost centre.

Precedence, per field: the resource's own tag wins (an owner said so explicitly), then the
active rules in priority order (lower number first, then oldest), then — for the project
only — what the provider reported. Rules match on a name pattern (a glob such as `*-prod-*`,
or `re:` + a regular expression; case-insensitive), provider, connection, service, region
and tags; every condition given must hold. Suggested rules (status `suggested`) come from
naming patterns already present and wait for someone to accept them.

Owners, admins and finance change rules (from the chat), as does the operator at the CLI
(`user_id=None`); every change is audited with the rule before and after, and re-applies the
rules at once so coverage moves with it.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import AllocationRule, Connection, Resource
from core.domain.roles import Role
from core.services import costs
from core.services.audit import audit
from core.services.errors import NotFound, ServiceError
from core.services.exports import chargeback_rows
from core.services.forecasts import org_info
from core.services.orgs import require_role

__all__ = ["COVERAGE_DAYS", "FIELDS", "MATCH_KEYS", "ApplyResult", "ChargebackLine", "Coverage",
           "RuleInputError", "accept_rule", "apply_rules", "chargeback", "coverage",
           "create_rule", "current_coverage", "delete_rule", "get_rule", "list_rules",
           "parse_match", "rule_matches", "showback", "suggest_rules", "update_rule"]

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
COVERAGE_DAYS = 30
EDITOR = Role.FINANCE


class RuleInputError(ServiceError):
    """A condition or a target a person typed does not fit; `field` says which."""

    code = "rule_input"

    def __init__(self, field: str, value: str, detail: str = "") -> None:
        super().__init__(detail or f"{field}: {value!r} does not fit")
        self.field, self.value = field, value


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


async def create_rule(session: AsyncSession, org_id: int, user_id: int | None, *, name: str,
                      match: dict[str, object], team: str | None = None,
                      project: str | None = None, environment: str | None = None,
                      cost_center: str | None = None, priority: int = 100,
                      actor_telegram_id: int | None = None) -> int:
    """Create an active rule (owner, admin, finance; or the CLI operator) and apply the rules
    at once; returns the rule id."""
    await _authorise(session, org_id, user_id)
    targets = _targets(team, project, environment, cost_center)
    name = _name(name)
    rule = AllocationRule(org_id=org_id, name=name, priority=priority,
                          match=_validate_match(dict(match)), status="active", **targets)
    session.add(rule)
    await session.flush()
    await audit(session, "allocation_rule.create", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="allocation_rule",
                object_id=rule.id, rule=_snapshot(rule), via=_via(user_id))
    await apply_rules(session, org_id)
    return rule.id


async def update_rule(session: AsyncSession, org_id: int, user_id: int | None, rule_id: int, *,
                      name: str | None = None, match: dict[str, object] | None = None,
                      team: str | None = None, project: str | None = None,
                      environment: str | None = None, cost_center: str | None = None,
                      priority: int | None = None,
                      actor_telegram_id: int | None = None) -> ApplyResult:
    """Change what is given of a rule (a suggested one stays suggested) and re-apply."""
    await _authorise(session, org_id, user_id)
    rule = await _rule(session, org_id, rule_id)
    before = _snapshot(rule)
    given = {k: v for k, v in (("team", team), ("project", project),
                               ("environment", environment), ("cost_center", cost_center))
             if v is not None}
    if given:  # "" clears a field; at least one must remain
        targets = _targets(**({f: getattr(rule, f) for f in FIELDS} | given))
        for field in FIELDS:
            setattr(rule, field, targets.get(field))
    if name is not None:
        rule.name = _name(name)
    if match is not None:
        rule.match = _validate_match(dict(match))
    if priority is not None:
        rule.priority = priority
    after = _snapshot(rule)
    await session.flush()
    await audit(session, "allocation_rule.update", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="allocation_rule",
                object_id=rule_id, before=before, after=after, via=_via(user_id))
    return await apply_rules(session, org_id)


def _targets(team: str | None = None, project: str | None = None,
             environment: str | None = None, cost_center: str | None = None) -> dict[str, str]:
    given = {k: v.strip() for k, v in (("team", team), ("project", project),
                                       ("environment", environment),
                                       ("cost_center", cost_center)) if v and v.strip()}
    if not given:
        raise RuleInputError("target", "",
                             "a rule must set a team, project, environment or cost centre")
    too_long = next((v for k, v in given.items()
                     if len(v) > (32 if k == "environment" else 100)), None)
    if too_long is not None:
        raise RuleInputError("target", too_long[:100])
    return given


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise RuleInputError("name", name[:100], "rule name must be 1–100 characters")
    return name


def _via(user_id: int | None) -> str:
    return "bot" if user_id is not None else "cli"


def _snapshot(rule: AllocationRule) -> dict[str, object]:
    return {"name": rule.name, "match": dict(rule.match or {}), "priority": rule.priority,
            "status": rule.status, **{f: getattr(rule, f) for f in FIELDS}}


async def _authorise(session: AsyncSession, org_id: int, user_id: int | None) -> None:
    """Members need finance or above; `None` is the operator at the CLI."""
    if user_id is not None:
        await require_role(session, org_id, user_id, EDITOR)


def parse_match(items: list[str] | tuple[str, ...]) -> dict[str, object]:
    """`name=web-*`, `provider=selectel`, `connection=3`, `service=Compute`, `region=ru-1`,
    `tag.env=prod` (repeatable) → a rule's match object, checked."""
    match: dict[str, object] = {}
    tags: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not key or not value:
            raise RuleInputError("match", item, f"a condition is FIELD=VALUE, got {item!r}")
        if key.startswith("tag.") or key.startswith("tags."):
            tags[key.split(".", 1)[1]] = value
            continue
        key = "connection_id" if key == "connection" else key
        if key not in MATCH_KEYS or key == "tags":
            raise RuleInputError("match", item, f"unknown match field {key!r}; use name, "
                                 "provider, connection, service, region or tag.KEY")
        match[key] = value
    if tags:
        match["tags"] = tags
    return _validate_match(match)


async def current_coverage(session: AsyncSession, org_id: int, clock: Clock,
                           days: int = COVERAGE_DAYS) -> Coverage:
    """Coverage of the last `days` complete days in the org's time zone."""
    info = await org_info(session, org_id, clock)
    return await coverage(session, org_id, info.yesterday - timedelta(days=days - 1),
                          info.yesterday)


async def _rule(session: AsyncSession, org_id: int, rule_id: int) -> AllocationRule:
    rule = (await session.execute(select(AllocationRule).where(
        AllocationRule.org_id == org_id, AllocationRule.id == rule_id))).scalar_one_or_none()
    if rule is None:
        raise NotFound("rule not found")
    return rule


async def get_rule(session: AsyncSession, org_id: int, rule_id: int) -> AllocationRule:
    """One rule of the org (NotFound for another org's id)."""
    return await _rule(session, org_id, rule_id)


async def accept_rule(session: AsyncSession, org_id: int, user_id: int | None, rule_id: int, *,
                      actor_telegram_id: int | None = None) -> ApplyResult:
    """Turn a suggested rule into an active one and apply."""
    await _authorise(session, org_id, user_id)
    rule = await _rule(session, org_id, rule_id)
    if rule.status != "suggested":
        raise RuleInputError("status", rule.status, "only a suggested rule can be accepted")
    rule.status = "active"
    await audit(session, "allocation_rule.accept", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="allocation_rule",
                object_id=rule_id, rule=_snapshot(rule), via=_via(user_id))
    return await apply_rules(session, org_id)


async def delete_rule(session: AsyncSession, org_id: int, user_id: int | None, rule_id: int, *,
                      actor_telegram_id: int | None = None) -> None:
    """Delete a rule, then re-apply the rest. A suggested rule is rejected instead: kept as
    `rejected` so the same suggestion does not come back."""
    await _authorise(session, org_id, user_id)
    rule = await _rule(session, org_id, rule_id)
    snapshot = _snapshot(rule)
    if rule.status == "suggested":
        rule.status = "rejected"
        await audit(session, "allocation_rule.reject", org_id=org_id,
                    actor_telegram_id=actor_telegram_id, object_type="allocation_rule",
                    object_id=rule_id, rule=snapshot, via=_via(user_id))
        return
    await session.delete(rule)
    await session.flush()
    await audit(session, "allocation_rule.delete", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="allocation_rule",
                object_id=rule_id, rule=snapshot, via=_via(user_id))
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
