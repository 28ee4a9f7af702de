"""The demo company's inventory, tags, balances, budgets and recommendations, as data.

About 5,000,000 ₽ a year in four connections. Monthly figures are the level of the last
30 days; history grows into it. Kept apart from the seeding code so it reads like a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["CONNECTIONS", "PLANTED_ANOMALIES", "RECOMMENDATIONS", "BUDGETS", "DemoConnection",
           "DemoResource"]


@dataclass(frozen=True)
class DemoResource:
    name: str
    kind: str
    service: str
    monthly: int
    tags: dict[str, str] = field(default_factory=dict)
    region: str = "ru-3"
    weekend_factor: float = 1.0
    cpu_p95: float | None = None
    mem_p95: float | None = None
    config: dict[str, object] = field(default_factory=dict)
    status: str = "running"
    is_orphan: bool = False


@dataclass(frozen=True)
class DemoConnection:
    name: str
    kind: str
    monthly_target: int
    balance: Decimal
    resources: tuple[DemoResource, ...]


def _t(team: str, project: str, env: str) -> dict[str, str]:
    return {"team": team, "project": project, "env": env}


R = DemoResource
CONNECTIONS: tuple[DemoConnection, ...] = (
    DemoConnection("Selectel BU-A", "selectel", 166_600, Decimal("250000"), (
        R("api-backend-prod-01", "server", "Compute", 24_800, _t("platform", "core-api", "prod"),
          cpu_p95=17.0, mem_p95=31.0, config={"flavor": "SL1.8-32768", "vcpus": 8, "ram_gb": 32}),
        R("db-postgres-prod-01", "server", "Compute", 27_400, _t("data", "core-api", "prod"),
          cpu_p95=58.0, mem_p95=72.0, config={"flavor": "SL1.8-65536", "disk": "fast"}),
        R("postgres-data-volume", "volume", "Block Storage", 9_600,
          _t("data", "core-api", "prod"), config={"type": "fast", "size_gb": 1000}),
        R("k8s-worker-01", "server", "Kubernetes", 19_800, _t("platform", "k8s", "prod"),
          cpu_p95=21.0, mem_p95=38.0, config={"flavor": "SL1.8-32768"}),
        R("k8s-worker-02", "server", "Kubernetes", 19_800, _t("platform", "k8s", "prod"),
          region="ru-1", cpu_p95=64.0, mem_p95=70.0, config={"flavor": "SL1.8-32768"}),
        R("k8s-master-01", "server", "Kubernetes", 8_900, _t("platform", "k8s", "prod"),
          cpu_p95=35.0, mem_p95=50.0),
        R("lb-prod-01", "load_balancer", "Network", 4_200, _t("platform", "core-api", "prod")),
        R("s3-cdn-static", "bucket", "Object Storage", 7_900, _t("frontend", "web", "prod")),
        R("archive-cold-storage", "bucket", "Object Storage", 11_300,
          _t("data", "analytics", "prod"), config={"class": "standard", "size_tb": 38}),
        R("snapshot-storage", "snapshot", "Block Storage", 8_400, {},
          config={"snapshots": 46, "oldest_days": 410}),
        R("analytics-etl-01", "server", "Compute", 14_600, _t("data", "analytics", "prod"),
          cpu_p95=71.0, mem_p95=66.0),
        R("app-cache-redis", "database", "Managed Databases", 7_300,
          _t("platform", "core-api", "prod")),
        R("eip-01", "floating_ip", "Network", 2_600, {}),
    )),
    DemoConnection("Selectel BU-B", "selectel", 104_300, Decimal("48000"), (
        R("web-frontend-01", "server", "Compute", 12_900, _t("frontend", "web", "stage"),
          cpu_p95=33.0, mem_p95=45.0, weekend_factor=0.9),
        R("web-frontend-02", "server", "Compute", 12_900, _t("frontend", "web", "stage"),
          cpu_p95=48.0, mem_p95=52.0, weekend_factor=0.9),
        R("db-mysql-staging", "server", "Managed Databases", 14_200,
          _t("backend", "shop", "stage"), cpu_p95=11.0, mem_p95=24.0),
        R("dev-k8s-node-01", "server", "Kubernetes", 11_800, _t("platform", "k8s", "dev"),
          cpu_p95=29.0, mem_p95=40.0, weekend_factor=0.8),
        R("dev-k8s-node-02", "server", "Kubernetes", 11_800, _t("platform", "k8s", "dev"),
          cpu_p95=4.0, mem_p95=9.0, weekend_factor=0.8),
        R("s3-media-bucket", "bucket", "Object Storage", 9_700, _t("frontend", "web", "dev"),
          config={"class": "standard", "cold_share": 0.7}),
        R("test-runner-01", "server", "Compute", 6_900, _t("qa", "ci", "dev"),
          cpu_p95=26.0, mem_p95=30.0, weekend_factor=0.6),
        R("ci-runner-spot", "server", "Compute", 7_400, _t("qa", "ci", "dev"),
          cpu_p95=6.0, mem_p95=12.0, weekend_factor=0.5),
        R("load-balancer-dev", "load_balancer", "Network", 3_100, _t("platform", "k8s", "dev")),
        R("vpn-gateway", "network", "Network", 4_300, {}),
        R("pg-backup-volume", "volume", "Block Storage", 5_200, _t("data", "shop", "dev"),
          config={"type": "universal", "size_gb": 500, "attached": False}, is_orphan=True),
        R("misc-egress-and-ips", "network", "Network", 4_100, {}),
    )),
    DemoConnection("Beget Prod", "beget", 104_250, Decimal("21000"), (
        R("vps-app-01", "server", "VPS", 18_600, _t("backend", "shop", "prod"),
          cpu_p95=62.0, mem_p95=68.0, config={"plan": "Premium 8/16"}),
        R("vps-app-02", "server", "VPS", 18_600, _t("backend", "shop", "prod"),
          cpu_p95=57.0, mem_p95=64.0, config={"plan": "Premium 8/16"}),
        R("vps-db-01", "server", "VPS", 21_300, _t("data", "shop", "prod"),
          cpu_p95=19.0, mem_p95=35.0, config={"plan": "Premium 16/32"}),
        R("vps-cache-01", "server", "VPS", 7_800, _t("backend", "shop", "prod"),
          cpu_p95=24.0, mem_p95=61.0),
        R("vps-batch-01", "server", "VPS", 9_400, _t("data", "analytics", "prod"),
          cpu_p95=66.0, mem_p95=49.0),
        R("vps-mq-01", "server", "VPS", 6_200, _t("backend", "shop", "prod"),
          cpu_p95=31.0, mem_p95=42.0),
        R("obj-storage-prod", "bucket", "S3", 6_900, _t("backend", "shop", "prod")),
        R("backup-service", "backup", "Backup", 4_800, _t("data", "shop", "prod")),
        R("lb-service", "load_balancer", "Network", 3_600, {}),
        R("nat-firewall", "network", "Network", 2_900, {}),
        R("extra-volumes", "volume", "Block Storage", 3_650, {},
          config={"volumes": 5, "size_gb_each": 40}),
        R("infrazen-demo.ru", "domain", "Domains", 500, _t("frontend", "web", "prod")),
    )),
    DemoConnection("Beget Dev", "beget", 41_850, Decimal("9500"), (
        R("dev-vps-01", "server", "VPS", 9_800, _t("backend", "shop", "dev"),
          cpu_p95=14.0, mem_p95=27.0, weekend_factor=0.9),
        R("dev-vps-02", "server", "VPS", 7_200, _t("backend", "shop", "dev"),
          cpu_p95=22.0, mem_p95=30.0, weekend_factor=0.9),
        R("dev-db-01", "server", "Managed Databases", 6_900, _t("data", "shop", "dev"),
          cpu_p95=9.0, mem_p95=20.0),
        R("stage-web-01", "server", "VPS", 6_300, _t("frontend", "web", "stage"),
          cpu_p95=18.0, mem_p95=25.0),
        R("s3-dev-bucket", "bucket", "S3", 3_100, _t("backend", "shop", "dev")),
        R("ci-dev-runner", "server", "VPS", 4_900, _t("qa", "ci", "dev"),
          cpu_p95=12.0, mem_p95=18.0, weekend_factor=0.6),
        R("dev-public-ip", "floating_ip", "Network", 1_150, {}, is_orphan=True,
          config={"attached": False}),
        R("dev-logs-storage", "bucket", "S3", 2_500, {}),
    )),
)

# (resource, days before today the anomaly starts, days it lasts, multiplier, kind)
PLANTED_ANOMALIES: tuple[tuple[str, int, int, float, str], ...] = (
    ("analytics-etl-01", 25, 2, 3.5, "spike"),
    ("k8s-worker-02", 12, 12, 1.45, "level_shift"),
    ("s3-media-bucket", 41, 1, 4.0, "spike"),
    ("ci-runner-spot", 64, 3, 3.0, "spike"),
)

# (kind, resource or None, share of the resource's monthly cost saved, confidence, params)
RECOMMENDATIONS: tuple[tuple[str, str, float, float, dict[str, object]], ...] = (
    ("rightsizing", "api-backend-prod-01", 0.45, 0.85,
     {"from": "SL1.8-32768", "to": "SL1.4-16384", "cpu_p95": 17, "mem_p95": 31}),
    ("rightsizing", "db-mysql-staging", 0.50, 0.8,
     {"from": "8 vCPU / 16 GB", "to": "4 vCPU / 8 GB"}),
    ("rightsizing", "vps-db-01", 0.40, 0.8, {"from": "Premium 16/32", "to": "Premium 8/16"}),
    ("rightsizing", "k8s-worker-01", 0.35, 0.75, {"from": "SL1.8-32768", "to": "SL1.6-24576"}),
    ("shutdown", "ci-runner-spot", 0.90, 0.7, {"idle_days": 14}),
    ("orphan_volume", "pg-backup-volume", 1.0, 0.9, {"size_gb": 500, "detached_days": 47}),
    ("unused_ip", "dev-public-ip", 1.0, 0.95, {"unattached_days": 60}),
    ("cheaper_region", "k8s-worker-02", 0.12, 0.6, {"from": "ru-1", "to": "ru-3"}),
    ("cross_provider", "web-frontend-01", 0.30, 0.5, {"to": "Beget VPS Premium 4/8"}),
    ("disk_type", "db-postgres-prod-01", 0.10, 0.6, {"from": "fast", "to": "universal"}),
    ("storage_class", "s3-media-bucket", 0.35, 0.7, {"to": "cold", "cold_share": 0.7}),
    ("cold_tier", "archive-cold-storage", 0.55, 0.8, {"to": "ice", "size_tb": 38}),
    ("merge_volumes", "extra-volumes", 0.35, 0.6, {"volumes": 5}),
    ("old_snapshots", "snapshot-storage", 0.60, 0.85, {"older_than_days": 90, "count": 31}),
    ("schedule_shutdown", "dev-vps-01", 0.55, 0.8, {"schedule": "weekdays 08–20"}),
    ("commitment", "vps-app-01", 0.15, 0.75, {"term_months": 12}),
    ("autoscaling", "web-frontend-02", 0.25, 0.55, {"min": 1, "max": 3}),
    ("idle", "dev-k8s-node-02", 0.90, 0.8, {"cpu_p95": 4}),
    ("schedule_shutdown", "stage-web-01", 0.50, 0.75, {"schedule": "weekdays 08–20"}),
    ("rightsizing", "dev-db-01", 0.45, 0.7, {"from": "4 vCPU / 8 GB", "to": "2 vCPU / 4 GB"}),
)

# (name, scope kind, scope value, monthly amount)
BUDGETS: tuple[tuple[str, str, str | None, int], ...] = (
    ("Облако — всего", "org", None, 480_000),
    ("Beget Dev", "connection", "Beget Dev", 40_000),
)
