"""FOCUS 1.2 Cost and Usage export of the normalised cost lines.

Our cost lines already use FOCUS names, so this is mostly the identity plus what FOCUS asks
of every row: billing period bounds, charge frequency, invoice issuer, unit prices consistent
with costs, allowed ServiceCategory values and ISO 8601 UTC timestamps. Checked in the tests
with the FinOps Foundation's validator.

Spreadsheet safety: a FOCUS export is a .csv that finance people open in Excel as often as
tools read it, so it is neutralised like the other exports (OWASP CSV injection): every free-text
cell that starts with `=`, `+`, `-`, `@`, a tab or a CR (names, ids, descriptions, regions, units
that come from provider accounts and files) gets a leading `'` (`cells.text_cell`). Numbers
(costs, prices, quantities; credits stay `-12.5`), timestamps, currency codes, the values we
choose (categories, frequencies) and the Tags JSON (it starts with `{`) are written as they are.
The price: a name that really starts with one of those characters reads `'-backup` to a tool
too. The file still passes `focus-validate` (checked in the tests with injection cells).
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO

from core.domain.providers import PROVIDER_NAMES
from core.services.exports import ExportLine
from renderers.exports.cells import text_cell as _t

__all__ = ["FOCUS_COLUMNS", "SERVICE_CATEGORIES", "write_focus_csv"]

FOCUS_COLUMNS = (
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName",
    "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
    "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd",
    "ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId",
    "CommitmentDiscountName", "CommitmentDiscountQuantity", "CommitmentDiscountStatus",
    "CommitmentDiscountType", "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit",
    "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName",
    "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
    "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId", "SkuMeter",
    "SkuPriceDetails", "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType", "Tags",
)

SERVICE_CATEGORIES = frozenset({
    "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
    "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
    "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security",
    "Storage", "Web", "Other",
})
_SUBCATEGORY = {
    "Compute": "Virtual Machines", "Storage": "Other (Storage)", "Databases": "Other (Databases)",
    "Networking": "Other (Networking)", "Other": "Other (Other)",
}
_CHARGE_CATEGORIES = {"Usage", "Purchase", "Tax", "Credit", "Adjustment"}


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _decimal(value: Decimal) -> str:
    """A quantity always written with a decimal point, so readers type the column Decimal."""
    text = _num(value)
    return text if "." in text else f"{text}.0"


def _category(line: ExportLine, seen: dict[str, str]) -> str:
    """FOCUS wants one ServiceCategory per ServiceName: the first one seen wins."""
    cat = line.service_category or "Other"
    cat = cat if cat in SERVICE_CATEGORIES else "Other"
    return seen.setdefault(line.service_name or "", cat)


def _row(line: ExportLine, seen: dict[str, str]) -> list[str]:
    # The billing period is the month of the cost line's own day (its provider's calendar),
    # not of its UTC start, which for Moscow days is 21:00 of the day before.
    period_start = datetime(line.day.year, line.day.month, 1, tzinfo=UTC)
    period_end = (datetime(line.day.year + 1, 1, 1, tzinfo=UTC) if line.day.month == 12
                  else datetime(line.day.year, line.day.month + 1, 1, tzinfo=UTC))
    charge_category = line.charge_category if line.charge_category in _CHARGE_CATEGORIES \
        else "Usage"
    is_usage = charge_category in ("Usage", "Purchase")
    quantity = line.pricing_quantity if line.pricing_quantity else Decimal(1)
    unit = line.pricing_unit or "Days"
    list_cost = line.list_cost if line.list_cost is not None else line.billed_cost
    contracted = line.contracted_cost if line.contracted_cost is not None else list_cost
    provider = _t(PROVIDER_NAMES.get(line.provider, line.provider_name))
    category = _category(line, seen)
    unit = _t(unit)
    region = _t(line.region_id)
    return [
        "", _num(line.billed_cost), _t(line.account_id), _t(line.connection_name), "",
        line.currency, _ts(period_end), _ts(period_start), charge_category, "",
        _t(line.service_name or line.resource_name or charge_category),
        "Usage-Based" if charge_category == "Usage" else "One-Time",
        _ts(line.charge_period_end), _ts(line.charge_period_start),
        "", "", "", "", "", "", "",
        _decimal(quantity) if is_usage else "", unit if is_usage else "",
        _num(contracted), _num(contracted / quantity) if is_usage else "",
        _num(line.effective_cost), "", provider, _num(list_cost),
        _num(list_cost / quantity) if is_usage else "",
        "Standard" if is_usage else "", _decimal(quantity) if is_usage else "",
        unit if is_usage else "", provider, provider,
        region, region, _t(line.resource_id),
        _t(line.resource_name), _t(line.resource_type), category,
        _t(line.service_name) or category, _SUBCATEGORY.get(category, "Other (Other)"),
        _t(line.sku_id), "", "", "", _t(line.sub_account_id),
        _t(line.sub_account_name), "Project" if line.sub_account_id else "",
        json.dumps(line.tags or {}, ensure_ascii=False, sort_keys=True),
    ]


async def write_focus_csv(lines: AsyncIterable[ExportLine], out: IO[str]) -> int:
    """Write the header and one FOCUS row per cost line; returns the row count."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CR or LF in a cell is quoted
    writer.writerow(FOCUS_COLUMNS)
    count = 0
    seen: dict[str, str] = {}
    async for line in lines:
        writer.writerow(_row(line, seen))
        count += 1
    return count
