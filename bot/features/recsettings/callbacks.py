"""Rule switch, threshold and reason buttons: kinds, names and reasons are re-checked on arrival
(the rule and threshold by the settings service, a reason by its enum)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["Reason", "RecReasonCb", "RuleEditCb", "RuleToggleCb", "ThresholdAction"]


class RuleToggleCb(CallbackData, prefix="rrt"):
    kind: str
    on: bool


class ThresholdAction(StrEnum):
    RULE = "rule"  # show the rule's thresholds, one button each
    NAME = "name"  # ask for a new value of `name`
    DEFAULT = "default"  # put `name` back to its default
    CANCEL = "cancel"


class RuleEditCb(CallbackData, prefix="rre"):
    action: ThresholdAction
    kind: str = ""
    name: str = ""


class Reason(StrEnum):
    """Preset reasons, stored as these codes in `Recommendation.decision_reason`."""

    NOT_APPLICABLE = "not_applicable"
    PLANNED = "planned"
    ALREADY_DONE = "already_done"
    OTHER = "other"  # asks for free text
    CANCEL = "cancel"  # nothing changes


class RecReasonCb(CallbackData, prefix="rrr"):
    dismiss: bool  # dismiss, else snooze
    id: int
    reason: Reason
