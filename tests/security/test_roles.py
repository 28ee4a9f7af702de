"""Roles are checked on every action.

`HANDLERS` documents, for every handler of the production dispatcher, what guards it: a
`RoleFilter` on its registration, the superadmin gate on its router, or a check it (or the core
service it calls) makes itself; handlers that change only the caller's own settings or read are
marked so, with the reason. The walk fails when a handler is added without an entry, and each
entry is verified against the real router tree and source. The riskiest buttons are then pressed
by a viewer end to end: every mutating button of a connection card and of an alert.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from aiogram import Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery
from aiogram.types import User as TgUser
from sqlalchemy import select

from bot.features.admin.callbacks import AdminAction, AdminCb
from bot.features.alerts.callbacks import AlertAction, AlertCallback
from bot.features.allocation.callbacks import AllocAction, AllocCb
from bot.features.budgets.callbacks import BudgetAction, BudgetCb, WizardCb, WizardStep
from bot.features.connections import imports, wizard
from bot.features.connections.callbacks import ConnAction, ConnCb, ImportCb, WizAction, WizCb
from bot.features.menu.callbacks import MenuAction, MenuCb
from bot.features.questions.callbacks import RecAction, RecCb
from bot.features.recsettings.callbacks import RuleEditCb, ThresholdAction
from bot.features.reports import handlers as reports
from bot.features.settings.callbacks import SetAction, SetCb
from bot.features.team.callbacks import MemberAction, MemberCb
from bot.filters import RoleFilter, SuperadminFilter
from bot.routers import build_root_router
from core.db.base import Base
from core.db.models import AlertEvent, Connection, Membership, Recommendation, User
from core.domain.roles import Role, role_at_least
from core.services import allocation, budgets, chats
from core.services.recommendations import lifecycle
from core.tasks import default_tasks
from tests.bot.harness import BotHarness
from tests.bot.seed import org_with


@dataclass(frozen=True)
class Filter:
    """A RoleFilter of at least `role` on the registration."""

    role: Role


@dataclass(frozen=True)
class Superadmin:
    """The router-level SuperadminFilter."""


@dataclass(frozen=True)
class Calls:
    """The handler's source contains `marker`, and `checker` (reached through it) checks a role."""

    marker: str
    checker: Callable[..., Any]


@dataclass(frozen=True)
class Own:
    """Changes only the caller's own data, or reads; `why` says which."""

    why: str


Guard = Filter | Superadmin | Calls | Own
SA = Superadmin()

