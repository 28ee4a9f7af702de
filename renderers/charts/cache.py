"""Charts already drawn, kept by a fingerprint of what they draw: the same chart is drawn once.

A chart is a pure function of its inputs, and many chats ask for the same one (every member of
an org pressing /chart, a digest going to a whole team, a question asked again). The key is a
digest of the pickled renderer and arguments: pickling round-trips to equal objects, so equal
keys mean equal inputs and the same picture; new data pickles differently, so it gets a new
chart and the old one ages out. Inputs that are equal but pickle differently (a dict built in
another order) only miss. Callers waiting for a chart that is being drawn share that drawing.

Bounded twice: by the bytes it holds and by the number of entries, least recently used first.
`max_bytes=0` turns it off (every call draws), which is how the benchmark measures without it.
"""

from __future__ import annotations

import asyncio
import hashlib
import pickle
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

__all__ = ["RenderCache", "fingerprint"]

T = TypeVar("T")


def fingerprint(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bytes:
    """Which function with which inputs: 32 bytes that differ whenever the inputs do."""
    payload = pickle.dumps((fn.__module__, fn.__qualname__, args, sorted(kwargs.items())),
                           protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(payload, digest_size=32).digest()


class RenderCache(Generic[T]):
    """LRU of rendered results by fingerprint; `await cache.get(key, draw)` draws on a miss."""

    def __init__(self, weigh: Callable[[T], int], *, max_bytes: int = 32 << 20,
                 max_items: int = 4096) -> None:
        self.weigh, self.max_bytes, self.max_items = weigh, max_bytes, max_items
        self._items: OrderedDict[bytes, tuple[T, int]] = OrderedDict()
        self._pending: dict[bytes, asyncio.Future[T]] = {}
        self.bytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    async def get(self, key: bytes, draw: Callable[[], Awaitable[T]]) -> T:
        """The stored result for `key`, the one being drawn, or a fresh `await draw()`."""
        if self.max_bytes <= 0:
            self.misses += 1
            return await draw()
        if key in self._items:
            self.hits += 1
            self._items.move_to_end(key)
            return self._items[key][0]
        pending = self._pending.get(key)
        if pending is not None:
            self.hits += 1
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this caller was cancelled, not the drawing
                return await self.get(key, draw)  # the drawer gave up: draw it here
        self.misses += 1
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            value = await draw()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else waiting is not an error
            raise
        finally:
            del self._pending[key]
        future.set_result(value)
        self._put(key, value)
        return value

    def _put(self, key: bytes, value: T) -> None:
        size = self.weigh(value)
        if size > self.max_bytes:
            return
        self._items[key] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes or len(self._items) > self.max_items:
            _, (_, dropped) = self._items.popitem(last=False)
            self.bytes -= dropped

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0
