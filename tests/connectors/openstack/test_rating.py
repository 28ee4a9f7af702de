"""Price list parsing and the daily normalisation rule, against hand-computed numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connectors.errors import InvalidInput
from connectors.openstack.rating import Per, PriceList, Rate, rate
from core.domain.collection import ResourceKind, ResourceRecord, ResourceStatus


@pytest.mark.parametrize(("rate_", "day", "expected"), [
    (Rate(Decimal("2.5"), Per.HOUR), date(2026, 11, 1), Decimal("60")),
    (Rate(Decimal("150"), Per.MONTH), date(2026, 11, 30), Decimal("5")),
    (Rate(Decimal("155"), Per.MONTH), date(2026, 12, 31), Decimal("5")),
    (Rate(Decimal("280"), Per.MONTH), date(2026, 2, 10), Decimal("10")),
    (Rate(Decimal("290"), Per.MONTH), date(2028, 2, 10), Decimal("10")),  # leap year
])
def test_daily_normalisation(rate_: Rate, day: date, expected: Decimal) -> None:
    assert rate_.daily(day) == expected


def _server(flavor: str | None, vcpus: int, ram_mb: int,
            status: ResourceStatus = ResourceStatus.RUNNING) -> ResourceRecord:
    return ResourceRecord("s", "s", ResourceKind.SERVER, status=status,
                          config={"flavor": flavor, "vcpus": vcpus, "ram_mb": ram_mb})


def test_flavor_price_wins_over_unit_prices() -> None:
    prices = PriceList.from_dict({"flavors": {"m1": {"price": "3", "per": "hour"}},
                                  "vcpu": {"price": "1"}, "ram_gb": {"price": "1"}})
    charges = rate(prices, _server("m1", 2, 2048))
    assert [c.sku_id for c in charges] == ["flavor:m1"]
    unit = rate(prices, _server("other", 2, 3072))
    assert [(c.sku_id, c.quantity) for c in unit] == [("vcpu", 2), ("ram_gb", Decimal("3"))]
    assert sum(c.daily(date(2026, 1, 1)) for c in unit) == Decimal(120)


def test_stopped_servers_are_billed_only_when_asked() -> None:
    stopped = _server("m1", 1, 1024, ResourceStatus.STOPPED)
    raw = {"flavors": {"m1": {"price": "1"}}}
    assert rate(PriceList.from_dict(raw), stopped) == []
    assert len(rate(PriceList.from_dict({**raw, "bill_stopped_servers": True}), stopped)) == 1


def test_monthly_spread_is_rounded_to_micro_units() -> None:
    prices = PriceList.from_dict({"floating_ip": {"price": "150", "per": "month"}})
    ip = ResourceRecord("ip", "ip", ResourceKind.FLOATING_IP)
    (charge,) = rate(prices, ip)
    assert charge.daily(date(2026, 12, 1)) == Decimal("4.838710")  # 150 / 31
    assert sum(charge.daily(date(2026, 12, d)) for d in range(1, 32)) == Decimal("150.000010")


@pytest.mark.parametrize(("raw", "message"), [
    ({"vcpu": {"per": "hour"}}, "price_list.vcpu: expected"),
    ({"vcpu": {"price": "abc"}}, "price_list.vcpu.price"),
    ({"vcpu": {"price": "-1"}}, "must not be negative"),
    ({"vcpu": {"price": "1", "per": "week"}}, "expected hour or month"),
    ({"volume_gb": ["ssd"]}, "price_list.volume_gb: expected an object"),
    ({"cpu": {"price": "1"}}, "unknown key(s) cpu"),
])
def test_bad_price_lists_name_the_entry(raw: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        PriceList.from_dict(raw)
    assert message in str(caught.value)


def test_empty_price_list() -> None:
    assert PriceList.from_dict(None).is_empty
    assert PriceList.from_dict({"currency": "usd"}).currency == "USD"
