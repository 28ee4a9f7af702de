"""Pure mapping from Beget models to domain records (no I/O), kept apart from orchestration."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from connectors.beget.models import CloudService, Domain, Series, Vps
from connectors.parsing import optional_decimal, optional_int
from core.domain.collection import (
    CostLine,
    ResourceKind,
    ResourceRecord,
    ResourceStatus,
    UsageMetric,
)

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
                since: datetime | None = None) -> list[CostLine]:
    """One estimated cost line per day from a per-day price (Beget bills these daily).

    Days before the resource was created are skipped; the amount is the current price, so a
    plan changed mid-window is priced at today's rate (an estimate, documented in SUPPORT.md).
    """
    first = since.astimezone(MSK).date() if since else None
    lines = []
    for day in days:
        if first is not None and day < first:
            continue
        start = datetime.combine(day, time(), UTC)
        lines.append(CostLine(
            charge_period_start=start, charge_period_end=start + timedelta(days=1),
            billed_cost=amount, effective_cost=amount, list_cost=amount,
            service_name=service_name, service_category=category, resource_id=resource_id,
            resource_name=resource_name, resource_type=resource_type, region_id=region,
            provider_name="Beget", pricing_quantity=Decimal(1), pricing_unit="day",
            charge_description="estimated from the daily price"))
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


def series_metrics(resource_id: str, metric: str, unit: str, series: Series) -> list[UsageMetric]:
    """Parallel `date[]` / `value[]` arrays → samples; unparseable pairs are skipped."""
    samples = []
    for stamp, raw in zip(series.date, series.value, strict=False):
        when = parse_msk(stamp)
        value = optional_decimal(raw, metric)
        if when is None or value is None:
            continue
        with contextlib.suppress(OverflowError):
            samples.append(UsageMetric(resource_id=resource_id, metric=metric, timestamp=when,
                                       value=float(value), unit=unit))
    return samples