HANDLERS: dict[str, tuple[Guard, ...]] = {
    # onboarding: the sender's own account and the organisation they are creating
    "onboarding:message:cmd_start#0": (Own("starts the sender's onboarding"),),
    "onboarding:message:cmd_demo#0": (Own("opens the read-only demo"),),
    "onboarding:message:cmd_help#0": (Own("reads help"),),
    "onboarding:message:got_name#0": (Own("names the org the sender is creating"),),
    "onboarding:message:choose_currency#0": (Own("the org the sender is creating"),),
    "onboarding:message:choose_timezone#0": (Own("the org the sender is creating"),),
    "onboarding:callback_query:choose_language#0": (Own("the sender's language"),),
    "onboarding:callback_query:on_create_org#0": (Own("starts the sender's own organisation"),),
    "onboarding:callback_query:on_open_demo#0": (Own("opens the read-only demo"),),
    "onboarding:callback_query:on_join_hint#0": (Own("explains invite links"),),
    "onboarding:callback_query:choose_currency#0": (Own("the org the sender is creating"),),
    "onboarding:callback_query:choose_timezone#0": (Own("the org the sender is creating"),),
    # settings: per-user language, time zone, notification preferences (membership checked)
    "settings:message:cmd_settings#0": (Own("reads the sender's settings"),),
    "settings:message:on_timezone#0": (Own("the sender's time zone"),),
    "settings:message:on_quiet_text#0": (Own("the sender's quiet hours"),),
    "settings:callback_query:on_settings_menu#0": (Own("reads the sender's settings"),),
    "settings:callback_query:ask_language#0": (Own("offers languages"),),
    "settings:callback_query:on_language#0": (Own("the sender's language"),),
    "settings:callback_query:ask_timezone#0": (Own("offers time zones"),),
    "settings:callback_query:on_notify#0": (Own("reads the sender's notification settings"),),
    "settings:callback_query:on_severity#0": (Own("the sender's notification settings"),),
    "settings:callback_query:on_mode#0": (Own("the sender's notification settings"),),
    "settings:callback_query:on_quiet#0": (Own("the sender's quiet hours"),),
    "settings:callback_query:on_digest#0": (Own("the sender's digest hour"),),
    "settings:callback_query:on_llm#0": (Filter(Role.ADMIN),),  # the organisation's LLM switch
    "settings:callback_query:on_timezone#0": (Own("the sender's time zone"),),
    # rates: everyone sees them; owner, admin and finance set them (set_rate checks again)
    "rates:message:cmd_rates#0": (Filter(Role.VIEWER),),
    "rates:callback_query:on_cancel#0": (Own("ends the sender's own set-a-rate flow"),),
    "rates:callback_query:on_set#0": (Filter(Role.FINANCE),),
    "rates:callback_query:on_currency#0": (Filter(Role.FINANCE),),
    "rates:message:on_currency_text#0": (Filter(Role.FINANCE),),
    "rates:message:on_rate_text#0": (Filter(Role.FINANCE),),
    "rates:callback_query:on_since#0": (Filter(Role.FINANCE),),
    "rates:message:on_since_text#0": (Filter(Role.FINANCE),),
    # team
    "team:message:cmd_invite#0": (Filter(Role.ADMIN),),
    "team:message:cmd_members#0": (Filter(Role.VIEWER),),
    "team:message:cmd_bind#0": (Filter(Role.ADMIN),),
    "team:message:cmd_unbind#0": (Calls("chats.unbind_chat", chats.unbind_chat),),
    "team:message:only_in_group#0": (Own("a hint"),),
    "team:message:cmd_org#0": (Own("lists the sender's organisations"),),
    "team:message:start_in_group#0": (Own("a greeting"),),
    "team:callback_query:on_invite_role#0": (Filter(Role.ADMIN),),
    "team:callback_query:on_member_list#0": (Filter(Role.VIEWER),),
    "team:callback_query:on_member_open#0": (Filter(Role.ADMIN),),
    "team:callback_query:on_member_role#0": (Filter(Role.ADMIN),),
    "team:callback_query:on_member_remove#0": (Filter(Role.ADMIN),),
    "team:callback_query:on_member_confirm#0": (Filter(Role.ADMIN),),
    "team:callback_query:on_bind#0": (Filter(Role.ADMIN),),
    "team:callback_query:on_org#0": (Own("switches among the sender's own memberships"),),
    "team:my_chat_member:bot_added_to_group#0": (
        Own("resumes only a binding that removing the bot paused, never an unbound one"),),
    "team:my_chat_member:bot_blocked#0": (Own("the sender's blocked flag"),),
    "team:my_chat_member:bot_unblocked#0": (Own("the sender's blocked flag"),),
    # admin: superadmins only, for the whole router
    "admin:message:show_panel#0": (SA,),
    "admin:message:find_users#0": (SA,),
    "admin:message:find_orgs#0": (SA,),
    "admin:message:act_as#0": (SA,),
    "admin:message:exit_support#0": (SA,),
    "admin:message:show_unrecognized#0": (SA,),
    "admin:message:resolve#0": (SA,),
    "admin:message:broadcast#0": (SA,),
    "admin:message:reseed#0": (SA,),
    "admin:message:usage#0": (SA,),
    "admin:message:on_resolve_note#0": (SA,),
    "admin:callback_query:on_broadcast_ok#0": (SA,),
    "admin:callback_query:on_stats#0": (SA,),
    "admin:callback_query:on_unrecognized#0": (SA,),
    "admin:callback_query:on_resolve#0": (SA,),
    "admin:callback_query:on_reseed#0": (SA,),
    "admin:callback_query:on_exit#0": (SA,),
    "admin:callback_query:on_act_as#0": (SA,),
    # alerts: details for anyone, every other button for members
    "alerts:callback_query:on_alert_details#0": (Filter(Role.VIEWER),),
    "alerts:callback_query:on_alert_ack#0": (Filter(Role.MEMBER),),
    "alerts:callback_query:on_alert_snooze#0": (Filter(Role.MEMBER),),
    "alerts:callback_query:on_alert_planned#0": (Filter(Role.MEMBER),),
    "alerts:callback_query:on_alert_expected#0": (Filter(Role.MEMBER),),
    # connections
    "connections:message:cancel#0": (Own("forgets the sender's wizard"),),
    "connections:message:cmd_connect#0": (Calls("start_wizard", wizard.start_wizard),),
    "connections:message:show_connections#0": (Filter(Role.VIEWER),),
    "connections:message:on_field#0": (Filter(Role.ADMIN),),
    "connections:message:on_field_not_text#0": (Filter(Role.ADMIN),),
    "connections:message:on_name#0": (Filter(Role.ADMIN),),
    "connections:message:on_text_after_failure#0": (Filter(Role.ADMIN),),
    "connections:message:on_rename#0": (Filter(Role.ADMIN),),
    "connections:message:on_document#0": (Calls("RoleFilter(Role.ADMIN)", imports.on_document),),
    # the /connect wizard's buttons: one registration each, all for admins
    "connections:callback_query:on_wizard_kind#0": (Filter(Role.ADMIN),),
    "connections:callback_query:on_wizard_skip#0": (Filter(Role.ADMIN),),
    "connections:callback_query:on_wizard_retry#0": (Filter(Role.ADMIN),),
    "connections:callback_query:on_wizard_fix#0": (Filter(Role.ADMIN),),
    "connections:callback_query:on_wizard_name#0": (Filter(Role.ADMIN),),
    "connections:callback_query:on_wizard_cancel#0": (Filter(Role.ADMIN),),
    # a connection's list and card: one registration per action, the role on each
    "connections:callback_query:back_to_list#0": (Filter(Role.VIEWER),),
    "connections:callback_query:open_card#0": (Filter(Role.VIEWER),),
    "connections:callback_query:sync_now#0": (Filter(Role.ADMIN),),
    "connections:callback_query:ask_rename#0": (Filter(Role.ADMIN),),
    "connections:callback_query:ask_interval#0": (Filter(Role.ADMIN),),
    "connections:callback_query:set_interval#0": (Filter(Role.ADMIN),),
    "connections:callback_query:pause#0": (Filter(Role.ADMIN),),
    "connections:callback_query:resume#0": (Filter(Role.ADMIN),),
    "connections:callback_query:ask_delete#0": (Filter(Role.ADMIN),),
    "connections:callback_query:confirm_delete#0": (Filter(Role.ADMIN),),
    "connections:callback_query:on_import_button#0": (
        Calls("RoleFilter(Role.ADMIN)", imports.on_import_button),),
    # menu, reports, questions: reading (exports need a member), recommendations need a member
    "menu:message:cmd_menu#0": (Own("shows the menu"),),
    "menu:callback_query:on_menu_home#0": (Filter(Role.VIEWER),),
    "menu:callback_query:on_menu_connections#0": (Filter(Role.VIEWER),),
    "menu:callback_query:on_menu_connect#0": (Filter(Role.ADMIN),),
    "reports:message:cmd_report#0": (Filter(Role.VIEWER),),
    "reports:message:cmd_export#0": (Filter(Role.VIEWER),
                                     Calls("_require_exporter", reports._require_exporter)),
    "reports:callback_query:on_report#0": (Filter(Role.VIEWER),),
    "reports:callback_query:on_export#0": (Filter(Role.VIEWER),
                                           Calls("_require_exporter", reports._require_exporter)),
    "reports:callback_query:on_unknown#0": (Own("a stale report button"),),
    "questions:message:ask_command#0": (Filter(Role.VIEWER),),
    "questions:message:FreeTextHandler.handle#0": (
        Own("reads; private chats only, where rc.org is set for members only"),),
    "questions:callback_query:on_ask#0": (Filter(Role.VIEWER),),
    "questions:callback_query:on_rec_accept#0": (Filter(Role.MEMBER),
                                                 Calls("lifecycle.", lifecycle._move)),
    # budgets: cards for everyone; the wizard, edit and delete for owners, admins and finance
    "budgets:callback_query:on_budget_list#0": (Filter(Role.VIEWER),),
    "budgets:callback_query:on_budget_open#0": (Filter(Role.VIEWER),),
    "budgets:callback_query:on_budget_new#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:ask_budget_amount#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_budget_period#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_budget_thresholds#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_budget_destination#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:ask_budget_delete#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:confirm_budget_delete#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_step_scope#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_step_value#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_step_period#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_step_thresholds#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_step_destination#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_step_save#0": (Filter(Role.FINANCE),),
    "budgets:callback_query:on_step_cancel#0": (Filter(Role.FINANCE),),
    "budgets:message:on_wizard_value#0": (Filter(Role.FINANCE),),
    "budgets:message:on_wizard_amount#0": (Filter(Role.FINANCE),),
    "budgets:message:on_wizard_thresholds#0": (Filter(Role.FINANCE),),
    "budgets:message:on_edit_amount#0": (Filter(Role.FINANCE),),
    "budgets:message:on_edit_thresholds#0": (Filter(Role.FINANCE),),
    # allocation: the overview and rule cards for everyone; rule changes for finance and up
    "allocation:message:cmd_allocation#0": (Filter(Role.VIEWER),),
    "allocation:callback_query:on_overview#0": (Filter(Role.VIEWER),),
    "allocation:callback_query:on_rule_open#0": (Filter(Role.VIEWER),),
    "allocation:callback_query:on_rule_new#0": (Filter(Role.FINANCE),),
    "allocation:callback_query:ask_rule_team#0": (Filter(Role.FINANCE),),
    "allocation:callback_query:ask_rule_match#0": (Filter(Role.FINANCE),),
    "allocation:callback_query:on_rule_delete#0": (Filter(Role.FINANCE),),
    "allocation:callback_query:on_rule_accept#0": (Filter(Role.FINANCE),),
    "allocation:callback_query:on_rule_reject#0": (Filter(Role.FINANCE),),
    "allocation:callback_query:on_rule_cancel#0": (Filter(Role.FINANCE),),
    "allocation:message:on_new_team#0": (Filter(Role.FINANCE),),
    "allocation:message:on_new_match#0": (Filter(Role.FINANCE),),
    "allocation:message:on_edit_team#0": (Filter(Role.FINANCE),),
    "allocation:message:on_edit_match#0": (Filter(Role.FINANCE),),
    # recommendation rules: the list for everyone, switching for finance and up
    "recsettings:message:cmd_rules#0": (Filter(Role.VIEWER),),
    "recsettings:callback_query:on_toggle#0": (Filter(Role.FINANCE),),
    "recsettings:callback_query:on_threshold_cancel#0": (
        Own("ends the sender's own threshold step"),),
    "recsettings:callback_query:on_threshold_rule#0": (Filter(Role.FINANCE),),
    "recsettings:callback_query:ask_threshold#0": (Filter(Role.FINANCE),),
    "recsettings:callback_query:on_threshold_default#0": (Filter(Role.FINANCE),),
    "recsettings:message:on_threshold_text#0": (Filter(Role.FINANCE),),
    # the reason step of a dismiss or snooze from /recs: members and up, as the buttons
    "recsettings:callback_query:ask_reason#0": (Filter(Role.MEMBER),),
    "recsettings:callback_query:on_reason#0": (Filter(Role.MEMBER),),
    "recsettings:message:on_reason_text#0": (Filter(Role.MEMBER),),
    # fallback
    "fallback:message:unknown_command#0": (Own("explains"),),
    "fallback:message:unknown_text#0": (Own("explains"),),
    "fallback:callback_query:on_help_button#0": (Own("reads help"),),
    "fallback:callback_query:on_start_button#0": (Own("starts the sender's own organisation"),),
    "fallback:callback_query:on_demo_button#0": (Own("opens the read-only demo"),),
    "fallback:callback_query:stale_button#0": (Own("explains"),),
}


