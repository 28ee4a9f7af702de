"""A loopback fake of the OpenAI Chat Completions API: records requests, answers with a
scripted assistant text (or an HTTP error, or after a delay)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FakeLlm"]


@dataclass
class FakeLlm:
    content: str = "{}"
    status: int = 200
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def reply(self, **data: Any) -> None:
        """Answer the next questions with this parsed question as JSON."""
        self.content = json.dumps(data)

    async def _completions(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        self.headers.append(dict(request.headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.json_response({"error": {"message": "boom"}}, status=self.status)
        return web.json_response({
            "id": "chatcmpl-1", "object": "chat.completion", "model": "fake",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": self.content}}],
        })

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        return app
