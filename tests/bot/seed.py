"""Direct set-up through core services (the subject of a test goes through the bot instead)."""

from __future__ import annotations

from core.domain.roles import Role
from core.services.orgs import create_org, ensure_user, set_membership
from tests.bot.harness import BotHarness


async def org_with(h: BotHarness, name: str, *members: tuple[int, Role],
                   language: str = "ru") -> int:
    """An organisation with the given (telegram id, role) members; each is switched to it."""
    async with h.ctx.session() as s:
        org = await create_org(s, name)
        for telegram_id, role in members:
            user = await ensure_user(s, telegram_id, full_name=f"User {telegram_id}")
            user.language = user.language or language
            await set_membership(s, org.id, user.id, role)
            user.active_org_id = org.id
        return org.id
