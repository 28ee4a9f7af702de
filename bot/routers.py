"""Every feature router in a fixed order; the fallback (not understood → buttons) comes last.

A new feature = one package under `bot/features/` with `router.setup()` + one line here.
Free-text handlers must use `StateFilter(None)` so they never steal a wizard's input.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Router

from bot.features.admin.router import setup as admin
from bot.features.alerts.router import setup as alerts
from bot.features.allocation.router import setup as allocation
from bot.features.budgets.router import setup as budgets
from bot.features.connections.router import setup as connections
from bot.features.fallback.router import setup as fallback
from bot.features.menu.router import setup as menu
from bot.features.onboarding.router import setup as onboarding
from bot.features.questions.router import setup as questions
from bot.features.rates.router import setup as rates
from bot.features.recsettings.router import setup as recsettings
from bot.features.reports.router import setup as reports
from bot.features.settings.router import setup as settings
from bot.features.team.router import setup as team

__all__ = ["FEATURES", "build_root_router"]

FEATURES: tuple[Callable[[], Router], ...] = (
    onboarding,
    settings,
    team,
    rates,
    admin,
    alerts,
    connections,
    budgets,
    allocation,
    recsettings,
    menu,
    reports,
    questions,
    fallback,
)


def build_root_router() -> Router:
    """A fresh tree of routers (fresh per call: tests build many dispatchers)."""
    root = Router(name="root")
    for setup in FEATURES:
        root.include_router(setup())
    return root
