"""A loopback OpenStack: Keystone v3 (tokens, catalog, /auth/projects), Nova, Cinder, Neutron.

Shapes follow providers.md §6 and the fixtures in `fixtures/`. Compute/network URLs carry no
project id, so the fake resolves the project from the token, as a real cloud does. The Selectel
fake reuses it (same Keystone, same regional services). Faults are injected by path prefix.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.support.faults import Fault as BaseFault
from tests.support.faults import Faults

__all__ = ["FIXTURES", "Fault", "OpenStackFake", "load"]

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str, folder: Path = FIXTURES) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


@dataclass
class Fault(BaseFault):
    """An injected fault whose default body is an OpenStack error (see tests/support/faults)."""

    body: str = '{"error": {"code": 500, "message": "injected", "title": "Internal"}}'


@dataclass
class OpenStackFake:
    """State of the fake cloud; tests edit it before or during a run."""

    users: dict[str, str] = field(default_factory=lambda: {"finops": "s3cret"})
    app_credentials: dict[str, tuple[str, str]] = field(default_factory=dict)
    projects: list[dict[str, Any]] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    data: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    services: tuple[str, ...] = ("compute", "volumev3", "network")
    missing: set[tuple[str, str]] = field(default_factory=set)  # (region, service type)
    user_domain: str | None = None  # when set, the user's domain name must match
    page_size: int = 2
    prefix: str = "/identity/v3"
    tokens: dict[str, str | None] = field(default_factory=dict)  # token → project id | None
    faults: Faults = field(default_factory=Faults)
    token_bodies: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_fixture(cls, name: str = "inventory.json", **kw: Any) -> OpenStackFake:
        raw = load(name)
        return cls(projects=raw["projects"], regions=raw["regions"], data=raw["data"], **kw)

    # -- helpers for tests ------------------------------------------------------------------
    def fail(self, prefix: str, fault: BaseFault) -> None:
        self.faults.add(prefix, fault)

    def count(self, prefix: str, method: str | None = None) -> int:
        return self.faults.count(prefix, method)

    def revoke_all(self) -> None:
        self.tokens.clear()

    # -- app ------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.faults.middleware])
        self.add_routes(app)
        return app

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(f"{self.prefix}/auth/tokens", self.issue_token)
        app.router.add_get(f"{self.prefix}/auth/projects", self.auth_projects)
        app.router.add_get("/{region}/compute/v2.1/servers/detail", self.servers)
        app.router.add_get("/{region}/compute/v2.1/flavors/detail", self.flavors)
        app.router.add_get("/{region}/volume/v3/{project}/volumes/detail", self.volumes)
        app.router.add_get("/{region}/volume/v3/{project}/snapshots/detail", self.snapshots)
        app.router.add_get("/{region}/network/v2.0/ports", self.ports)
        app.router.add_get("/{region}/network/v2.0/floatingips", self.floatingips)

    # -- Keystone -------------------------------------------------------------------------
    @staticmethod
    def _error(status: int, message: str, title: str) -> web.Response:
        return web.json_response({"error": {"code": status, "message": message,
                                             "title": title}}, status=status)

    def _project(self, scope: dict[str, Any] | None) -> dict[str, Any] | None:
        if not scope or "project" not in scope:
            return None
        want = scope["project"]
        for project in self.projects:
            if project["id"] == want.get("id") or (
                    "id" not in want and project["name"] == want.get("name")):
                return project
        return {}

    def catalog(self, base: str, project_id: str) -> list[dict[str, Any]]:
        paths = {"compute": "compute/v2.1", "volumev3": f"volume/v3/{project_id}",
                 "network": "network/"}
        return [{"type": svc, "name": svc, "id": svc, "endpoints": [
            {"id": f"{svc}-{r}-{iface}", "interface": iface, "region": r, "region_id": r,
             "url": f"{base}/{r}/{paths[svc]}" if iface == "public" else f"http://internal/{r}"}
            for r in self.regions if (r, svc) not in self.missing
            for iface in ("public", "internal")]} for svc in self.services]

    async def issue_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.token_bodies.append(body)
        auth = body["auth"]
        identity = auth["identity"]
        scope = auth.get("scope")
        if identity["methods"] == ["application_credential"]:
            cred = identity["application_credential"]
            secret, project_id = self.app_credentials.get(cred["id"], ("", ""))
            if not secret or secret != cred["secret"]:
                return self._error(401, "Invalid application credential.", "Unauthorized")
            project = next((p for p in self.projects if p["id"] == project_id), None)
            user = "app-user"
        else:
            user_block = identity["password"]["user"]
            user = user_block["name"]
            domain_ok = self.user_domain in (None, user_block.get("domain", {}).get("name"))
            if self.users.get(user) != user_block["password"] or not domain_ok:
                return self._error(401, "The request you have made requires authentication.",
                                   "Unauthorized")
            project = self._project(scope)
            if project == {}:
                return self._error(401, "No project with that scope.", "Unauthorized")
        token_id = uuid.uuid4().hex
        self.tokens[token_id] = project["id"] if project else None
        base = f"{request.scheme}://{request.host}"
        raw = copy.deepcopy(load("token.json")["token"])
        raw["user"]["name"] = user
        raw["project"] = ({"id": project["id"], "name": project["name"],
                           "domain": {"id": "default", "name": "Default"}} if project else None)
        if project is None:
            raw.pop("project")
            if scope and "domain" in scope:
                raw["domain"] = {"id": scope["domain"]["name"], "name": scope["domain"]["name"]}
        raw["catalog"] = self.catalog(base, project["id"]) if project else []
        return web.json_response({"token": raw}, status=201,
                                 headers={"X-Subject-Token": token_id})

    def scoped(self, request: web.Request) -> str | web.Response:
        token = request.headers.get("X-Auth-Token", "")
        if token not in self.tokens:
            return self._error(401, "The request you have made requires authentication.",
                               "Unauthorized")
        project_id = self.tokens[token]
        if project_id is None:
            return self._error(403, "Token is not project-scoped.", "Forbidden")
        return project_id

    async def auth_projects(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Auth-Token", "") not in self.tokens:
            return self._error(401, "The request you have made requires authentication.",
                               "Unauthorized")
        return web.json_response({"projects": [
            {"id": p["id"], "name": p["name"], "domain_id": "default",
             "enabled": p.get("enabled", True)} for p in self.projects]})

    # -- regional services ---------------------------------------------------------------
    def _rows(self, project_id: str, region: str, kind: str) -> list[dict[str, Any]]:
        return list(self.data.get(f"{project_id}/{region}", {}).get(kind, []))

    def _page(self, request: web.Request, rows: list[dict[str, Any]],
              key: str) -> web.Response:
        marker = request.query.get("marker")
        start = 0
        if marker:
            start = next(i for i, r in enumerate(rows) if r["id"] == marker) + 1
        page = rows[start:start + self.page_size]
        body: dict[str, Any] = {key: page}
        if start + self.page_size < len(rows):
            url = request.url.with_query({"limit": str(self.page_size), "marker": page[-1]["id"]})
            body[f"{key}_links"] = [{"href": str(url), "rel": "next"}]
        return web.json_response(body)

    async def _list(self, request: web.Request, kind: str, key: str) -> web.Response:
        project_id = self.scoped(request)
        if isinstance(project_id, web.Response):
            return project_id
        if "project" in request.match_info and request.match_info["project"] != project_id:
            return web.json_response({"forbidden": {"code": 403, "message": "Policy doesn't "
                                                    "allow this project."}}, status=403)
        return self._page(request, self._rows(project_id, request.match_info["region"], kind),
                          key)

    async def servers(self, request: web.Request) -> web.Response:
        return await self._list(request, "servers", "servers")

    async def flavors(self, request: web.Request) -> web.Response:
        return await self._list(request, "flavors", "flavors")

    async def volumes(self, request: web.Request) -> web.Response:
        return await self._list(request, "volumes", "volumes")

    async def snapshots(self, request: web.Request) -> web.Response:
        return await self._list(request, "snapshots", "snapshots")

    async def ports(self, request: web.Request) -> web.Response:
        return await self._list(request, "ports", "ports")

    async def floatingips(self, request: web.Request) -> web.Response:
        return await self._list(request, "floatingips", "floatingips")
