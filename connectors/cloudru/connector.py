"""Cloud.ru Evolution connector: daily costs from the billing consumption API (v2), VMs,
disks and floating IPs of the configured projects.

Several shapes are UNCONFIRMED (providers.md §5): they are options with defaults, and when an
answer does not match, the part is skipped with a `unconfirmed_shape` warning. The disk list
answers 403 to some roles; then disks are read from each VM's detail instead. Inventory
failures are warnings; a billing failure fails the sync (see `_costs`).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any, ClassVar, Self

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.base import BaseConnector, Credentials
from connectors.cloudru.auth import CloudRuTokenAuth
from connectors.cloudru.client import CloudRuClient, Endpoints, ShapeError
from connectors.cloudru.mapping import (
    consumption_line,
    disk_record,
    fip_record,
    vm_disk_record,
    vm_record,
)
from connectors.collecting import guard, warn
from connectors.errors import ConnectorError, NoPermission
from core.domain.collection import AccountInfo, Collection, CostLine, Window

__all__ = ["CloudRuConnector", "CloudRuCredentials"]


class CloudRuCredentials(Credentials):
    """A service-account access key, and the projects (or the agreement) to read."""

    key_id: str = Field(min_length=1)
    secret: SecretStr
    project_ids: list[str] = Field(default_factory=list)
    agreement_id: str | None = None

    @field_validator("project_ids", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        return value

    @model_validator(mode="after")
    def _scope(self) -> Self:
        if not self.project_ids and not self.agreement_id:
            raise ValueError("give project_ids or agreement_id")
        return self


class CloudRuConnector(BaseConnector[CloudRuCredentials]):
    kind: ClassVar[str] = "cloudru"
    display_name: ClassVar[str] = "Cloud.ru Evolution"
    credentials_model: ClassVar[type[Credentials]] = CloudRuCredentials
    has_balance: ClassVar[bool] = False
    default_endpoint: ClassVar[str] = ""  # per-service hosts unless overridden

    def _client(self, creds: CloudRuCredentials) -> CloudRuClient:
        ep = Endpoints.build(self.endpoint, self.options)
        auth = CloudRuTokenAuth(self.http, ep.iam, creds.key_id, creds.secret.get_secret_value())
        return CloudRuClient(self.http, auth, ep, options=self.options)

    @staticmethod
    def _account(creds: CloudRuCredentials, tenant: str | None) -> AccountInfo:
        ident = creds.agreement_id or ",".join(creds.project_ids)
        return AccountInfo(account_id=ident, display_name=tenant or ident,
                           extra={"projects": list(creds.project_ids)})

    async def test(self, creds: CloudRuCredentials) -> AccountInfo:
        """Token, then one page of yesterday's consumption: proves billing access."""
        creds = self.parse_credentials(creds)
        client = self._client(creds)
        client.page_size = 1
        day = self._today() - timedelta(days=1)
        tenant = None
        async for row in client.consumption(start=day, end=day, project_ids=creds.project_ids,
                                            agreement_id=creds.agreement_id):
            tenant = row.meta.get("tenant_name")
            break
        return self._account(creds, str(tenant) if tenant else None)

    def _today(self) -> date:
        return Window.last_days(1).start

    async def collect(self, creds: CloudRuCredentials, window: Window) -> Collection:
        creds = self.parse_credentials(creds)
        client = self._client(creds)
        await client.auth.token()  # bad credentials stop the sync here, before anything else
        out = Collection(account=self._account(creds, None))
        for project in creds.project_ids:
            await self._project(out, client, project)
        tenant = await self._costs(out, client, creds, window)
        if tenant:
            out.account = self._account(creds, tenant)
        if not creds.project_ids:
            out.complete_inventory = False
        return out

    async def _costs(self, out: Collection, client: CloudRuClient, creds: CloudRuCredentials,
                     window: Window) -> str | None:
        """Billing is the cost source: any failure to read it raises, because the sync engine
        replaces the window's cost lines and a half-read window would erase or undercount
        stored days. A single row we cannot read (UNCONFIRMED shape) is skipped and counted
        in a warning."""
        with_vat = bool(self.options.get("prices_with_vat", True))
        lines: list[CostLine] = []
        skipped: list[str] = []
        tenant: str | None = None

        async def read() -> None:
            nonlocal tenant
            async for row in client.consumption(
                    start=window.start, end=window.end - timedelta(days=1),
                    project_ids=creds.project_ids, agreement_id=creds.agreement_id):
                try:
                    line = consumption_line(row, with_vat=with_vat)
                except ShapeError as exc:
                    skipped.append(exc.detail)
                    continue
                if window.start <= line.charge_period_start.date() < window.end:
                    lines.append(line)
                tenant = tenant or row.meta.get("tenant_name")

        await read()
        out.cost_lines.extend(lines)
        if skipped:
            out.warnings.append(warn("unconfirmed_shape", "consumption",
                                     f"{len(skipped)} row(s) skipped, first: {skipped[0]}"))
        return tenant

    async def _project(self, out: Collection, client: CloudRuClient, project: str) -> None:
        vms = await guard(out, f"vms/{project}", partial(client.vms, project))
        out.resources.extend(vm_record(vm, project) for vm in vms or [])
        fips = await guard(out, f"floating-ips/{project}",
                           partial(client.floating_ips, project))
        out.resources.extend(fip_record(f, project) for f in fips or [])
        try:
            disks = await client.disks(project)
        except NoPermission as exc:
            # Some roles may not list disks: read them from each VM's detail instead. Disks
            # attached to no VM are then invisible, so the inventory is incomplete.
            out.warnings.append(warn("no_permission", f"disks/{project}", exc.detail))
            out.complete_inventory = False
            for vm in vms or []:
                detail = await guard(out, f"vms/{vm.id}", partial(client.vm, vm.id))
                out.resources.extend(vm_disk_record(d, vm, project)
                                     for d in (detail.disks if detail else []))
            return
        except ConnectorError as exc:
            out.warnings.append(warn(exc.code, f"disks/{project}", exc.detail))
            out.complete_inventory = False
            return
        out.resources.extend(disk_record(d, project) for d in disks)
