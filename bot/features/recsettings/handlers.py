"""/recrules and its switches: read → `core.services.recommendations.settings` → render."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from bot.features.recsettings.callbacks import RuleToggleCb
from bot.features.recsettings.keyboards import rules_kb
from bot.filters import NoOrganisation
from core.services.recommendations import settings
from renderers.messages.recsettings import render_rules

__all__ = ["cmd_rules", "on_toggle"]


def _org_id(rc: RequestContext) -> int:
    if rc.org is None:
        raise NoOrganisation()
    return rc.org.id


async def cmd_rules(message: Message, rc: RequestContext, session: AsyncSession) -> None:
    rules = await settings.rule_settings(session, _org_id(rc))
    await message.answer(render_rules(rules, rc.lang), reply_markup=rules_kb(rc, rules))


async def on_toggle(query: CallbackQuery, callback_data: RuleToggleCb, rc: RequestContext,
                    session: AsyncSession) -> None:
    """Finance and up (the router's filter; the service checks again)."""
    org_id = _org_id(rc)
    await settings.set_rule_enabled(session, org_id, rc.user.id, callback_data.kind,
                                    callback_data.on, actor_telegram_id=rc.user.telegram_id)
    rules = await settings.rule_settings(session, org_id)
    await query.answer()
    assert isinstance(query.message, Message)
    await query.message.edit_text(render_rules(rules, rc.lang), reply_markup=rules_kb(rc, rules))
