"""`POST {LLM_URL}/chat/completions` with `{"model", "messages", "temperature": 0}`; the
assistant's text is `choices[0].message.content`.

One attempt with a hard timeout: a person is waiting for the answer, and the caller falls back
to the rule parser's reply on any `LlmError`. The API key goes in `Authorization: Bearer`.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["ChatCompletionsClient", "LlmError"]


class LlmError(Exception):
    """No usable reply: timeout, connection error, HTTP error or an unexpected body."""


class ChatCompletionsClient:
    """Implements `core.services.ask.llm.ChatPort` over a shared httpx client."""

    def __init__(self, http: httpx.AsyncClient, url: str, model: str, *,
                 api_key: str | None = None, timeout: float = 10.0) -> None:
        base = url.rstrip("/")
        self.endpoint = base if base.endswith("/chat/completions") else base + "/chat/completions"
        self.http = http
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    async def complete(self, messages: list[dict[str, str]]) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        try:
            response = await self.http.post(self.endpoint, json=body, headers=headers,
                                            timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise LlmError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise LlmError(f"HTTP {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmError("unexpected reply body") from exc
        if not isinstance(content, str):
            raise LlmError("reply content is not text")
        return content
