"""Report records (charts and the PDF brief): core fills them, renderers only read them.

Everything is immutable and made of dates, Decimals, strings and tuples, so a renderer can run
in a worker thread or another process and a test can build the data by hand. Ratios are
fractions (0.12 = 12 %); money is a Decimal in `currency` (ISO 4217).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from core.domain.currency import LeftOut
from core.domain.levels import Level

__all__ = [
    "AllocationBreakdown",
    "AnomalyRow",
    "BriefData",
    "BriefKpis",
    "BudgetRow",
    "BudgetStatus",
    "EstimatedDays",
    "BudgetVsActual",
    "ChangeRow",
    "Confidence",
    "Edition",
    "RecommendationRow",
    "ShareRow",
    "StackedData",
    "TopItem",
    "TopItems",
    "TrendData",
    "UpdatingDays",
]

Edition = Literal["preliminary", "final", "weekly"]
BudgetStatus = Level  # green / amber / red: `core.domain.levels.budget_level`
Confidence = Literal["high", "medium", "low"]


def _same_length(owner: str, **columns: tuple[object, ...]) -> None:
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{owner}: columns differ in length: {lengths}")


@dataclass(frozen=True, slots=True)
class TrendData:
    """Daily spend plus an optional forecast with its interval (low ≤ value ≤ high)."""

    days: tuple[date, ...]
    values: tuple[Decimal, ...]
    forecast_days: tuple[date, ...] = ()
    forecast_values: tuple[Decimal, ...] = ()
    forecast_low: tuple[Decimal, ...] = ()
    forecast_high: tuple[Decimal, ...] = ()
    currency: str = "RUB"

    def __post_init__(self) -> None:
        _same_length("TrendData", days=self.days, values=self.values)
        _same_length("TrendData forecast", days=self.forecast_days,
                     values=self.forecast_values, low=self.forecast_low,
                     high=self.forecast_high)


@dataclass(frozen=True, slots=True)
class StackedData:
    """Spend per day (or week start) split by a label such as provider or service."""

    days: tuple[date, ...]
    series: Mapping[str, tuple[Decimal, ...]]
    currency: str = "RUB"

    def __post_init__(self) -> None:
        _same_length("StackedData", days=self.days, **{
            f"series[{i}]": values for i, values in enumerate(self.series.values())})


@dataclass(frozen=True, slots=True)
class BudgetVsActual:
    """Budget, actual and forecast per label (a budget name or a period such as `окт. 2026`)."""

    labels: tuple[str, ...]
    budget: tuple[Decimal, ...]
    actual: tuple[Decimal, ...]
    forecast: tuple[Decimal | None, ...] = ()
    currency: str = "RUB"

    def __post_init__(self) -> None:
        _same_length("BudgetVsActual", labels=self.labels, budget=self.budget,
                     actual=self.actual)
        if self.forecast:
            _same_length("BudgetVsActual", labels=self.labels, forecast=self.forecast)


@dataclass(frozen=True, slots=True)
class TopItem:
    name: str
    cost: Decimal
    provider: str


@dataclass(frozen=True, slots=True)
class TopItems:
    """The most expensive resources (or services) of a period, most expensive first."""

    items: tuple[TopItem, ...]
    currency: str = "RUB"


@dataclass(frozen=True, slots=True)
class AllocationBreakdown:
    """Cost per team / project / tag value and what no allocation rule covered."""

    items: tuple[tuple[str, Decimal], ...]
    unallocated: Decimal = Decimal(0)
    currency: str = "RUB"


@dataclass(frozen=True, slots=True)
class ShareRow:
    label: str
    cost: Decimal
    share: Decimal


@dataclass(frozen=True, slots=True)
class BudgetRow:
    name: str
    amount: Decimal
    actual: Decimal
    forecast: Decimal | None
    status: BudgetStatus


@dataclass(frozen=True, slots=True)
class RecommendationRow:
    """`kind` + `params` let the renderer word it in the reader's language; `title` is the
    stored fallback for kinds the catalogue does not know."""

    title: str
    resource: str
    provider: str
    monthly_saving: Decimal
    confidence: Confidence
    kind: str = ""
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AnomalyRow:
    day: date
    description: str
    impact: Decimal


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One figure that moved between the preliminary and the final edition."""

    label: str
    before: Decimal
    after: Decimal


@dataclass(frozen=True, slots=True)
class BriefKpis:
    """Headline numbers; None means "not known" and is printed as a dash, never as zero."""

    total: Decimal
    previous_total: Decimal | None = None
    change_ratio: Decimal | None = None
    forecast_total: Decimal | None = None
    forecast_low: Decimal | None = None
    forecast_high: Decimal | None = None
    budget_amount: Decimal | None = None
    budget_used_ratio: Decimal | None = None
    budget_status: BudgetStatus | None = None
    potential_savings: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class EstimatedDays:
    """Days of a period whose cost is an estimate (never observed), for one provider."""

    provider: str  # the connection kind, e.g. "beget"
    days: int


@dataclass(frozen=True, slots=True)
class UpdatingDays:
    """Days a file import is switching, one after another, from a connection's old lines to
    the file's (a swap under way on SQLite): meanwhile some of them show the old figures, or
    none yet, and the rest the new ones."""

    connection: str  # the connection's name
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class BriefData:
    """Everything one CFO brief shows; `generated_at` must be timezone-aware."""

    org_name: str
    period_start: date
    period_end: date
    period_label: str
    lang: str
    currency: str
    edition: Edition
    kpis: BriefKpis
    trend: TrendData
    generated_at: datetime
    timezone: str = "Europe/Moscow"
    by_provider: tuple[ShareRow, ...] = ()
    by_service: tuple[ShareRow, ...] = ()
    by_team: tuple[ShareRow, ...] = ()
    provider_daily: StackedData | None = None
    budgets: tuple[BudgetRow, ...] = ()
    recommendations: tuple[RecommendationRow, ...] = ()
    anomalies: tuple[AnomalyRow, ...] = ()
    changes_since_preliminary: tuple[ChangeRow, ...] = ()
    # spend of the period in currencies with no rate into `currency`: in no figure above
    left_out: tuple[LeftOut, ...] = ()
    estimated: tuple[EstimatedDays, ...] = ()  # days whose cost is an estimate, per provider

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("BriefData.generated_at must be timezone-aware")
        if self.period_end < self.period_start:
            raise ValueError("BriefData: period_end is before period_start")
