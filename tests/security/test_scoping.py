"""Organisation scoping: a caller in org A who names an object of org B gets NotFound (or is
refused) and B's rows are byte-for-byte the same afterwards.

`CASES` lists every public service function that takes an object id; `EXEMPT` lists, with the
reason, those whose id never comes from a user. The guard test below fails when a new public
function with an `*_id` parameter is in neither table, so a new service cannot skip scoping.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import core.alerts
import core.jobs
import core.services
from bot.composition import default_adapters
from connectors.files import BILLING_FILES as FILES
from core.alerts import feedback
from core.clock import FrozenClock
from core.db.base import Base
from core.db.models import (
    AlertEvent,
    AlertFeedback,
    BoundChat,
    Membership,
    Recommendation,
    User,
)
from core.domain.roles import Role
from core.security.vault import Vault
from core.services import (
    allocation,
    budgets,
    chats,
    connections,
    currency,
    focus_import,
    team,
    users,
)
from core.services.errors import Forbidden, NotFound
from core.services.recommendations import lifecycle
from core.services.sync import run as sync_run
from tests.alerts import factory

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
CLOCK = FrozenClock(NOW)
FOCUS_CSV: bytes = (b"BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
                    b"BillingCurrency,"
                    b"ServiceName\n2026-10-01,2026-10-01,2026-10-02,10,RUB,Compute\n")
MANUAL_CSV: bytes = b"date,service,resource,cost\n2026-10-01,Compute,web-1,10\n"
OWN_IDS = frozenset({"org_id", "user_id", "actor_user_id", "actor_telegram_id"})


@dataclass
class Org:
    """One tenant's ids: its owner and one object of each kind."""

    org_id: int
    user_id: int
    telegram_id: int
    connection_id: int
    focus_id: int
    manual_id: int
    rec_id: int
    budget_id: int
    rule_id: int
    rate_id: int
    event_id: int
    member_id: int
    chat_id: int


async def _tenant(s: AsyncSession, name: str, telegram_id: int) -> Org:
    org = await factory.org(s, name)
    owner = await factory.member(s, org.id, telegram_id, "owner")
    viewer = await factory.member(s, org.id, telegram_id + 1, "viewer")
    conn = await factory.connection(s, org.id, "selectel", "main")
    focus = await factory.connection(s, org.id, "focus", "focus")
    manual = await factory.connection(s, org.id, "manual_csv", "manual")
    rec = Recommendation(org_id=org.id, dedup_key=f"r-{name}", kind="idle", title="Idle VM",
                         monthly_saving=Decimal("100"), currency="RUB", status="open")
    event = AlertEvent(org_id=org.id, rule="anomaly", severity="warning", dedup_key=f"a-{name}",
                       payload={"dates": {"start": "2026-10-30"}, "values": {"series": "org"}},
                       status="open", created_at=NOW)
    s.add_all([rec, event])
    await s.flush()
    budget = await budgets.create_budget(s, org.id, owner.id, name="Month",
                                         amount=Decimal("1000"))
    rule = await allocation.create_rule(s, org.id, owner.id, name="web",
                                        match={"name": "web-*"}, team="web")
    rate = await currency.set_rate(s, org.id, owner.id, "USD", Decimal("90"), date(2026, 1, 1))
    member = (await s.execute(select(Membership.id).where(
        Membership.org_id == org.id, Membership.user_id == viewer.id))).scalar_one()
    chat_id = -1000 - telegram_id
    await chats.bind_chat(s, org.id, owner.id, chat_id, title=name, kind=chats.ScopeKind.ORG)
    return Org(org.id, owner.id, telegram_id, conn.id, focus.id, manual.id, rec.id, budget,
               rule, rate.id, event.id, member, chat_id)


async def _snapshot(s: AsyncSession, b: Org) -> list[tuple[Any, ...]]:
    """Every row of org B (tables with org_id), plus B's alert feedback and chat binding."""
    rows: list[tuple[Any, ...]] = []
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        if "org_id" not in table.c or table.name == "audit_log":
            continue
        for row in (await s.execute(select(table).where(table.c.org_id == b.org_id)
                                    .order_by(*table.primary_key.columns))).all():
            rows.append((table.name, *row))
    feedback_table: Table = AlertFeedback.__table__  # type: ignore[assignment]
    rows += [("alert_feedback", *r) for r in (await s.execute(
        select(feedback_table).where(feedback_table.c.event_id == b.event_id))).all()]
    rows += [("bound_chats", *r) for r in (await s.execute(
        select(BoundChat.__table__).where(BoundChat.chat_id == b.chat_id))).all()]
    return rows


Call = Callable[[AsyncSession, Org, Org, Any], Awaitable[object]]


def _actor(a: Org) -> connections.Actor:
    return connections.Actor(user_id=a.user_id, telegram_id=a.telegram_id)


