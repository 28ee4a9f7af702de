"""Realistic sample inputs for the renderers: 90 days, four providers, Cyrillic names."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import cast

from renderers.report_data import (
    AllocationBreakdown,
    AnomalyRow,
    BriefData,
    BriefKpis,
    BudgetRow,
    BudgetStatus,
    BudgetVsActual,
    ChangeRow,
    Edition,
    RecommendationRow,
    ShareRow,
    StackedData,
    TopItem,
    TopItems,
    TrendData,
)

START = date(2026, 8, 3)
DAYS = 90
PROVIDERS = {
    "Селектел BU-A": Decimal(5200),
    "Yandex Cloud": Decimal(4100),
    "VK Cloud": Decimal(2300),
    "Beget": Decimal(900),
    "OpenStack (on-prem, ЦОД Москва-2)": Decimal(600),
}
LONG_NAME = ("Очень длинное имя ресурса prod-kubernetes-worker-node-group-highmem-"
             "ru-central1-a-00017 с тегами команды Платформа")


def _q(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def days() -> tuple[date, ...]:
    return tuple(START + timedelta(days=i) for i in range(DAYS))


def stacked() -> StackedData:
    rng = random.Random(7)
    series = {name: tuple(_q(float(base) * (1 + i / 300) * rng.uniform(0.85, 1.15))
                          for i in range(DAYS)) for name, base in PROVIDERS.items()}
    return StackedData(days=days(), series=series)


def trend() -> TrendData:
    data = stacked()
    values = tuple(sum(column, Decimal(0)) for column in zip(*data.series.values(), strict=True))
    last = days()[-1]
    forecast_days = tuple(last + timedelta(days=i) for i in range(1, 22))
    forecast = tuple(values[-1] * Decimal("1.002") ** i for i in range(1, 22))
    low = tuple(v * (Decimal("0.97") - Decimal("0.006") * i) for i, v in enumerate(forecast))
    high = tuple(v * (Decimal("1.03") + Decimal("0.006") * i) for i, v in enumerate(forecast))
    return TrendData(days(), values, forecast_days, forecast, low, high)


def budget_vs_actual() -> BudgetVsActual:
    return BudgetVsActual(
        labels=("Продакшн", "Аналитика и ML (GPU)", "Тестовые стенды", LONG_NAME),
        budget=(Decimal(250000), Decimal(90000), Decimal(40000), Decimal(30000)),
        actual=(Decimal(201000), Decimal(86500), Decimal(47200), Decimal(9800)),
        forecast=(Decimal(248000), Decimal(97000), Decimal(52000), None),
    )


def top_items() -> TopItems:
    names = ["k8s-prod-node-01", "postgres-main (Managed PG)", LONG_NAME, "s3-бэкапы-архив",
             "gpu-a100-train", "clickhouse-analytics", "vm-1c-бухгалтерия", "nat-gateway",
             "balancer-ext", "redis-cache", "mail-relay", "cdn-static"]
    providers = list(PROVIDERS)
    return TopItems(tuple(TopItem(name, Decimal(48000 - 3500 * i), providers[i % 4])
                          for i, name in enumerate(names)))


def allocation() -> AllocationBreakdown:
    return AllocationBreakdown(
        items=(("Платформа", Decimal(152000)), ("Команда данных", Decimal(98000)),
               ("Мобильное приложение", Decimal(61000)), ("Маркетинг", Decimal(12000))),
        unallocated=Decimal(94000),
    )


def _shares(rows: list[tuple[str, Decimal]]) -> tuple[ShareRow, ...]:
    total = sum((cost for _, cost in rows), Decimal(0))
    return tuple(ShareRow(label, cost, cost / total) for label, cost in rows)


def brief(lang: str = "ru", edition: Edition = "preliminary", *, empty: bool = False
          ) -> BriefData:
    """A monthly brief for October 2026 with a total of exactly 417 000 ₽."""
    by_provider = _shares([("Селектел BU-A", Decimal(171000)), ("Yandex Cloud", Decimal(133000)),
                           ("VK Cloud", Decimal(70000)), ("Beget", Decimal(25000)),
                           ("OpenStack (on-prem, ЦОД Москва-2)", Decimal(18000))])
    by_service = _shares([("Виртуальные машины", Decimal(190000)), ("Managed PostgreSQL",
                          Decimal(81000)), ("Объектное хранилище S3", Decimal(52000)),
                          ("GPU", Decimal(60000)), ("Сеть и трафик", Decimal(34000))])
    by_team = _shares([("Платформа", Decimal(152000)), ("Команда данных", Decimal(98000)),
                       ("Мобильное приложение", Decimal(61000)), ("Маркетинг", Decimal(12000)),
                       ("Не распределено", Decimal(94000))])
    budgets = tuple(BudgetRow(name, amount, actual, forecast, cast(BudgetStatus, status))
                    for name, amount, actual, forecast, status in [
                        ("Продакшн", Decimal(250000), Decimal(201000), Decimal(248000), "amber"),
                        ("Аналитика и ML (GPU)", Decimal(90000), Decimal(86500), Decimal(97000),
                         "red"),
                        ("Тестовые стенды", Decimal(60000), Decimal(27200), Decimal(31000),
                         "green"),
                        (LONG_NAME, Decimal(30000), Decimal(9800), None, "green")])
    titles = ["Уменьшить размер ВМ (CPU < 5 % за 30 дней)", "Удалить неподключённый диск",
              "Перейти на резервирование на 1 год", "Освободить неиспользуемый IP",
              "Удалить старые снапшоты", "Перенести холодные данные в архивный класс",
              "Выключать тестовые стенды ночью", "Объединить балансировщики",
              "Удалить зомби-ВМ без трафика", "Снизить класс диска с SSD на HDD",
              "Одиннадцатая рекомендация не попадёт"]
    recommendations = tuple(RecommendationRow(
        title, LONG_NAME if i == 2 else f"vm-{i:03d}-prod", list(PROVIDERS)[i % 5],
        Decimal(9000 - 700 * i), ("high", "medium", "low")[i % 3]) for i, title in
        enumerate(titles))
    anomalies = (AnomalyRow(date(2026, 10, 14), "Рост расходов на GPU в Yandex Cloud в 3,4 раза",
                            Decimal(23400)),
                 AnomalyRow(date(2026, 10, 22), "Исходящий трафик VK Cloud: " + LONG_NAME,
                            Decimal(8100)))
    changes = (ChangeRow("Итого за период", Decimal(409500), Decimal(417000)),
               ChangeRow("Селектел BU-A", Decimal(165200), Decimal(171000)),
               ChangeRow("Yandex Cloud", Decimal(131300), Decimal(133000)))
    return BriefData(
        org_name="ООО «Ромашка Облака»",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        period_label="октябрь 2026" if lang == "ru" else "October 2026",
        lang=lang,
        currency="RUB",
        edition=edition,
        kpis=BriefKpis(total=Decimal(417000), previous_total=Decimal(372300),
                       change_ratio=Decimal("0.12"), forecast_total=Decimal(452000),
                       forecast_low=Decimal(431000), forecast_high=Decimal(476000),
                       budget_amount=Decimal(430000), budget_used_ratio=Decimal("0.97"),
                       budget_status="amber", potential_savings=Decimal(58500)),
        trend=trend(),
        generated_at=datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
        timezone="Europe/Moscow",
        by_provider=by_provider,
        by_service=by_service,
        by_team=by_team,
        provider_daily=stacked(),
        budgets=() if empty else budgets,
        recommendations=() if empty else recommendations,
        anomalies=() if empty else anomalies,
        changes_since_preliminary=changes if edition == "final" else (),
    )