def _walk() -> Iterator[tuple[str, Router, str, HandlerObject]]:
    """(key, feature router, observer name, handler) for every handler of the dispatcher."""
    for router in build_root_router().sub_routers:
        feature = router.name.split(".")[2]
        for observer in ("message", "callback_query", "my_chat_member", "chat_member"):
            seen: Counter[str] = Counter()
            for handler in router.observers[observer].handlers:
                name = getattr(handler.callback, "__qualname__", repr(handler.callback))
                yield f"{feature}:{observer}:{name}#{seen[name]}", router, observer, handler
                seen[name] += 1


def _checks_role(fn: Callable[..., Any]) -> bool:
    source = inspect.getsource(fn)
    return any(m in source for m in ("require_role(", "RoleFilter(", "has_role("))


def test_every_handler_is_documented_and_guarded_as_documented() -> None:
    walked = list(_walk())
    keys = {key for key, *_ in walked}
    assert not keys - set(HANDLERS), f"document these handlers: {sorted(keys - set(HANDLERS))}"
    assert not set(HANDLERS) - keys, f"stale entries: {sorted(set(HANDLERS) - keys)}"
    for key, router, observer, handler in walked:
        for guard in HANDLERS[key]:
            if isinstance(guard, Filter):
                roles = [f.callback.required for f in handler.filters or []
                         if isinstance(f.callback, RoleFilter)]
                assert any(role_at_least(r, guard.role) for r in roles), (key, roles)
            elif isinstance(guard, Superadmin):
                gates = router.observers[observer]._handler.filters or []
                assert any(isinstance(f.callback, SuperadminFilter) for f in gates), key
            elif isinstance(guard, Calls):
                assert guard.marker in inspect.getsource(handler.callback), key
                assert _checks_role(guard.checker), (key, guard.checker)


