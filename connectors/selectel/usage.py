"""Selectel CPU and RAM utilisation from Gnocchi (`POST {metric}/v1/aggregates`).

One request per running server with a project-scoped token:
`{"operations": "(metric (cpu_util mean) (memory.usage mean))", "search": "id=<server>",
"resource_type": "generic"}` at `granularity=300`; the answer (details=false) is
`{"measures": {"<server id>": {"cpu_util": {"mean": [[ts, 300.0, v], ...]},
"memory.usage": {"mean": [...]}}}}` (shape from a public client, UNCONFIRMED in Selectel's
docs; see NOTES.md). `cpu_util` is percent; `memory.usage` is MB in use, turned into percent
of the flavor's RAM. Five-minute points are averaged per hour before they are stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from connectors.errors import ProviderError
from connectors.http import ProviderHttp
from connectors.openstack.auth import KeystoneAuth
from connectors.openstack.models import Server
from connectors.openstack.records import server_flavor
from core.domain.collection import UsageMetric
from core.domain.metrics import CPU_PERCENT, MEMORY_PERCENT, PERCENT, memory_percent

__all__ = ["GRANULARITY", "OPERATIONS", "hourly", "server_usage"]

GRANULARITY = 300
OPERATIONS = "(metric (cpu_util mean) (memory.usage mean))"


def _points(measures: Any, server_id: str, metric: str) -> list[tuple[datetime, float]]:
    series = (((measures or {}).get(server_id) or {}).get(metric) or {}).get("mean") or []
    out = []
    for point in series:
        if not isinstance(point, list | tuple) or len(point) < 3 or point[2] is None:
            continue
        try:
            when = datetime.fromisoformat(str(point[0]).replace("Z", "+00:00"))
            value = float(point[2])
        except (TypeError, ValueError):
            continue
        out.append((when if when.tzinfo else when.replace(tzinfo=UTC), value))
    return out


def hourly(points: Iterable[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    """Average the points of each UTC hour (5-minute points → one sample an hour)."""
    buckets: dict[datetime, list[float]] = defaultdict(list)
    for when, value in points:
        hour = when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        buckets[hour].append(value)
    return [(hour, sum(v) / len(v)) for hour, v in sorted(buckets.items())]


async def server_usage(http: ProviderHttp, auth: KeystoneAuth, metric_url: str,
                       server: Server, flavors: dict[str, Any], start: datetime,
                       stop: datetime) -> list[UsageMetric]:
    """CPU % and memory % samples of one server (an error propagates to the caller)."""
    body = {"operations": OPERATIONS, "search": f"id={server.id}", "resource_type": "generic"}
    params = {"details": "false", "granularity": str(GRANULARITY),
              "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
              "stop": stop.strftime("%Y-%m-%dT%H:%M:%S")}
    data = await http.post(f"{metric_url.rstrip('/')}/v1/aggregates", params=params, json=body,
                           auth=auth)
    if not isinstance(data, dict):
        raise ProviderError("aggregates: unexpected shape", provider=http.provider)
    measures = data.get("measures")
    samples = [UsageMetric(resource_id=server.id, metric=CPU_PERCENT, timestamp=when,
                           value=max(0.0, min(100.0, value)), unit=PERCENT)
               for when, value in hourly(_points(measures, server.id, "cpu_util"))]
    flavor = server_flavor(server, flavors)
    ram = float(flavor.ram) if flavor and flavor.ram else None
    for when, used in hourly(_points(measures, server.id, "memory.usage")):
        pct = memory_percent(used, ram)
        if pct is not None:
            samples.append(UsageMetric(resource_id=server.id, metric=MEMORY_PERCENT,
                                       timestamp=when, value=pct, unit=PERCENT))
    return samples