CASES: dict[str, Call] = {
    "allocation.accept_rule": lambda s, a, b, d: allocation.accept_rule(
        s, a.org_id, a.user_id, b.rule_id),
    "allocation.delete_rule": lambda s, a, b, d: allocation.delete_rule(
        s, a.org_id, a.user_id, b.rule_id),
    "allocation.get_rule": lambda s, a, b, d: allocation.get_rule(s, a.org_id, b.rule_id),
    "allocation.update_rule": lambda s, a, b, d: allocation.update_rule(
        s, a.org_id, a.user_id, b.rule_id, team="stolen", match={"name": "*"}),
    "budgets.budget_destination": lambda s, a, b, d: budgets.budget_destination(
        s, a.org_id, b.budget_id),
    "budgets.create_budget": lambda s, a, b, d: budgets.create_budget(
        s, a.org_id, a.user_id, name="To B's group", amount=Decimal("5"),
        alert_chat_id=b.chat_id),
    "budgets.budget_status": lambda s, a, b, d: budgets.budget_status(
        s, a.org_id, b.budget_id, CLOCK),
    "budgets.budget_vs_actual": lambda s, a, b, d: budgets.budget_vs_actual(
        s, a.org_id, b.budget_id, CLOCK),
    "budgets.delete_budget": lambda s, a, b, d: budgets.delete_budget(
        s, a.org_id, a.user_id, b.budget_id),
    "budgets.update_budget": lambda s, a, b, d: budgets.update_budget(
        s, a.org_id, a.user_id, b.budget_id, amount=Decimal("1"), is_active=False),
    "chats.bind_chat": lambda s, a, b, d: chats.bind_chat(
        s, a.org_id, a.user_id, b.chat_id, title="stolen", kind=chats.ScopeKind.ORG),
    "chats.unbind_chat": lambda s, a, b, d: chats.unbind_chat(s, a.user_id, b.chat_id),
    "connections.get_connection": lambda s, a, b, d: connections.get_connection(
        s, a.org_id, b.connection_id, today=NOW.date(), actor=_actor(a)),
    "connections.rename_connection": lambda s, a, b, d: connections.rename_connection(
        s, a.org_id, b.connection_id, "stolen", actor=_actor(a)),
    "connections.set_interval": lambda s, a, b, d: connections.set_interval(
        s, a.org_id, b.connection_id, 60, actor=_actor(a)),
    "connections.pause_connection": lambda s, a, b, d: connections.pause_connection(
        s, a.org_id, b.connection_id, actor=_actor(a)),
    "connections.resume_connection": lambda s, a, b, d: connections.resume_connection(
        s, a.org_id, b.connection_id, actor=_actor(a), now=NOW),
    "connections.delete_connection": lambda s, a, b, d: connections.delete_connection(
        s, a.org_id, b.connection_id, actor=_actor(a)),
    "currency.delete_rate": lambda s, a, b, d: currency.delete_rate(
        s, a.org_id, a.user_id, b.rate_id),
    "focus_import.import_focus": lambda s, a, b, d: focus_import.import_focus(
        s, FILES, a.org_id, b.focus_id, io.BytesIO(FOCUS_CSV), actor=_actor(a), now=NOW),
    "focus_import.import_manual_csv": lambda s, a, b, d: focus_import.import_manual_csv(
        s, FILES, a.org_id, b.manual_id, io.BytesIO(MANUAL_CSV), actor=_actor(a), now=NOW),
    "focus_import.import_file": lambda s, a, b, d: focus_import.import_file(
        s, FILES, a.org_id, b.manual_id, io.BytesIO(MANUAL_CSV), actor=_actor(a), now=NOW),
    "recommendations.lifecycle.accept": lambda s, a, b, d: lifecycle.accept(
        s, a.org_id, a.user_id, b.rec_id, CLOCK),
    "recommendations.lifecycle.complete": lambda s, a, b, d: lifecycle.complete(
        s, a.org_id, a.user_id, b.rec_id, CLOCK),
    "recommendations.lifecycle.dismiss": lambda s, a, b, d: lifecycle.dismiss(
        s, a.org_id, a.user_id, b.rec_id, CLOCK),
    "recommendations.lifecycle.snooze": lambda s, a, b, d: lifecycle.snooze(
        s, a.org_id, a.user_id, b.rec_id, CLOCK, days=7),
    "sync.run.run_sync": lambda s, a, b, d: sync_run.run_sync(
        d, b.connection_id, org_id=a.org_id),
    "team.get_member": lambda s, a, b, d: team.get_member(s, a.org_id, a.user_id, b.member_id),
    "team.change_role": lambda s, a, b, d: team.change_role(
        s, a.org_id, a.user_id, b.member_id, Role.ADMIN),
    "team.remove_member": lambda s, a, b, d: team.remove_member(
        s, a.org_id, a.user_id, b.member_id),
    "alerts.feedback.load_event": lambda s, a, b, d: feedback.load_event(
        s, a.org_id, b.event_id),
    "alerts.feedback.record_feedback": lambda s, a, b, d: feedback.record_feedback(
        s, org_id=a.org_id, user_id=a.user_id, event_id=b.event_id, action="planned", now=NOW),
}