async def _matching(router: Router, data: str) -> list[HandlerObject]:
    """The callback registrations of `router` whose CallbackData filter accepts `data`."""
    query = CallbackQuery(id="q", chat_instance="ci", data=data,
                          from_user=TgUser(id=1, is_bot=False, first_name="X"))
    found = []
    for handler in router.observers["callback_query"].handlers:
        unpackers = [f.callback for f in handler.filters or []
                     if isinstance(f.callback, CallbackQueryFilter)]
        if unpackers and all([await u(query) for u in unpackers]):
            found.append(handler)
    return found


def _feature(name: str) -> Router:
    return next(r for r in build_root_router().sub_routers if r.name.split(".")[2] == name)


async def _roles_on_the_one_registration(feature: str | None, data: str) -> list[Role]:
    """The roles on the only registration accepting `data`: in `feature`, or (None) anywhere."""
    routers = ([_feature(feature)] if feature else build_root_router().sub_routers)
    handlers = [h for router in routers for h in await _matching(router, data)]
    assert len(handlers) == 1, (data, handlers)
    return [f.callback.required for f in handlers[0].filters or []
            if isinstance(f.callback, RoleFilter)]


async def _role_of_the_one_registration(feature: str | None, data: str) -> Role:
    roles = await _roles_on_the_one_registration(feature, data)
    assert len(roles) == 1, (data, roles)
    return roles[0]


