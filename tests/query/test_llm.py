"""LLM understanding against a loopback fake of the Chat Completions API: what is sent, how
the reply is validated, and that every failure falls back (returns None)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from connectors.llm import ChatCompletionsClient, LlmError
from core.query import Intent, ParsedQuery, Vocabulary
from core.services.ask.llm import llm_allowed, to_parsed, understand
from tests.query.fake_llm import FakeLlm
from tests.support.fake_server import run_fake

TODAY = date(2026, 11, 18)
VOCABULARY = Vocabulary.build(connections=["Selectel BU-A"], services=["Kubernetes", "S3"],
                              projects=["shop"], teams=["data"], resources=["db-prod-01"],
                              tags={"owner": ["ivanov"]})


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeLlm, str]]:
    llm = FakeLlm()
    async with run_fake(llm.app()) as base:
        yield llm, base + "/v1"


async def _ask(base: str, text: str = "озвучь цифру по кубику за ту неделю",
               limit: float = 5.0) -> ParsedQuery | None:
    async with httpx.AsyncClient() as http:
        port = ChatCompletionsClient(http, base, "test-model", api_key="sk-test",
                                     timeout=limit)
        return await understand(port, text, today=TODAY, lang="ru", vocabulary=VOCABULARY)


async def test_a_valid_reply_becomes_a_parsed_question(fake: tuple[FakeLlm, str]) -> None:
    llm, base = fake
    llm.reply(intent="spend", period_start="2026-11-09", period_end="2026-11-15",
              filters={"service": "kubernetes", "provider": "Selectel"})
    got = await _ask(base)
    assert got is not None
    data = got.to_dict()
    assert got.intent is Intent.SPEND
    assert data["period"] == {"start": "2026-11-09", "end": "2026-11-15"}
    assert data["filters"] == {"provider": "selectel", "service": "Kubernetes"}
    assert data["reading"] == "llm"


async def test_only_the_text_and_the_vocabulary_leave_the_machine(
        fake: tuple[FakeLlm, str]) -> None:
    llm, base = fake
    llm.reply(intent="unknown", period_start="2026-11-01", period_end="2026-11-18")
    assert await _ask(base) is None
    sent = llm.requests[0]
    assert sent["model"] == "test-model"
    assert llm.headers[0]["Authorization"] == "Bearer sk-test"
    system, user = sent["messages"]
    assert user == {"role": "user", "content": "озвучь цифру по кубику за ту неделю"}
    for name in ("Kubernetes", "shop", "data", "selectel", "2026-11-18", "period_start"):
        assert name in system["content"]
    for secret in ("Selectel BU-A", "db-prod-01", "ivanov", "owner"):
        assert secret not in json.dumps(sent, ensure_ascii=False)


@pytest.mark.parametrize("content", [
    "not json at all",
    '{"intent": "spend"}',  # no period
    '{"intent": "delete_everything", "period_start": "2026-11-01", "period_end": "2026-11-18"}',
    '{"intent": "spend", "period_start": "2026-11-01", "period_end": "2026-11-18", "sql": "x"}',
    '{"intent": "spend", "period_start": "2026-11-10", "period_end": "2026-11-01"}',
    '{"intent": "spend", "period_start": "2010-01-01", "period_end": "2026-11-01"}',
    '{"intent": "spend", "period_start": "2027-01-01", "period_end": "2027-01-31"}',
    '{"intent": "spend", "period_start": "2026-11-01", "period_end": "2026-11-18",'
    ' "filters": {"project": "unknown-project"}}',
    '{"intent": "spend", "period_start": "2026-11-01", "period_end": "2026-11-18",'
    ' "filters": {"provider": "digitalocean"}}',
    '{"intent": "top", "period_start": "2026-11-01", "period_end": "2026-11-18",'
    ' "top_n": 100000}',
])
async def test_invalid_replies_fall_back(fake: tuple[FakeLlm, str], content: str) -> None:
    llm, base = fake
    llm.content = content
    assert await _ask(base) is None


async def test_a_fenced_reply_is_read_and_spend_stops_at_today(
        fake: tuple[FakeLlm, str]) -> None:
    llm, base = fake
    llm.content = ('```json\n{"intent": "top", "period_start": "2026-11-01", '
                   '"period_end": "2026-11-30", "top_n": 3}\n```')
    got = to_parsed(llm.content, today=TODAY, lang="en", vocabulary=VOCABULARY)
    assert got is not None
    assert (got.period.end, got.top_n, got.lang) == (TODAY, 3, "en")


@pytest.mark.parametrize(("intent", "group_by", "expected"), [
    ("top", "service", "service"), ("top", None, None), ("spend", "service", None),
])
def test_the_model_says_what_a_top_ranks(intent: str, group_by: str | None,
                                         expected: str | None) -> None:
    """The same field as the rules' parser: "топ сервисов" ranks services whoever read it."""
    reply = json.dumps({"intent": intent, "period_start": "2026-10-01",
                        "period_end": "2026-10-31", "group_by": group_by})
    got = to_parsed(reply, today=TODAY, lang="ru", vocabulary=VOCABULARY)
    assert got is not None
    assert got.to_dict()["group_by"] == expected


def test_a_group_by_the_answer_cannot_rank_is_refused() -> None:
    reply = ('{"intent": "top", "period_start": "2026-10-01", "period_end": "2026-10-31",'
             ' "group_by": "tag"}')
    assert to_parsed(reply, today=TODAY, lang="ru", vocabulary=VOCABULARY) is None


async def test_http_errors_and_timeouts_fall_back(fake: tuple[FakeLlm, str]) -> None:
    llm, base = fake
    llm.reply(intent="spend", period_start="2026-11-01", period_end="2026-11-18")
    llm.status = 503
    assert await _ask(base) is None
    llm.status, llm.delay = 200, 2.0
    assert await _ask(base, limit=0.2) is None


async def test_the_client_reports_transport_failures() -> None:
    async with httpx.AsyncClient() as http:
        port = ChatCompletionsClient(http, "http://127.0.0.1:9/v1", "m", timeout=1)
        with pytest.raises(LlmError):
            await port.complete([{"role": "user", "content": "hi"}])
    assert port.endpoint == "http://127.0.0.1:9/v1/chat/completions"


def test_an_organisation_can_turn_it_off() -> None:
    assert llm_allowed({})
    assert llm_allowed(None)
    assert llm_allowed({"llm_understanding": True})
    assert not llm_allowed({"llm_understanding": False})
