"""The chart cache: the same data is drawn once, new data gets a new picture, the size stays
bounded, and a failed drawing is not remembered."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from renderers.charts import render_top_items, render_trend
from renderers.charts.cache import RenderCache, fingerprint
from renderers.report_data import TopItems, TrendData
from tests.renderers import sample_data


class Drawer:
    """Draws real charts (in a thread, as the pool would elsewhere) and counts the drawings."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, data: TrendData, lang: str) -> Callable[[], Awaitable[bytes]]:
        async def draw() -> bytes:
            self.count += 1
            return await asyncio.to_thread(render_trend, data, lang=lang)
        return draw


def _cache(**limits: int) -> RenderCache[bytes]:
    return RenderCache(len, **limits)


async def test_the_same_data_is_drawn_once() -> None:
    cache, drawer = _cache(), Drawer()
    data = sample_data.trend()
    first = await cache.get(fingerprint(render_trend, data, lang="ru"), drawer(data, "ru"))
    again = sample_data.trend()  # equal data, built anew (another digest, another chat)
    second = await cache.get(fingerprint(render_trend, again, lang="ru"), drawer(again, "ru"))
    assert second == first
    assert drawer.count == 1
    assert (cache.hits, cache.misses) == (1, 1)


async def test_new_data_or_another_language_draws_a_new_picture() -> None:
    cache, drawer = _cache(), Drawer()
    data = sample_data.trend()
    changed = dataclasses.replace(data, values=(*data.values[:-1], data.values[-1] + 100))
    pictures = [await cache.get(fingerprint(render_trend, d, lang=lang), drawer(d, lang))
                for d, lang in ((data, "ru"), (changed, "ru"), (data, "en"))]
    assert drawer.count == 3
    assert len(set(pictures)) == 3
    assert pictures[1] == render_trend(changed, lang="ru")  # the new data, not the old picture


def test_the_key_names_the_renderer_and_every_input() -> None:
    items = sample_data.top_items()
    key = fingerprint(render_top_items, items, lang="ru")
    assert key == fingerprint(render_top_items, sample_data.top_items(), lang="ru")
    assert key != fingerprint(render_top_items, items, lang="en")
    assert key != fingerprint(render_top_items, items, lang="ru", title="")
    assert key != fingerprint(render_top_items, TopItems(items.items, "USD"), lang="ru")
    renamed = dataclasses.replace(items.items[0], name=items.items[0].name + " ")
    assert key != fingerprint(render_top_items, TopItems((renamed, *items.items[1:])), lang="ru")
    assert key != fingerprint(render_trend, items, lang="ru")


async def test_users_asking_at_once_share_one_drawing() -> None:
    cache, drawer = _cache(), Drawer()
    data = sample_data.trend()
    key = fingerprint(render_trend, data, lang="ru")
    pictures = await asyncio.gather(*(cache.get(key, drawer(data, "ru")) for _ in range(8)))
    assert drawer.count == 1
    assert len(set(pictures)) == 1


async def test_size_stays_under_its_bytes_and_entries_caps() -> None:
    cache = _cache(max_bytes=1000, max_items=3)

    async def blob(size: int) -> bytes:
        return b"x" * size

    for i in range(10):
        await cache.get(bytes([i]), lambda: blob(300))
        assert cache.bytes <= 1000
        assert len(cache) <= 3
    assert cache.bytes == sum(300 for _ in range(len(cache)))
    drawn: list[int] = []

    async def counted() -> bytes:
        drawn.append(1)
        return b"x" * 300

    await cache.get(bytes([9]), counted)  # the newest is kept
    await cache.get(bytes([0]), counted)  # the oldest was dropped
    assert len(drawn) == 1
    await cache.get(b"big", lambda: blob(5000))  # larger than the cap: returned, not kept
    assert cache.bytes <= 1000


async def test_a_failed_drawing_is_not_remembered() -> None:
    cache = _cache()
    attempts: list[int] = []

    async def flaky() -> bytes:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("worker died")
        return b"png"

    with pytest.raises(RuntimeError):
        await cache.get(b"k", flaky)
    assert await cache.get(b"k", flaky) == b"png"
    assert len(attempts) == 2


async def test_turned_off_it_draws_every_time() -> None:
    cache, drawer = _cache(max_bytes=0), Drawer()
    data = sample_data.trend()
    for _ in range(2):
        await cache.get(fingerprint(render_trend, data, lang="ru"), drawer(data, "ru"))
    assert drawer.count == 2
    assert len(cache) == 0


def test_money_values_that_print_differently_are_different_inputs() -> None:
    a = TopItems(sample_data.top_items().items)
    first = a.items[0]
    b = TopItems((dataclasses.replace(first, cost=first.cost + Decimal("0.01")), *a.items[1:]))
    assert fingerprint(render_top_items, a, lang="ru") != fingerprint(render_top_items, b,
                                                                      lang="ru")