async def test_each_connection_action_has_exactly_one_registration_with_its_role() -> None:
    """Looking (list, card) needs a viewer; every other action an admin, on its registration."""
    for action in ConnAction:
        role = await _role_of_the_one_registration(
            "connections", ConnCb(action=action, id=1, hours=24).pack())
        looking = action in (ConnAction.LIST, ConnAction.OPEN)
        assert role == (Role.VIEWER if looking else Role.ADMIN), (action, role)


async def test_each_wizard_button_has_exactly_one_registration_for_admins() -> None:
    for action in WizAction:
        role = await _role_of_the_one_registration(
            "connections", WizCb(action=action, kind="selectel", field=0).pack())
        assert role == Role.ADMIN, action


async def test_each_member_action_has_exactly_one_registration_with_its_role() -> None:
    """The member list for everyone; a member's card, role change and removal for admins."""
    for action in MemberAction:
        role = await _role_of_the_one_registration(
            "team", MemberCb(action=action, id=1, role=Role.VIEWER).pack())
        assert role == (Role.VIEWER if action is MemberAction.LIST else Role.ADMIN), action


async def test_each_budget_action_has_exactly_one_registration_with_its_role() -> None:
    """Lists and cards for everyone; new, edit and delete for owners, admins and finance."""
    for action in BudgetAction:
        role = await _role_of_the_one_registration(
            "budgets", BudgetCb(action=action, id=1, value="default").pack())
        looking = action in (BudgetAction.LIST, BudgetAction.OPEN)
        assert role == (Role.VIEWER if looking else Role.FINANCE), (action, role)
    for step in WizardStep:
        role = await _role_of_the_one_registration("budgets", WizardCb(step=step).pack())
        assert role == Role.FINANCE, step


