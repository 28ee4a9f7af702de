"""What a free-text question means: intent, period and filters, as plain immutable values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

__all__ = ["Filters", "GroupBy", "Intent", "Lean", "ParsedQuery", "Period", "PeriodSource",
           "Vocabulary"]


class Intent(StrEnum):
    """What the user wants to see; `unknown` lets the bot offer buttons instead of guessing."""

    SPEND = "spend"
    TOP = "top"
    TREND = "trend"
    FORECAST = "forecast"
    BUDGET = "budget"
    RECOMMENDATIONS = "recommendations"
    RESOURCES = "resources"
    ANOMALIES = "anomalies"
    REPORT = "report"
    UNKNOWN = "unknown"


class GroupBy(StrEnum):
    """What a ranking ranks ("топ сервисов", "which teams cost the most"); the values are those
    of `core.services.costs.Dimension`, which core.query does not import."""

    RESOURCE = "resource"
    SERVICE = "service"
    PROVIDER = "provider"
    CONNECTION = "connection"
    PROJECT = "project"
    TEAM = "team"
    REGION = "region"
    ENVIRONMENT = "environment"
    CATEGORY = "category"
    DAY = "day"


class PeriodSource(StrEnum):
    """Whether the period came from the words or from the intent's default."""

    TEXT = "text"
    DEFAULT = "default"


class Lean(StrEnum):
    """Which way an incomplete date ("в декабре") resolves: spend looks back, forecast ahead."""

    PAST = "past"
    FUTURE = "future"
    NEAREST = "nearest"


@dataclass(frozen=True, slots=True)
class Period:
    """A run of whole days; `end` is inclusive."""

    start: date
    end: date

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrowing the question to a slice; `None` means "all"."""

    provider: str | None = None
    connection: str | None = None
    service: str | None = None
    region: str | None = None
    project: str | None = None
    team: str | None = None
    resource: str | None = None
    tags: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Only the filters that are set, tags as a mapping."""
        out: dict[str, Any] = {}
        for name in ("provider", "connection", "service", "region", "project", "team",
                     "resource"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.tags:
            out["tags"] = dict(self.tags)
        return out

    @property
    def is_empty(self) -> bool:
        return not self.to_dict()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Names known in one organisation, so "проекта api" can be recognised as a project.

    The bot builds it from the database; the parser only reads it. Hashable so compiled
    matchers can be cached per vocabulary.
    """

    connections: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    tags: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def build(cls, *, connections: Any = (), services: Any = (), regions: Any = (),
              projects: Any = (), teams: Any = (), resources: Any = (),
              tags: dict[str, Any] | None = None) -> Vocabulary:
        """From plain lists and a `{key: [values]}` mapping (e.g. loaded from JSON)."""
        return cls(
            connections=tuple(connections), services=tuple(services), regions=tuple(regions),
            projects=tuple(projects), teams=tuple(teams), resources=tuple(resources),
            tags=tuple((str(k), tuple(str(v) for v in vs)) for k, vs in (tags or {}).items()),
        )


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The parser's answer: always complete, so the bot can act or say what it understood."""

    intent: Intent
    period: Period
    period_source: PeriodSource
    filters: Filters = field(default_factory=Filters)
    top_n: int | None = None
    lang: str = "ru"
    unparsed: tuple[str, ...] = ()
    reading: str | None = None
    """When the period words allow several readings, the key of the one taken ("weekday",
    "week_days", "lone_day"); the answer says which (locale `answers.reading.<key>`)."""
    heard_period: Period | None = None
    """The period the words named when the question was not understood and so keeps the
    default `period` ("абракадабра в октябре"): the not-understood reply still says it."""
    group_by: GroupBy | None = None
    """What a top question ranks, when the words name it ("топ сервисов" → service); None
    leaves the answer's default (resources)."""

    @property
    def understood(self) -> bool:
        return self.intent is not Intent.UNKNOWN

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape `infrazen parse` prints."""
        out: dict[str, Any] = {
            "intent": self.intent.value,
            "period": self.period.to_dict(),
            "period_source": self.period_source.value,
            "filters": self.filters.to_dict(),
        }
        if self.top_n is not None:
            out["top_n"] = self.top_n
        out["understood"] = self.understood
        out["lang"] = self.lang
        out["unparsed"] = list(self.unparsed)
        out["reading"] = self.reading
        out["heard_period"] = self.heard_period.to_dict() if self.heard_period else None
        out["group_by"] = self.group_by.value if self.group_by else None
        return out
