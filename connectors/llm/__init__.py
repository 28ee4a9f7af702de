"""OpenAI-compatible Chat Completions client (YandexGPT, GigaChat gateways, a local server)."""

from connectors.llm.client import ChatCompletionsClient, LlmError

__all__ = ["ChatCompletionsClient", "LlmError"]
