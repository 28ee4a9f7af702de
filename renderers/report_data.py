"""Renderer inputs, re-exported from core: core builds them, renderers only read them."""

from core.domain.reports import (
    AllocationBreakdown,
    AnomalyRow,
    BriefData,
    BriefKpis,
    BudgetRow,
    BudgetStatus,
    BudgetVsActual,
    ChangeRow,
    Confidence,
    Edition,
    RecommendationRow,
    ShareRow,
    StackedData,
    TopItem,
    TopItems,
    TrendData,
)

__all__ = [
    "AllocationBreakdown", "AnomalyRow", "BriefData", "BriefKpis", "BudgetRow", "BudgetStatus",
    "BudgetVsActual", "ChangeRow", "Confidence", "Edition", "RecommendationRow", "ShareRow",
    "StackedData", "TopItem", "TopItems", "TrendData",
]
