"""/start → language → create an organisation, in Russian and in English."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.models import Invite, Membership, Organization, User
from core.security.vault import Vault
from tests.bot.harness import BotHarness, running_bot


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
    created, menu = alice.replies()[-2:]
    assert "Организация «ООО Ромашка» создана" in created.text
    assert "Главное меню" in menu.text  # onboarding ends with the main menu
    assert "➕ Подключить облако" in menu.button_texts()
    async with h.ctx.session() as s:
        org = (await s.execute(select(Organization))).scalar_one()
        user = (await s.execute(select(User).where(User.telegram_id == 1001))).scalar_one()
        role = (await s.execute(select(Membership.role))).scalar_one()
    assert (org.name, org.currency, org.timezone) == ("ООО Ромашка", "RUB", "Europe/Moscow")
    assert user.language == "ru"
    assert user.active_org_id == org.id
    assert role == "owner"


async def test_onboarding_in_english_with_typed_currency_and_time_zone(h: BotHarness) -> None:
    bob = h.client(2002, language_code="en-US")
    replies = await bob.send("/start")
    assert replies[-1].button_texts() == ["🇷🇺 Русский", "🇬🇧 English"]
    await bob.click("🇬🇧 English")
    assert "create an organisation" in bob.last_reply().text
    await bob.click("🏢 Create an organisation")
    replies = await bob.send("x" * 201)
    assert "1 to 200 characters" in replies[-1].text
    await bob.send("Acme Ltd")
    replies = await bob.send("dollars")
    assert "three Latin letters" in replies[-1].text
    await bob.send("usd")
    replies = await bob.send("Europe/Atlantis")
    assert "I do not know the time zone “Europe/Atlantis”" in replies[-1].text
    replies = await bob.send("America/New_York")
    assert "Organisation “Acme Ltd” created (USD, America/New_York)" in replies[-2].text
    assert "Main menu" in replies[-1].text
    async with h.ctx.session() as s:
        org = (await s.execute(select(Organization))).scalar_one()
        user = (await s.execute(select(User))).scalar_one()
    assert (org.currency, org.timezone, org.language) == ("USD", "America/New_York", "en")
    assert user.language == "en"
    replies = await bob.send("/start")
    assert "Welcome back" in replies[-1].text


async def test_the_language_falls_back_to_the_default_for_other_telegram_languages(
        h: BotHarness) -> None:
    replies = await h.client(3003, language_code="de").send("/unknowncmd")
    assert replies[-1].text.startswith("Не знаю команду /unknowncmd")


async def test_an_unknown_invite_is_explained(h: BotHarness) -> None:
    replies = await h.client(4004).send("/start inv_doesnotexist")
    assert "Приглашение не найдено" in replies[-1].text


async def test_demo_is_a_read_only_sandbox(h: BotHarness) -> None:
    me = h.client(5005)
    replies = await me.send("/demo")
    assert "песочница только для просмотра" in replies[-2].text
    assert "➕ Подключить облако" not in replies[-1].button_texts()  # read-only: no connect
    async with h.ctx.session() as s:
        demo = (await s.execute(select(Organization).where(Organization.slug == "demo")))
        org = demo.scalar_one()
        role = (await s.execute(select(Membership.role).where(
            Membership.org_id == org.id))).scalar_one()
        invites = (await s.execute(select(func.count()).select_from(Invite))).scalar_one()
    assert org.is_demo
    assert role == "viewer"
    replies = await me.send("/invite")
    assert replies[-1].text.startswith("Это демо-организация")
    async with h.ctx.session() as s:
        assert (await s.execute(select(func.count()).select_from(Invite))).scalar_one() == invites
    await h.client(5006, first_name="Stranger").send("/demo")
    replies = await me.send("/members")
    assert "Участники организации" in replies[-1].text
    assert "Stranger" not in replies[-1].text  # demo visitors do not see each other
    assert replies[-1].buttons == []


async def test_text_nobody_understands_gets_buttons_never_silence(h: BotHarness) -> None:
    me = h.client(6006)
    replies = await me.send("абракадабра")
    assert replies[-1].text.startswith("Чтобы отвечать на вопросы о расходах")
    assert replies[-1].button_texts() == ["🏢 Создать организацию", "🧪 Открыть демо",
                                          "❓ Справка"]
    await me.click("❓ Справка")
    assert "/start" in me.last_reply().text
    await me.click_data("zzz:garbage")
    assert me.alerts() == ["Эта кнопка устарела. Откройте команду заново."]


async def test_flooding_is_throttled_with_one_polite_warning(
        bot_engine: AsyncEngine, vault: Vault) -> None:
    # a bucket that does not refill within the test, so the counts do not depend on speed
    async with running_bot(bot_engine, vault, throttle=(5, 3600)) as flood:
        me = flood.client(7007)
        for _ in range(30):
            await me.send("/help")
        other = await flood.client(7008).send("/help")
        texts = flood.fake.sent_texts(7007)
        async with flood.ctx.session() as s:
            users = (await s.execute(select(func.count()).select_from(User))).scalar_one()
    warnings = [t for t in texts if t.startswith("Слишком много сообщений")]
    assert len(warnings) == 1
    assert len(texts) == 6  # 5 answered, one warning, the other 24 dropped before the database
    assert texts[-1] == warnings[0]
    assert other[-1].text.startswith("<b>InfraZen</b>")  # other users are unaffected
    assert users == 2
