"""Charts and PDFs drawn in core's worker pool: the same bytes as drawn inline, and one user's
long chart work does not hold back another user's answer."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.features.questions.drawing import chart_cache, draw_chart
from core.services.ask.service import execute
from core.services.ask.types import Answer, Intent, Question
from core.tasks import spawn
from core.workers import CpuPool, run_cpu
from renderers.messages.answers_charts import Chart, chart_for
from tests.bot.harness import BotHarness
from tests.bot_ask.conftest import TODAY, Demo

OCT = (date(2026, 10, 1), date(2026, 10, 31))


def many_charts(answer: Answer, lang: str, times: int) -> Chart | None:
    """A deliberately long chart job: the same chart drawn `times` times (pure, picklable)."""
    chart = None
    for _ in range(times):
        chart = chart_for(answer, lang)
    return chart


async def _answer(demo: Demo, intent: Intent) -> Answer:
    async with demo.sessions() as s:
        return await execute(s, demo.org_id, Question(intent, *OCT), today=TODAY)


async def test_a_chart_from_the_pool_equals_the_inline_one(demo: Demo) -> None:
    for intent in (Intent.TREND, Intent.TOP, Intent.FORECAST):
        answer = await _answer(demo, intent)
        inline = chart_for(answer, "ru", stacked=intent is Intent.TREND)
        pooled = await run_cpu(chart_for, answer, "ru", stacked=intent is Intent.TREND)
        assert inline is not None
        assert pooled is not None
        assert pooled.png == inline.png
        assert pooled.caption == inline.caption


async def test_a_dead_worker_costs_a_thread_render_not_the_chart(demo: Demo) -> None:
    answer = await _answer(demo, Intent.TREND)
    pool = CpuPool(1)
    try:
        await pool.warm()
        executor = pool._pool()
        for process in list(executor._processes.values()):  # a worker killed (OOM, a signal)
            process.kill()
            process.join()
        chart = await pool.run(chart_for, answer, "en")
        assert chart is not None
        assert chart == chart_for(answer, "en")
        again = await pool.run(chart_for, answer, "en")  # and the next one has a new pool
        assert again is not None
        assert again.png == chart.png
    finally:
        pool.close()


async def test_another_users_answer_arrives_while_a_long_chart_is_drawing(
        hd: BotHarness, demo: Demo) -> None:
    answer = await _answer(demo, Intent.TREND)
    bob = hd.client(2002, language_code="en")
    await bob.send("/demo")
    long_chart = spawn(run_cpu(many_charts, answer, "ru", 6), name="long chart")
    await asyncio.sleep(0)  # submitted to the pool
    reply = (await bob.send("/spend"))[-1]
    assert "Spend for" in reply.text
    assert not long_chart.done()  # Bob was answered while Alice's chart was still drawing
    chart = await long_chart
    assert chart is not None
    assert chart == chart_for(answer, "ru")


async def test_an_answer_drawn_again_comes_from_the_cache_and_new_data_draws_anew(
        demo: Demo) -> None:
    october = await _answer(demo, Intent.TREND)
    async with demo.sessions() as s:
        september = await execute(s, demo.org_id, Question(
            Intent.TREND, date(2026, 9, 1), date(2026, 9, 30)), today=TODAY)
    chart_cache.clear()
    misses = chart_cache.misses
    first = await draw_chart(october, "ru")
    again = await draw_chart(october, "ru")
    other = await draw_chart(september, "ru")
    assert first is not None
    assert other is not None
    assert again == first == chart_for(october, "ru")
    assert other.png != first.png
    assert other == chart_for(september, "ru")
    assert chart_cache.misses - misses == 2  # October drawn once, September once
