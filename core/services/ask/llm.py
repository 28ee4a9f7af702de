"""Optional LLM understanding: a question the rules did not understand is sent, with the
organisation's vocabulary, to an OpenAI-compatible Chat Completions model, whose JSON reply
is validated here and executed like any parsed question.

Only the question's text, today's date and the names of providers, services, projects and
teams leave the machine: no costs, no ids, no connection, resource or tag names. The model
never runs anything: its reply must fit `LlmQuestion` and name only known values, else the
rules' "not understood" reply stands. The transport is a port (`ChatPort`) so core stays free
of HTTP; `connectors.llm` implements it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.domain.org_options import LLM_UNDERSTANDING as ORG_OPTION
from core.domain.org_options import llm_allowed
from core.domain.providers import PROVIDER_NAMES
from core.query.model import (
    Filters,
    GroupBy,
    Intent,
    ParsedQuery,
    Period,
    PeriodSource,
    Vocabulary,
)

__all__ = ["ORG_OPTION", "ChatPort", "LlmQuestion", "build_messages", "llm_allowed",
           "to_parsed", "understand"]

MAX_DAYS = 3 * 366
MAX_VOCABULARY = 200

_INTENTS = tuple(i.value for i in Intent)


class ChatPort(Protocol):
    """One Chat Completions round trip: messages in, the assistant's text out; raises on a
    timeout or any transport error."""

    async def complete(self, messages: list[dict[str, str]]) -> str: ...


class LlmFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str | None = None
    service: str | None = None
    project: str | None = None
    team: str | None = None


class LlmQuestion(BaseModel):
    """The JSON a model must return; its schema is sent with the question."""

    model_config = ConfigDict(extra="forbid")

    intent: Literal["spend", "top", "trend", "forecast", "budget", "recommendations",
                    "resources", "anomalies", "report", "unknown"]
    period_start: date = Field(description="first day, inclusive, YYYY-MM-DD")
    period_end: date = Field(description="last day, inclusive, YYYY-MM-DD")
    filters: LlmFilters = Field(default_factory=LlmFilters)
    top_n: int | None = Field(default=None, ge=1, le=100)
    group_by: Literal["resource", "service", "provider", "connection", "project", "team",
                      "region", "environment", "category", "day"] | None = Field(
        default=None, description="for intent top: what is ranked (null: resources)")


def _names(values: tuple[str, ...]) -> list[str]:
    return list(values[:MAX_VOCABULARY])


def build_messages(text: str, *, today: date, lang: str,
                   vocabulary: Vocabulary | None) -> list[dict[str, str]]:
    """The system prompt (task, schema, vocabulary, today) and the user's question."""
    known = vocabulary or Vocabulary()
    names = {"providers": sorted(PROVIDER_NAMES), "services": _names(known.services),
             "projects": _names(known.projects), "teams": _names(known.teams)}
    system = (
        "You read one question about cloud costs and answer ONLY with a JSON object matching "
        "this JSON schema:\n" + json.dumps(LlmQuestion.model_json_schema(), ensure_ascii=False)
        + f"\nToday is {today.isoformat()} ({today:%A}). Periods are whole days, end inclusive;"
        " with no period use the current month to date. Filter values must be copied exactly "
        "from these names (null when none applies):\n" + json.dumps(names, ensure_ascii=False)
        + "\nIf the text is not a question about cloud costs, resources, budgets, forecasts, "
        "anomalies, recommendations or reports, answer with intent \"unknown\"."
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def _known(value: str | None, allowed: tuple[str, ...]) -> str | None:
    """The vocabulary's own spelling of `value`; ValueError when it is not a known name."""
    if value is None:
        return None
    for name in allowed:
        if name.lower() == value.strip().lower():
            return name
    raise ValueError(f"unknown name {value!r}")


def to_parsed(reply: str, *, today: date, lang: str,
              vocabulary: Vocabulary | None) -> ParsedQuery | None:
    """The model's reply as a `ParsedQuery`, or None when it is invalid or says unknown."""
    try:
        data = LlmQuestion.model_validate_json(_FENCE.sub("", reply.strip()))
    except ValidationError:
        return None
    if data.intent == "unknown":
        return None
    intent = Intent(data.intent)
    start, end = data.period_start, data.period_end
    if start > end or (end - start).days > MAX_DAYS:
        return None
    if intent not in (Intent.FORECAST, Intent.BUDGET):
        if start > today:
            return None
        end = min(end, today)
    known = vocabulary or Vocabulary()
    try:
        providers = {k: k for k in PROVIDER_NAMES} | {v.lower(): k for k, v in
                                                      PROVIDER_NAMES.items()}
        provider = data.filters.provider
        if provider is not None:
            provider = providers.get(provider.strip().lower())
            if provider is None:
                return None
        filters = Filters(provider=provider, service=_known(data.filters.service, known.services),
                          project=_known(data.filters.project, known.projects),
                          team=_known(data.filters.team, known.teams))
    except ValueError:
        return None
    return ParsedQuery(intent=intent, period=Period(start, end), period_source=PeriodSource.TEXT,
                       filters=filters, top_n=data.top_n if intent is Intent.TOP else None,
                       lang=lang, reading="llm",
                       group_by=GroupBy(data.group_by) if data.group_by and intent is Intent.TOP
                       else None)


async def understand(port: ChatPort, text: str, *, today: date, lang: str,
                     vocabulary: Vocabulary | None) -> ParsedQuery | None:
    """Ask the model; None on a timeout, an error or a reply that does not validate."""
    try:
        reply = await port.complete(build_messages(text, today=today, lang=lang,
                                                   vocabulary=vocabulary))
    except Exception:  # a timeout, a refused connection, a 5xx: the rules' reply stands
        return None
    return to_parsed(reply, today=today, lang=lang, vocabulary=vocabulary)

