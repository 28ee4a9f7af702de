"""/start → language → create an organisation, in Russian and in English."""

from __future__ import annotations

from sqlalchemy import select

from core.db.models import Membership, Organization, User
from tests.bot.harness import BotHarness


async def test_onboarding_in_russian_creates_the_org_and_makes_the_user_owner(
        h: BotHarness) -> None:
    alice = h.client(1001, language_code="ru")
    replies = await alice.send("/start")
    assert "Выберите язык" in replies[-1].text
    await alice.click("🇷🇺 Русский")
    await alice.click("🏢 Создать организацию")
    assert "Как называется организация" in alice.last_reply().text
    await alice.send("ООО Ромашка")
    await alice.click("RUB")
    await alice.click("Europe/Moscow")
    assert "Организация «ООО Ромашка» создана" in alice.last_reply().text
    async with h.ctx.session() as s:
        org = (await s.execute(select(Organization))).scalar_one()
        user = (await s.execute(select(User).where(User.telegram_id == 1001))).scalar_one()
        role = (await s.execute(select(Membership.role))).scalar_one()
    assert (org.name, org.currency, org.timezone) == ("ООО Ромашка", "RUB", "Europe/Moscow")
    assert user.language == "ru"
    assert user.active_org_id == org.id
    assert role == "owner"
