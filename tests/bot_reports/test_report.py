"""/report end to end over the demo organisation: buttons → chat action → a PDF document."""

from __future__ import annotations

import asyncio
from datetime import date

from core.services import costs
from renderers.format import fmt_money
from tests.bot.harness import BotHarness
from tests.bot_reports.helpers import demo_user, documents, file_names, pdf_text

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


async def test_last_month_brief_is_a_pdf_with_the_org_and_the_period(
        hd: BotHarness, demo_org_id: int) -> None:
    alice = await demo_user(hd, 2001)
    choose = (await alice.send("/report"))[-1]
    assert "За какой период?" in choose.text
    assert choose.button_texts() == ["Этот месяц (пока)", "Прошлый месяц", "Эта неделя",
                                     "Прошлая неделя"]
    assert all(len(str(b["callback_data"])) < 16 for b in choose.buttons)  # keys, not ids
    await alice.click("Прошлый месяц")
    methods = [c.method for c in hd.fake.calls[-4:]]
    assert methods[-2:] == ["sendDocument", "deleteMessage"]
    actions = hd.fake.calls_of("sendChatAction")
    assert actions[-1].params["action"] == "upload_document"
    assert hd.fake.calls.index(actions[-1]) < hd.fake.calls.index(documents(hd, 2001)[-1])
    [doc] = documents(hd, 2001)
    content = doc.files["document"]
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Ромашка Тех" in text
    assert "Октябрь 2026" in text
    assert file_names(hd)[-1] == "infrazen-brief-2026-10.pdf"
    async with hd.ctx.session() as s:
        total = await costs.total(s, demo_org_id, *OCTOBER)
    caption = str(doc.params["caption"])
    assert "Демо: ООО «Ромашка Тех»" in caption
    assert "Октябрь 2026" in caption
    assert "итоговая версия" in caption  # October is final from 10 November
    assert f"итого {fmt_money(total, 'RUB', 'ru')}" in caption
    assert "\u00a0₽" in caption


async def test_english_user_gets_an_english_brief(hd: BotHarness) -> None:
    bob = await demo_user(hd, 2002, lang="en")
    choose = (await bob.send("/report"))[-1]
    assert "Which period?" in choose.text
    await bob.click("Last month")
    [doc] = documents(hd, 2002)
    text = pdf_text(doc.files["document"])
    assert "October 2026" in text
    assert "Октябрь" not in text
    assert "final edition" in str(doc.params["caption"])


async def test_this_month_so_far_is_preliminary_and_this_week_weekly(hd: BotHarness) -> None:
    alice = await demo_user(hd, 2003)
    await alice.send("/report")
    await alice.click("Этот месяц (пока)")
    await alice.send("/report")
    await alice.click("Прошлая неделя")
    month, week = documents(hd, 2003)
    assert "Ноябрь 2026" in str(month.params["caption"])
    assert "предварительная версия" in str(month.params["caption"])
    assert "еженедельная сводка" in str(week.params["caption"])
    assert file_names(hd)[-2:] == ["infrazen-brief-2026-11.pdf",
                                       "infrazen-brief-2026-W46.pdf"]


async def test_a_double_tap_renders_one_brief(hd: BotHarness) -> None:
    alice = await demo_user(hd, 2004)
    await alice.send("/report")
    button = next(b for b in alice.last_reply().buttons if b["text"] == "Прошлый месяц")
    await asyncio.gather(alice.click_data(str(button["callback_data"])),
                         alice.click_data(str(button["callback_data"])))
    assert len(documents(hd, 2004)) == 1
    busy = [c for c in hd.fake.calls_of("answerCallbackQuery") if c.params.get("text")]
    assert [c.params["text"] for c in busy] == [
        "⏳ Уже выполняю это действие — ответ придёт в этот чат."]