async def test_each_allocation_action_has_exactly_one_registration_with_its_role() -> None:
    """The overview and rule cards for everyone; any change, or cancelling one, for finance."""
    for action in AllocAction:
        role = await _role_of_the_one_registration("allocation",
                                                   AllocCb(action=action, id=1).pack())
        looking = action in (AllocAction.LIST, AllocAction.OPEN)
        assert role == (Role.VIEWER if looking else Role.FINANCE), (action, role)


async def test_each_alert_button_has_exactly_one_registration_with_its_role() -> None:
    """Details for anyone; acknowledging, snoozing and marking planned or expected for members."""
    for action in AlertAction:
        role = await _role_of_the_one_registration(
            "alerts", AlertCallback(action=action, id=1).pack())
        assert role == (Role.VIEWER if action is AlertAction.DETAILS else Role.MEMBER), action


async def test_each_recommendation_button_has_exactly_one_registration_for_members() -> None:
    """Accept in questions; snooze and dismiss in recsettings (they ask why first)."""
    for action in RecAction:
        role = await _role_of_the_one_registration(None, RecCb(action=action, id=1).pack())
        assert role == Role.MEMBER, action


async def test_each_settings_button_has_exactly_one_registration() -> None:
    """The organisation's LLM switch for admins; every other button is the caller's own."""
    for action in SetAction:
        roles = await _roles_on_the_one_registration("settings",
                                                     SetCb(action=action, value="on").pack())
        assert roles == ([Role.ADMIN] if action is SetAction.LLM else []), (action, roles)


async def test_each_threshold_button_has_exactly_one_registration_with_its_role() -> None:
    """Cancelling is the caller's own step; a rule's thresholds and changing them, finance."""
    for action in ThresholdAction:
        roles = await _roles_on_the_one_registration(
            "recsettings", RuleEditCb(action=action, kind="idle", name="days").pack())
        assert roles == ([] if action is ThresholdAction.CANCEL else [Role.FINANCE]), action


async def test_each_admin_button_has_exactly_one_registration_behind_the_gate() -> None:
    router = _feature("admin")
    for action in AdminAction:
        assert len(await _matching(router, AdminCb(action=action, id=1).pack())) == 1, action
    gates = router.observers["callback_query"]._handler.filters or []
    assert any(isinstance(f.callback, SuperadminFilter) for f in gates)


# -- end to end: lower roles press every mutating button -----------------------------------

OWNER, LOW = 6001, 6002
WATCHED = ("connections", "sync_snapshots", "alert_events", "alert_feedback",
           "anomaly_exclusions", "recommendations", "memberships", "audit_log", "bound_chats",
           "budgets", "allocation_rules", "organizations")
REFUSED = "Недостаточно прав"


async def _dump(h: BotHarness) -> dict[str, list[tuple[Any, ...]]]:
    await default_tasks().wait_all()  # a sync started by mistake would have finished
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with h.ctx.session() as s:
        for name in WATCHED:
            table = Base.metadata.tables[name]
            out[name] = [tuple(r) for r in (await s.execute(
                select(table).order_by(*table.primary_key.columns))).all()]
    return out


