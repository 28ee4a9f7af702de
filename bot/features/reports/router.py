"""Reports router: /report (viewers and up) and /export (members and up), their buttons, and
a catch-all for report/export buttons whose data did not parse (tampered or stale)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.features.reports import handlers as h
from bot.features.reports.callbacks import EXPORT_PREFIX, REPORT_PREFIX, ExportCb, ReportCb
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    # Both only read: the viewer filter resolves the org (the read-only demo included);
    # /export checks the member role itself, since RoleFilter treats MEMBER as a write.
    viewer = RoleFilter(Role.VIEWER)
    router.message.register(h.cmd_report, Command("report"), viewer)
    router.message.register(h.cmd_export, Command("export"), viewer)
    router.callback_query.register(h.on_report, ReportCb.filter(), viewer)
    router.callback_query.register(h.on_export, ExportCb.filter(), viewer)
    ours = F.data.startswith(f"{REPORT_PREFIX}:") | F.data.startswith(f"{EXPORT_PREFIX}:")
    router.callback_query.register(h.on_unknown, ours)
    return router
