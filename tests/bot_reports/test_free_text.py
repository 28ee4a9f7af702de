"""Free text the parser reads as a report request opens the /report flow."""

from __future__ import annotations

from tests.bot.harness import BotHarness
from tests.bot_reports.helpers import demo_user, documents, file_names


async def test_a_named_month_is_sent_at_once(hd: BotHarness) -> None:
    alice = await demo_user(hd, 2301)
    await alice.send("пришли отчёт за октябрь")
    [doc] = documents(hd, 2301)
    assert doc.files["document"].startswith(b"%PDF")
    assert "Октябрь 2026" in str(doc.params["caption"])
    assert file_names(hd)[-1] == "infrazen-brief-2026-10.pdf"


async def test_a_report_without_a_period_offers_the_buttons(hd: BotHarness) -> None:
    bob = await demo_user(hd, 2302, lang="en")
    reply = (await bob.send("send me the report"))[-1]
    assert "Which period?" in reply.text
    assert "Last month" in reply.button_texts()
    assert documents(hd, 2302) == []