async def _world(h: BotHarness, role: Role) -> tuple[int, int, int, int, int]:
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER), (LOW, role))
    async with h.ctx.session() as s:
        conn = Connection(org_id=org_id, kind="selectel", name="Прод", status="active",
                          endpoint="http://127.0.0.1:9",
                          credentials=h.ctx.vault.encrypt({"password": "x"}))
        event = AlertEvent(org_id=org_id, rule="anomaly", severity="warning", dedup_key="k",
                           payload={"dates": {"start": "2026-11-18"},
                                    "values": {"series": "org"}},
                           created_at=datetime(2026, 11, 19, tzinfo=UTC))
        rec = Recommendation(org_id=org_id, dedup_key="r", kind="idle", title="Idle VM",
                             monthly_saving=Decimal("100"), currency="RUB", status="open")
        s.add_all([conn, event, rec])
        await s.flush()
        owner_membership = (await s.execute(select(Membership.id).join(
            User, User.id == Membership.user_id).where(User.telegram_id == OWNER))).scalar_one()
        return org_id, conn.id, event.id, rec.id, owner_membership


def _connection_buttons(cid: int) -> list[str]:
    actions = [a for a in ConnAction if a not in (ConnAction.OPEN, ConnAction.LIST)]
    return [ConnCb(action=a, id=cid, hours=24).pack() for a in actions] + [
        ImportCb(id=cid).pack(), MenuCb(action=MenuAction.CONNECT).pack()] + [
        WizCb(action=a, kind="selectel").pack() for a in WizAction]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER, Role.FINANCE])
async def test_below_admin_every_connection_button_is_refused(hb: BotHarness, role: Role) -> None:
    _, cid, *_ = await _world(hb, role)
    before = await _dump(hb)
    low = hb.client(LOW)
    card = await low.click_data(ConnCb(action=ConnAction.OPEN, id=cid).pack())
    assert "Прод" in card[-1].text  # reading is allowed
    for data in _connection_buttons(cid):
        replies = await low.click_data(data)
        assert any(REFUSED in a for a in low.alerts()), (role, data, low.alerts())
        assert replies == [], (role, data)  # refused before any prompt, keyboard or progress
        assert len(low.alerts()) == 1, (role, data)  # Telegram takes one answer per press
    await low.send("Взломано")  # had rename asked for a name, this would be it
    assert await _dump(hb) == before


async def _press_refused(h: BotHarness, who: int, buttons: list[str]) -> None:
    """Each press: exactly one answer, the refusal, and no message; nothing changes."""
    before = await _dump(h)
    low = h.client(who)
    for data in buttons:
        replies = await low.click_data(data)
        alerts = low.alerts()
        assert len(alerts) == 1, (data, alerts)  # Telegram takes one answer per press
        assert REFUSED in alerts[0], (data, alerts)
        assert replies == [], data
    await low.send("1")  # had a step asked for an amount or a value, this would be it
    assert await _dump(h) == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
async def test_below_finance_every_budget_change_is_refused_once(hb: BotHarness,
                                                                 role: Role) -> None:
    org_id, *_ = await _world(hb, role)
    async with hb.ctx.session() as s:
        owner_id = (await s.execute(select(User.id).where(
            User.telegram_id == OWNER))).scalar_one()
        bid = await budgets.create_budget(s, org_id, owner_id, name="Прод",
                                          amount=Decimal(900))
        await s.commit()
    card = await hb.client(LOW).click_data(BudgetCb(action=BudgetAction.OPEN, id=bid).pack())
    assert "Прод" in card[-1].text  # reading is allowed
    await _press_refused(hb, LOW, [
        BudgetCb(action=a, id=bid, value=v).pack() for a in BudgetAction
        if a not in (BudgetAction.LIST, BudgetAction.OPEN) for v in ("", "default", "me")] + [
        WizardCb(step=s, value=v).pack() for s in WizardStep for v in ("org", "0", "month")])


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
async def test_below_finance_every_allocation_change_is_refused_once(hb: BotHarness,
                                                                     role: Role) -> None:
    org_id, *_ = await _world(hb, role)
    async with hb.ctx.session() as s:
        owner_id = (await s.execute(select(User.id).where(
            User.telegram_id == OWNER))).scalar_one()
        rule = await allocation.create_rule(s, org_id, owner_id, name="web",
                                            match={"name": "web-*"}, team="web")
        await s.commit()
    card = await hb.client(LOW).click_data(AllocCb(action=AllocAction.OPEN, id=rule).pack())
    assert "web" in card[-1].text  # reading is allowed
    await _press_refused(hb, LOW, [AllocCb(action=a, id=rule).pack() for a in AllocAction
                                   if a not in (AllocAction.LIST, AllocAction.OPEN)])


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER, Role.FINANCE])
async def test_below_admin_the_llm_switch_is_refused_once(hb: BotHarness, role: Role) -> None:
    await _world(hb, role)
    await _press_refused(hb, LOW, [SetCb(action=SetAction.LLM, value=v).pack()
                                   for v in ("off", "on", "maybe")])


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
async def test_below_finance_every_threshold_button_is_refused_once(hb: BotHarness,
                                                                    role: Role) -> None:
    await _world(hb, role)
    await _press_refused(hb, LOW, [
        RuleEditCb(action=a, kind="idle", name="cpu_percent").pack()
        for a in ThresholdAction if a is not ThresholdAction.CANCEL])


