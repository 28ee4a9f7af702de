"""Recommendations with savings: one module per rule, a registry, the engine and the lifecycle.

`evaluate(session, org_id, clock)` is what the sync and the scheduler call after new data.
"""

from core.services.recommendations.engine import EvaluationResult, evaluate
from core.services.recommendations.lifecycle import (
    Summary,
    accept,
    complete,
    dismiss,
    list_recommendations,
    snooze,
    summary,
)

__all__ = ["EvaluationResult", "Summary", "accept", "complete", "dismiss", "evaluate",
           "list_recommendations", "snooze", "summary"]
