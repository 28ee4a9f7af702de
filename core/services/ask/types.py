"""What a question is and what its answer carries: plain dataclasses, no aiogram, no text.

The bot (and `infrazen chat`) turn a command or a parsed free-text question into a `Question`;
`core.services.ask.service.execute` returns one of the answer records below; renderers turn it into
Telegram HTML and chart inputs. Amounts are Decimals in the organisation's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.domain.reports import EstimatedDays, UpdatingDays
from core.query.model import Intent
from core.services.costs import CostFilters, CostRow, Dimension, LeftOut

__all__ = [
    "Answer",
    "AnomaliesAnswer",
    "AnomalyItem",
    "BudgetItem",
    "BudgetsAnswer",
    "ForecastAnswer",
    "Intent",
    "Question",
    "RecommendationItem",
    "RecommendationsAnswer",
    "ResourceItem",
    "ResourcesAnswer",
    "SpendAnswer",
    "TopAnswer",
    "TrendAnswer",
    "TrendPoint",
]


@dataclass(frozen=True, slots=True)
class Question:
    """One question: intent, inclusive period, filters; connection names resolve per org."""

    intent: Intent
    start: date
    end: date
    filters: CostFilters = field(default_factory=CostFilters)
    connection_names: tuple[str, ...] = ()
    by: Dimension | None = None
    limit: int = 10
    page: int = 0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class SpendAnswer:
    question: Question
    currency: str
    total: Decimal
    previous_start: date
    previous_end: date
    previous_total: Decimal
    by_provider: tuple[CostRow, ...]
    by_service: tuple[CostRow, ...]
    left_out: tuple[LeftOut, ...] = ()  # amounts in currencies without a rate, not in `total`
    coverage: tuple[date, date] | None = None  # the org's data range, told when nothing matched
    estimated: tuple[EstimatedDays, ...] = ()  # days whose cost is an estimate, per provider
    updating: tuple[UpdatingDays, ...] = ()  # days a file import is switching right now

    @property
    def change_ratio(self) -> Decimal | None:
        """Relative change vs the previous equal period; None when there was nothing before."""
        if self.previous_total <= 0:
            return None
        return (self.total - self.previous_total) / self.previous_total


@dataclass(frozen=True, slots=True)
class TopAnswer:
    question: Question
    currency: str
    by: Dimension
    rows: tuple[CostRow, ...]
    total: Decimal
    coverage: tuple[date, date] | None = None
    left_out: tuple[LeftOut, ...] = ()
    updating: tuple[UpdatingDays, ...] = ()  # days a file import is switching right now


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: date
    value: Decimal
    lower: Decimal
    upper: Decimal


@dataclass(frozen=True, slots=True)
class TrendAnswer:
    question: Question
    currency: str
    series: tuple[tuple[date, Decimal], ...]
    total: Decimal
    forecast: tuple[TrendPoint, ...] = ()
    by_provider: dict[str, tuple[Decimal, ...]] = field(default_factory=dict)
    coverage: tuple[date, date] | None = None
    left_out: tuple[LeftOut, ...] = ()
    updating: tuple[UpdatingDays, ...] = ()  # days a file import is switching right now


@dataclass(frozen=True, slots=True)
class ForecastAnswer:
    question: Question
    currency: str
    month_start: date
    month_end: date
    actual_to_date: Decimal
    total: Decimal
    lower: Decimal
    upper: Decimal
    days_left: int
    budget: Decimal | None
    history: tuple[tuple[date, Decimal], ...]
    points: tuple[TrendPoint, ...]
    left_out: tuple[LeftOut, ...] = ()  # month-to-date amounts with no rate, not in the figures
    estimated: tuple[EstimatedDays, ...] = ()
    updating: tuple[UpdatingDays, ...] = ()  # days a file import is switching right now


@dataclass(frozen=True, slots=True)
class BudgetItem:
    id: int
    name: str
    amount: Decimal
    actual: Decimal
    forecast: Decimal | None
    status: str  # the level: green / amber / red (core.domain.levels)
    unmatched: bool = False  # no recent cost is in its scope: its 0 is no measurement

    @property
    def used_ratio(self) -> Decimal:
        return self.actual / self.amount if self.amount > 0 else Decimal(0)


@dataclass(frozen=True, slots=True)
class BudgetsAnswer:
    question: Question
    currency: str
    month_start: date
    month_end: date
    items: tuple[BudgetItem, ...]
    left_out: tuple[LeftOut, ...] = ()  # this month's amounts with no rate, not in `actual`
    updating: tuple[UpdatingDays, ...] = ()  # days a file import is switching right now


@dataclass(frozen=True, slots=True)
class ResourceItem:
    id: int
    name: str
    provider: str
    connection_name: str
    kind: str
    status: str
    region: str | None
    monthly_cost: Decimal
    is_zombie: bool
    is_orphan: bool


@dataclass(frozen=True, slots=True)
class ResourcesAnswer:
    question: Question
    currency: str
    items: tuple[ResourceItem, ...]
    page: int
    pages: int
    count: int
    zombies: int
    orphans: int


@dataclass(frozen=True, slots=True)
class RecommendationItem:
    id: int
    kind: str
    title: str
    resource: str
    provider: str
    monthly_saving: Decimal
    confidence: float
    status: str


@dataclass(frozen=True, slots=True)
class RecommendationsAnswer:
    question: Question
    currency: str
    items: tuple[RecommendationItem, ...]
    total_saving: Decimal
    count: int


@dataclass(frozen=True, slots=True)
class AnomalyItem:
    start: date
    end: date
    series: str
    kind: str
    direction: int
    actual: Decimal
    expected: Decimal
    delta: Decimal
    rate: float = 0.0  # slow growth: relative change a day (0.01 = +1 %/day)


@dataclass(frozen=True, slots=True)
class AnomaliesAnswer:
    question: Question
    currency: str
    items: tuple[AnomalyItem, ...]
    unanalysed: tuple[tuple[str, str, int], ...] = ()  # (series, reason, days of history)


Answer = (SpendAnswer | TopAnswer | TrendAnswer | ForecastAnswer | BudgetsAnswer
          | ResourcesAnswer | RecommendationsAnswer | AnomaliesAnswer)