async def test_a_viewer_is_refused_every_mutating_alert_and_recommendation_button(
        hb: BotHarness) -> None:
    _, _, event_id, rec_id, owner_mid = await _world(hb, Role.VIEWER)
    buttons = [AlertCallback(action=a, id=event_id).pack()
               for a in AlertAction if a is not AlertAction.DETAILS]
    buttons += [RecCb(action=a, id=rec_id).pack() for a in RecAction]
    buttons += [MemberCb(action=MemberAction.ROLE, id=owner_mid, role=Role.VIEWER).pack(),
                MemberCb(action=MemberAction.REMOVE, id=owner_mid).pack(),
                MemberCb(action=MemberAction.CONFIRM, id=owner_mid).pack()]
    await _press_refused(hb, LOW, buttons)


async def test_an_owner_elsewhere_pressing_this_orgs_ids_finds_nothing(hb: BotHarness) -> None:
    """Tampered callback data: org A's owner sends org B's ids on every button that takes one."""
    _, cid, event_id, rec_id, owner_mid = await _world(hb, Role.VIEWER)  # org B
    await org_with(hb, "Intruder", (6003, Role.OWNER))
    before = await _dump(hb)
    intruder = hb.client(6003)
    buttons = [ConnCb(action=a, id=cid, hours=24).pack()
               for a in ConnAction if a is not ConnAction.LIST] + [ImportCb(id=cid).pack()]
    buttons += [AlertCallback(action=a, id=event_id).pack() for a in AlertAction]
    buttons += [RecCb(action=a, id=rec_id).pack() for a in RecAction]
    buttons += [MemberCb(action=a, id=owner_mid, role=Role.VIEWER).pack()
                for a in MemberAction if a is not MemberAction.LIST]
    for data in buttons:
        replies = await intruder.click_data(data)
        assert any("найден" in a for a in intruder.alerts()), (data, intruder.alerts())
        assert all("Прод" not in r.text and "Idle VM" not in r.text for r in replies), data
    assert await _dump(hb) == before


async def test_tampered_connection_buttons_of_an_admin_change_nothing(hb: BotHarness) -> None:
    """An admin of the org itself: an interval outside the offered ones, an unknown action."""
    _, cid, *_ = await _world(hb, Role.ADMIN)
    before = await _dump(hb)
    admin = hb.client(LOW)
    for hours in (0, 7, -24, 10**6):
        replies = await admin.click_data(ConnCb(action=ConnAction.SET_INTERVAL, id=cid,
                                                hours=hours).pack())
        assert replies == [], hours
        assert admin.alerts() == ["Не получилось выполнить действие. Попробуйте ещё раз."]
    for data in (f"conn:explode:{cid}:0", f"conn:del_yes:{cid}", "conn:pause:x:0",
                 f"conn:del_yes:{cid}:0:extra"):
        replies = await admin.click_data(data)
        assert replies == [], data
        assert admin.alerts() == ["Эта кнопка устарела. Откройте команду заново."], data
    assert await _dump(hb) == before