# Public functions with an object id that never comes from a user, and why.
EXEMPT: dict[str, str] = {
    "admin.resolve_unrecognized": "superadmin-only tool spanning organisations by design",
    "audit.audit": "writes the audit row; object_id is what the caller already loaded",
    "chats.get_binding": "keyed by the Telegram chat the update came from",
    "chats.chat_reachable": "keyed by the Telegram chat the update came from",
    "outbox.enqueue": "delivery queue fed by jobs, no user input",
    "outbox.mark_sent": "delivery worker bookkeeping on its own leased rows",
    "outbox.mark_retry": "delivery worker bookkeeping on its own leased rows",
    "outbox.mark_failed": "delivery worker bookkeeping on its own leased rows",
    "outbox.mark_blocked": "delivery worker bookkeeping on its own leased rows",
    "outbox.defer": "delivery worker bookkeeping on its own leased rows",
    "focus_import.resume_swaps": "start-up and the import itself finishing their own staged "
                                 "swaps; no user input",
    "rollups.refresh": "called by the sync and the import swap with the connection they "
                       "loaded, inside their transaction",
    "rollups.refresh_statements": "the statements of `rollups.refresh`, run by the line "
                                  "writer (`core.db.cost_store`) in its caller's "
                                  "transaction; reads nothing of its own",
    "rollups.write_summed": "called by the import with the connection it loaded (and "
                            "checked the caller's role for), inside its transaction",
    "rollups.unowned_key": "builds a key tuple from values the import already holds; reads "
                           "nothing",
    "day_digests.recorded": "called by the import swap with the connection it loaded (and "
                            "checked the caller's role for), under its lease",
    "day_digests.clear": "called by each import swap step with the connection the import "
                         "loaded, inside its transaction",
    "day_digests.write": "called by each import swap step with the connection the import "
                         "loaded, inside its transaction",
    "resource_months.build": "the job and the rebuild command pass (org, connection, month) "
                             "triples that stale() read from the state table; no user input",
    "resource_months.read_month": "called by build with a triple from stale(); no user input",
    "orgs.ensure_user": "telegram_id is the sender of the update",
    "sync.apply.apply_collection": "called by run_sync with the connection it loaded",
    "sync.apply.record_failure": "called by run_sync with the connection it loaded",
    "sync.costs.clear_days": "called by the sync engine with the connection it loaded",
    "sync.estimates.apply_observed": "called by the sync engine with the connection it loaded",
    "sync.costs.replace_window": "called by the sync engine with the connection it loaded",
    "sync.resources.upsert_resources": "called by the sync engine with the connection it loaded",
}

def _public_functions_with_ids() -> set[str]:
    """`module.function` (relative to core.services / core) for every public function that
    takes an object id besides the caller's own ids."""
    found: set[str] = set()
    for package, prefix in ((core.services, "core.services."), (core.alerts, "core."),
                            (core.jobs, "core.")):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for name, fn in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("_") or fn.__module__ != info.name:
                    continue
                params = inspect.signature(fn).parameters
                if any(p.endswith("_id") and p not in OWN_IDS for p in params):
                    found.add(f"{info.name.removeprefix(prefix)}.{name}")
    return found


def test_every_service_taking_an_object_id_is_in_the_scoping_table() -> None:
    found = _public_functions_with_ids()
    missing = found - set(CASES) - set(EXEMPT)
    assert not missing, f"add these to CASES (or EXEMPT with a reason): {sorted(missing)}"
    stale = (set(CASES) | set(EXEMPT)) - found
    assert not stale, f"no longer exist, remove from the tables: {sorted(stale)}"


@pytest.fixture
async def two_orgs(session_maker: async_sessionmaker[AsyncSession]) -> tuple[Org, Org]:
    async with session_maker() as s, s.begin():
        a = await _tenant(s, "Alpha", 1000)
        b = await _tenant(s, "Beta", 2000)
    return a, b


@pytest.mark.parametrize("case", sorted(CASES))
async def test_foreign_object_id_is_not_found_and_untouched(
        case: str, two_orgs: tuple[Org, Org], session_maker: async_sessionmaker[AsyncSession],
        vault: Vault) -> None:
    a, b = two_orgs
    deps = SimpleNamespace(sessions=session_maker, adapters=default_adapters(),
                           vault=vault, http=None, clock=CLOCK)
    async with session_maker() as s:
        before = await _snapshot(s, b)
    async with session_maker() as s:
        with pytest.raises((NotFound, Forbidden)):
            async with s.begin():
                await CASES[case](s, a, b, deps)
    async with session_maker() as s:
        assert await _snapshot(s, b) == before


async def test_switching_to_an_organisation_one_is_not_in_is_not_found(
        two_orgs: tuple[Org, Org], session_maker: async_sessionmaker[AsyncSession]) -> None:
    """The org picker's callback carries an org id: only the caller's memberships count."""
    a, b = two_orgs
    async with session_maker() as s:
        with pytest.raises(NotFound):
            await users.set_active_org(s, a.user_id, b.org_id)
        user = await s.get(User, a.user_id)
        assert user is not None
        assert user.active_org_id != b.org_id
