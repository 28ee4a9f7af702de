"""Pydantic models of Selectel's billing payloads (providers.md §2). Money is in KOPECKS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["BillingObject", "BillingProject", "ConsumptionRow", "Metric"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class BillingProject(_Model):
    id: str
    name: str = ""


class BillingObject(_Model):
    id: str
    name: str | None = None
    parent_id: str | None = None
    parent_name: str | None = None
    type: str | None = None
    type_name: str | None = None

    @field_validator("parent_id", "parent_name", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return value or None


class Metric(_Model):
    id: str
    name: str = ""
    quantity: float = 0
    unit: str = ""
    region: str | None = None


class ConsumptionRow(_Model):
    """One (project, object, region, metric, hour) cost; `value` is kopecks, `period` naive."""

    provider_key: str = ""
    value: int = 0
    period: datetime
    project: BillingProject | None = None
    object: BillingObject | None = None
    metric: Metric
    raw: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> ConsumptionRow:
        return cls.model_validate({**raw, "raw": raw})

    @field_validator("value", mode="before")
    @classmethod
    def _kopecks(cls, value: Any) -> int:
        """Kopecks are integers; a fractional or string value is rounded, never float-summed."""
        if value is None:
            return 0
        return round(float(value)) if not isinstance(value, int) else value

    @field_validator("period", mode="before")
    @classmethod
    def _naive(cls, value: Any) -> Any:
        """Periods carry no offset (UNCONFIRMED zone); keep the provider's own wall clock."""
        if isinstance(value, str):
            return datetime.fromisoformat(value.replace("Z", "")).replace(tzinfo=None)
        return value
