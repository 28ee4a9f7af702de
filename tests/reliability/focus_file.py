"""A big FOCUS export made on the fly: one row per resource and day, the columns a real daily
export carries, and the exact total the file should import to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

__all__ = ["FocusFile", "daily_focus_file"]

HEADER = ("BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,"
          "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeFrequency,BilledCost,"
          "EffectiveCost,ListCost,PricingQuantity,PricingUnit,ProviderName,RegionId,RegionName,"
          "ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName,SkuId,SubAccountId,"
          "SubAccountName,Tags\n")
SERVICES = (("Compute", "Compute", "vm", "Hours"), ("Storage", "Block Storage", "volume", "GB"),
            ("Databases", "Managed PostgreSQL", "db", "Hours"), ("Networking", "Load Balancer",
                                                                  "lb", "Hours"))
REGIONS = (("ru-central1", "Moscow"), ("ru-7", "Saint Petersburg"), ("kz-1", "Almaty"))


@dataclass(frozen=True)
class FocusFile:
    path: Path
    rows: int
    total: Decimal  # BillingCurrency RUB
    first_day: date
    last_day: date


def daily_focus_file(path: Path, *, resources: int, first_day: date, days: int) -> FocusFile:
    """`resources` × `days` rows, in kopecks so the expected total is exact."""
    period_start = first_day.replace(day=1)
    period_end = (period_start + timedelta(days=32)).replace(day=1)
    kopecks = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for d in range(days):
            day = first_day + timedelta(days=d)
            lines = []
            head = f"4815162342,RUB,{period_start}T00:00:00Z,{period_end}T00:00:00Z,{day}T00:00:00Z,{day + timedelta(days=1)}T00:00:00Z,Usage,Usage-Based,"  # noqa: E501
            for i in range(resources):
                category, service, kind, unit = SERVICES[i % len(SERVICES)]
                region, region_name = REGIONS[i % len(REGIONS)]
                cost = 100 + (i * 37 + d * 11) % 90_000  # 1.00 … 900.99 ₽ a day
                kopecks += cost
                money = f"{cost // 100}.{cost % 100:02d}"
                lines.append(
                    f"{head}{money},{money},{money},24,{unit},Yandex Cloud,{region},{region_name},"
                    f"{kind}-{i:06d},{kind}-{i},{kind},{category},{service},sku-{kind}-{i % 7},"
                    f"folder-{i % 40},Project {i % 40},"
                    f'"{{""team"": ""team-{i % 12}"", ""env"": ""prod""}}"\n')
            out.writelines(lines)
    return FocusFile(path=path, rows=resources * days, total=Decimal(kopecks) / 100,
                     first_day=first_day, last_day=first_day + timedelta(days=days - 1))
