"""/settings: language, time zone and notification preferences are saved."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from core.db.models import NotificationPreference, User
from core.domain.roles import Role
from tests.bot.harness import BotHarness
from tests.bot.seed import org_with


async def test_settings_are_saved(h: BotHarness) -> None:
    org_id = await org_with(h, "Ромашка", (1, Role.MEMBER))
    me = h.client(1)
    replies = await me.send("/settings")
    assert "Часовой пояс: Europe/Moscow" in replies[-1].text
    await me.click("🕒 Часовой пояс")
    replies = await me.send("Mars/Olympus")
    assert "Не знаю часовой пояс «Mars/Olympus»" in replies[-1].text
    replies = await me.send("Asia/Novosibirsk")
    assert "Asia/Novosibirsk" in replies[-1].text
    await me.send("/settings")
    await me.click("🔔 Уведомления")
    assert "выключены" in me.last_reply().text  # members get no alerts until they ask
    assert "✓ выключены" in me.last_reply().button_texts()
    await me.click("критично")
    await me.click("в дайджесте")
    await me.click("🌙 Другие…")
    replies = await me.send("в полночь")
    assert "Не понял время" in replies[-1].text
    await me.send("22:30-6")
    await me.click("🗞 18:00")
    assert "тихие часы: 22:30–06:00" in me.last_reply().text
    await me.click("← Назад")
    await me.click("🌐 Язык")
    await me.click("🇬🇧 English")
    assert "Time zone: Asia/Novosibirsk" in me.last_reply().text
    async with h.ctx.session() as s:
        user = (await s.execute(select(User).where(User.telegram_id == 1))).scalar_one()
        prefs = (await s.execute(select(NotificationPreference))).scalar_one()
    assert (user.language, user.timezone) == ("en", "Asia/Novosibirsk")
    assert (prefs.org_id, prefs.min_severity, prefs.mode) == (org_id, "critical", "digest")
    assert (prefs.quiet_start, prefs.quiet_end, prefs.digest_hour) == (time(22, 30), time(6), 18)


async def test_a_forged_severity_is_refused_and_nothing_changes(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.MEMBER))
    me = h.client(1)
    await me.send("/settings")
    await me.click_data("set:sev:everything")
    assert me.alerts()
    assert "Не получилось" in me.alerts()[-1]
    async with h.ctx.session() as s:
        assert (await s.execute(select(NotificationPreference))).first() is None
