"""A price list that rates OpenStack inventory into daily costs, shaped like CloudKitty's hashmap.

CloudKitty's hashmap maps service → field → value to a cost; here the services are compute
(per flavor name, else per vCPU and per GB of RAM), block storage (per GB of each volume type,
`*` for any other type), floating IPs (each) and snapshots (per GB). Every rate is hourly or
monthly in the list's currency. Daily normalisation rule (shared with core.sync):
an hourly price is ×24 per day; a monthly price is spread evenly over the days of that month
(150 ₽/month is 5 ₽ a day in November and 150/31 ₽ a day in December).

JSON form (connection option `price_list`, or the credentials' `price_list`)::

    {"currency": "RUB", "bill_stopped_servers": false,
     "flavors": {"m1.small": {"price": "2.50", "per": "hour"}},
     "vcpu": {"price": "0.90", "per": "hour"}, "ram_gb": {"price": "0.40", "per": "hour"},
     "volume_gb": {"fast-ssd": {"price": "12", "per": "month"},
                   "*": {"price": "8", "per": "month"}},
     "floating_ip": {"price": "150", "per": "month"},
     "snapshot_gb": {"price": "3", "per": "month"}}
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from connectors.errors import InvalidInput
from core.domain.collection import ResourceKind, ResourceRecord, ResourceStatus
from core.domain.money import MoneyParseError, parse_decimal

__all__ = ["RULES", "Charge", "FieldRate", "Per", "PriceList", "Rate", "RatingRule", "rate"]

_PLACES = Decimal("0.000001")


class Per(StrEnum):
    HOUR = "hour"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Rate:
    """A price per unit per hour or per month."""

    price: Decimal
    per: Per = Per.HOUR

    def daily(self, day: date) -> Decimal:
        """This rate for one whole `day` (hourly ×24; monthly ÷ days in that month)."""
        if self.per is Per.HOUR:
            return self.price * 24
        return self.price / calendar.monthrange(day.year, day.month)[1]


@dataclass(frozen=True, slots=True)
class FieldRate:
    """A hashmap field mapping: inventory field value (flavor name, volume type) → rate."""

    value: str
    rate: Rate


@dataclass(frozen=True, slots=True)
class PriceList:
    """Rates per service; an empty list rates nothing (resources still sync, without cost)."""

    currency: str = "RUB"
    flavors: tuple[FieldRate, ...] = ()
    vcpu: Rate | None = None
    ram_gb: Rate | None = None
    volume_gb: tuple[FieldRate, ...] = ()
    floating_ip: Rate | None = None
    snapshot_gb: Rate | None = None
    bill_stopped_servers: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.flavors or self.vcpu or self.ram_gb or self.volume_gb
                    or self.floating_ip or self.snapshot_gb)

    def flavor_rate(self, name: str | None) -> Rate | None:
        return _lookup(self.flavors, name, wildcard=False)

    def volume_rate(self, volume_type: str | None) -> Rate | None:
        return _lookup(self.volume_gb, volume_type, wildcard=True)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> PriceList:
        """Validate the JSON form; a bad entry raises InvalidInput naming its path."""
        if not raw:
            return cls()
        if not isinstance(raw, Mapping):
            raise InvalidInput("price_list: expected an object")
        known = {"currency", "bill_stopped_servers", "flavors", "vcpu", "ram_gb", "volume_gb",
                 "floating_ip", "snapshot_gb"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InvalidInput(f"price_list: unknown key(s) {', '.join(unknown)}; "
                               f"expected {', '.join(sorted(known))}")
        return cls(
            currency=str(raw.get("currency") or "RUB").upper(),
            flavors=_field_rates(raw.get("flavors"), "price_list.flavors"),
            vcpu=_rate(raw.get("vcpu"), "price_list.vcpu"),
            ram_gb=_rate(raw.get("ram_gb"), "price_list.ram_gb"),
            volume_gb=_field_rates(raw.get("volume_gb"), "price_list.volume_gb"),
            floating_ip=_rate(raw.get("floating_ip"), "price_list.floating_ip"),
            snapshot_gb=_rate(raw.get("snapshot_gb"), "price_list.snapshot_gb"),
            bill_stopped_servers=bool(raw.get("bill_stopped_servers", False)),
        )


def _lookup(table: tuple[FieldRate, ...], value: str | None, *, wildcard: bool) -> Rate | None:
    fallback = None
    for entry in table:
        if entry.value == value:
            return entry.rate
        if wildcard and entry.value == "*":
            fallback = entry.rate
    return fallback


def _rate(raw: Any, path: str) -> Rate | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or "price" not in raw:
        raise InvalidInput(f'{path}: expected {{"price": "1.50", "per": "hour|month"}}')
    try:
        price = parse_decimal(raw["price"], field=f"{path}.price")
    except MoneyParseError as exc:
        raise InvalidInput(str(exc)) from exc
    if price < 0:
        raise InvalidInput(f"{path}.price: must not be negative")
    try:
        per = Per(str(raw.get("per", "hour")).lower())
    except ValueError:
        raise InvalidInput(f"{path}.per: expected hour or month, got {raw.get('per')!r}") from None
    return Rate(price, per)


def _field_rates(raw: Any, path: str) -> tuple[FieldRate, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{path}: expected an object of name → rate")
    rates = []
    for name, value in raw.items():
        rate_ = _rate(value, f"{path}.{name}")
        if rate_ is not None:
            rates.append(FieldRate(str(name), rate_))
    return tuple(rates)


@dataclass(frozen=True, slots=True)
class Charge:
    """One rated SKU of one resource: quantity × rate, per day."""

    sku_id: str
    quantity: Decimal
    unit: str
    rate: Rate

    def daily(self, day: date) -> Decimal:
        return (self.quantity * self.rate.daily(day)).quantize(_PLACES)


def _cfg_decimal(key: str, divisor: int = 1) -> Callable[[ResourceRecord], Decimal]:
    def get(item: ResourceRecord) -> Decimal:
        return Decimal(str(item.config.get(key) or 0)) / divisor
    return get


def _one(_: ResourceRecord) -> Decimal:
    return Decimal(1)


def _server_billable(prices: PriceList, item: ResourceRecord) -> bool:
    if item.status is ResourceStatus.RUNNING:
        return True
    return prices.bill_stopped_servers and item.status is ResourceStatus.STOPPED


def _by_units(prices: PriceList, item: ResourceRecord) -> bool:
    """Per-vCPU / per-GB-RAM rates apply only when the flavor itself has no price."""
    return _server_billable(prices, item) and prices.flavor_rate(item.config.get("flavor")) is None


def _always(_: PriceList, __: ResourceRecord) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class RatingRule:
    """One hashmap row: which resources, which SKU, how many units, at which rate."""

    kind: ResourceKind
    sku: Callable[[ResourceRecord], str]
    quantity: Callable[[ResourceRecord], Decimal]
    unit: str
    rate: Callable[[PriceList, ResourceRecord], Rate | None]
    applies: Callable[[PriceList, ResourceRecord], bool] = _always


RULES: tuple[RatingRule, ...] = (
    RatingRule(ResourceKind.SERVER, lambda i: f"flavor:{i.config.get('flavor')}", _one,
               "instance", lambda p, i: p.flavor_rate(i.config.get("flavor")), _server_billable),
    RatingRule(ResourceKind.SERVER, lambda _: "vcpu", _cfg_decimal("vcpus"), "vCPU",
               lambda p, _: p.vcpu, _by_units),
    RatingRule(ResourceKind.SERVER, lambda _: "ram_gb", _cfg_decimal("ram_mb", 1024), "GB",
               lambda p, _: p.ram_gb, _by_units),
    RatingRule(ResourceKind.VOLUME, lambda i: f"volume:{i.config.get('volume_type')}",
               _cfg_decimal("size_gb"), "GB",
               lambda p, i: p.volume_rate(i.config.get("volume_type"))),
    RatingRule(ResourceKind.FLOATING_IP, lambda _: "floating_ip", _one, "IP",
               lambda p, _: p.floating_ip),
    RatingRule(ResourceKind.SNAPSHOT, lambda _: "snapshot_gb", _cfg_decimal("size_gb"), "GB",
               lambda p, _: p.snapshot_gb),
)


def rate(prices: PriceList, item: ResourceRecord) -> list[Charge]:
    """Every charge the price list puts on `item` (empty when nothing matches)."""
    if item.status is ResourceStatus.DELETED:
        return []
    charges = []
    for rule in RULES:
        if rule.kind is not item.kind or not rule.applies(prices, item):
            continue
        rate_ = rule.rate(prices, item)
        quantity = rule.quantity(item)
        if rate_ is not None and quantity > 0:
            charges.append(Charge(rule.sku(item), quantity, rule.unit, rate_))
    return charges
