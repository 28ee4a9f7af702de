"""Pure mapping from Beget models to domain records (no I/O), kept apart from orchestration."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from connectors.beget.models import CloudService, Domain, Series, Vps
from connectors.parsing import optional_decimal, optional_int
from core.domain.collection import (
    ESTIMATED_TAG,
    CostLine,
    ResourceKind,
    ResourceRecord,
    ResourceStatus,
    UsageMetric,
)
from core.domain.metrics import CPU_PERCENT, MEMORY_PERCENT, PERCENT, memory_percent

__all__ = [
    "MSK",
    "daily_lines",
    "domain_record",
    "parse_msk",
    "series_metrics",
    "service_record",
    "vps_record",
]

MSK = ZoneInfo("Europe/Moscow")

VPS_STATUS: dict[str, ResourceStatus] = {
    "RUNNING": ResourceStatus.RUNNING, "STOPPED": ResourceStatus.STOPPED,
    "STOPPING": ResourceStatus.RUNNING, "RESTARTING": ResourceStatus.RUNNING,
    "STARTING": ResourceStatus.PENDING, "CREATING": ResourceStatus.PENDING,
    "RECONFIGURING": ResourceStatus.RUNNING, "REINSTALLING": ResourceStatus.PENDING,
    "REMOVING": ResourceStatus.DELETED, "REMOVED": ResourceStatus.DELETED,
}
SERVICE_STATUS: dict[str, ResourceStatus] = {
    "RUNNING": ResourceStatus.RUNNING, "CREATING": ResourceStatus.PENDING,
    "RESTARTING": ResourceStatus.RUNNING, "RECONFIGURING": ResourceStatus.RUNNING,
    "STOPPED": ResourceStatus.STOPPED, "SUSPENDED": ResourceStatus.STOPPED,
}
# Service type → (our kind, the sub-object key, a service name for cost lines).
SERVICE_TYPES: dict[str, tuple[ResourceKind, str]] = {
    "MYSQL5": (ResourceKind.DATABASE, "Managed MySQL"),
    "MYSQL8": (ResourceKind.DATABASE, "Managed MySQL"),
    "MYSQL84": (ResourceKind.DATABASE, "Managed MySQL"),
    "POSTGRESQL14": (ResourceKind.DATABASE, "Managed PostgreSQL"),
    "POSTGRESQL15": (ResourceKind.DATABASE, "Managed PostgreSQL"),
    "POSTGRESQL164": (ResourceKind.DATABASE, "Managed PostgreSQL"),
    "S_3": (ResourceKind.BUCKET, "S3 Storage"),
    "CDN": (ResourceKind.CDN, "CDN"),
}


def parse_msk(text: str | None) -> datetime | None:
    """`"2025-03-01 10:00:00"` (Moscow local time, no offset) → aware UTC datetime."""
    if not text:
        return None
    try:
        local = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=MSK)
    except ValueError:
        return None
    return local.astimezone(UTC)


def daily_lines(days: list[date], amount: Decimal, *, resource_id: str, resource_name: str,
                resource_type: str, service_name: str, category: str, region: str | None = None,
                since: datetime | None = None, observed: date | None = None) -> list[CostLine]:
    """One cost line per day from a per-day price (Beget bills these daily).

    Days before the resource was created are skipped. The `observed` day (today, when the
    price was read) is a recorded fact; every other day is an ESTIMATE at today's price,
    tagged `ESTIMATED_TAG`: the sync writes it only where nothing was recorded for that day,
    so history is never re-priced (see `core.services.sync.estimates`).
    """
    first = since.astimezone(MSK).date() if since else None
    lines = []
    for day in days:
        if first is not None and day < first:
            continue
        start = datetime.combine(day, time(), UTC)
        seen = day == observed
        lines.append(CostLine(
            charge_period_start=start, charge_period_end=start + timedelta(days=1),
            billed_cost=amount, effective_cost=amount, list_cost=amount,
            service_name=service_name, service_category=category, resource_id=resource_id,
            resource_name=resource_name, resource_type=resource_type, region_id=region,
            provider_name="Beget", pricing_quantity=Decimal(1), pricing_unit="day",
            charge_description="daily price observed" if seen
            else "estimated from the daily price",
            tags={} if seen else {ESTIMATED_TAG: "daily_price"}))
    return lines


def domain_record(domain: Domain) -> ResourceRecord:
    expire = str(domain.date_expire) if domain.date_expire not in (None, 0, "0", "") else None
    return ResourceRecord(
        external_id=f"domain:{domain.id}", name=domain.fqdn, kind=ResourceKind.DOMAIN,
        status=ResourceStatus.RUNNING, service_name="Domains",
        config={"date_register": domain.date_register, "date_expire": expire,
                "auto_renew": str(domain.auto_renew) == "1",
                "registrar": domain.registrar, "registrar_status": domain.registrar_status})


def vps_record(vps: Vps) -> ResourceRecord:
    cfg = vps.configuration
    status = ResourceStatus.DELETED if vps.archived else VPS_STATUS.get(
        vps.status, ResourceStatus.UNKNOWN)
    return ResourceRecord(
        external_id=vps.id, name=vps.display_name or vps.slug or vps.id, kind=ResourceKind.SERVER,
        status=status, region=vps.region, project=vps.project_id or None, service_name="VPS",
        daily_cost=optional_decimal(cfg.price_day, "price_day"),
        config={"cpu": optional_int(cfg.cpu_count, "cpu_count"),
                "memory_mb": optional_int(cfg.memory, "memory"),
                "disk_mb": optional_int(cfg.disk_size, "disk_size"),
                "plan": cfg.name, "configuration_id": cfg.id, "ip": vps.ip_address,
                "hostname": vps.hostname, "provider_status": vps.status,
                "price_month": str(optional_decimal(cfg.price_month, "price_month") or "")},
        created_at=parse_msk(vps.date_create))


def service_record(svc: CloudService) -> ResourceRecord:
    kind, service_name = SERVICE_TYPES.get(svc.type, (ResourceKind.OTHER, "Cloud service"))
    return ResourceRecord(
        external_id=svc.id, name=svc.display_name or svc.slug or svc.id, kind=kind,
        status=SERVICE_STATUS.get(svc.status, ResourceStatus.UNKNOWN), region=svc.region,
        project=svc.project_id or None, service_name=service_name,
        daily_cost=optional_decimal(svc.price_day, "price_day"),
        config={"type": svc.type, "provider_status": svc.status,
                "suspended_reason": svc.status_details if svc.status_details not in (None, "_")
                else None,
                "price_month": str(optional_decimal(svc.price_month, "price_month") or "")},
        created_at=parse_msk(svc.created_at))


def series_metrics(resource_id: str, metric: str, series: Series, *,
                   memory_mb: int | None = None) -> list[UsageMetric]:
    """Parallel `date[]` / `value[]` arrays → samples in the shared vocabulary.

    `cpu` is percent → `cpu_percent`; `memory` is MB in use (UNCONFIRMED, see NOTES.md) →
    `memory_percent` of the VPS's memory (no samples when its size is unknown).
    Unparseable pairs are skipped.
    """
    samples = []
    for stamp, raw in zip(series.date, series.value, strict=False):
        when = parse_msk(stamp)
        value = optional_decimal(raw, metric)
        if when is None or value is None:
            continue
        with contextlib.suppress(OverflowError):
            number = float(value)
            if metric == "cpu":
                samples.append(UsageMetric(resource_id=resource_id, metric=CPU_PERCENT,
                                           timestamp=when, value=max(0.0, min(100.0, number)),
                                           unit=PERCENT))
            elif metric == "memory":
                pct = memory_percent(number, memory_mb)
                if pct is not None:
                    samples.append(UsageMetric(resource_id=resource_id, metric=MEMORY_PERCENT,
                                               timestamp=when, value=pct, unit=PERCENT))
    return samples
