"""A loopback fake of the Yandex Cloud REST APIs and of Object Storage (providers.md §3).

IAM verifies service-account JWTs with the public key (PS256, kid, iss, aud, ≤ 1 h) and accepts
one OAuth token; APIs need the Bearer IAM token; lists page with pageSize/pageToken; errors are
`google.rpc.Status`. The S3 part checks SigV4 (tests/connectors/yandex/sigv4.py) and pages
ListObjectsV2 two keys at a time.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jwt
from aiohttp import web

from tests.connectors.yandex.sigv4 import check_sigv4
from tests.support.bearer import BearerFake
from tests.support.faults import Faults

FIXTURES = Path(__file__).parent / "fixtures"
AUD = "https://iam.api.cloud.yandex.net/iam/v1/tokens"


MANAGED_LISTS = (
    ("/managed-postgresql/v1/clusters", "clusters"), ("/managed-mysql/v1/clusters", "clusters"),
    ("/managed-clickhouse/v1/clusters", "clusters"), ("/managed-redis/v1/clusters", "clusters"),
    ("/managed-kafka/v1/clusters", "clusters"), ("/managed-mongodb/v1/clusters", "clusters"),
    ("/managed-kubernetes/v1/clusters", "clusters"),
    ("/managed-kubernetes/v1/nodeGroups", "nodeGroups"),
    ("/load-balancer/v1/networkLoadBalancers", "networkLoadBalancers"),
    ("/apploadbalancer/v1/loadBalancers", "loadBalancers"),
    ("/compute/v1/snapshots", "snapshots"), ("/compute/v1/images", "images"))


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def rpc(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message, "details": []}, status=status)


class YandexFake(BearerFake):
    def __init__(self) -> None:
        self.oauth_token = "y0_AgAAAAFAKEOAUTH"
        self.sa_keys: dict[str, tuple[str, Any]] = {}  # key id → (service account id, public key)
        self.tokens: set[str] = set()
        self.exchanges = 0
        self.revoke_on: str | None = None
        self.billing_accounts = fixture("billing_accounts")["billingAccounts"]
        self.clouds = fixture("clouds")["clouds"]
        self.folders: dict[str, list[Any]] = fixture("folders")
        self.lists = {"instances": fixture("instances"), "disks": fixture("disks"),
                      "addresses": fixture("addresses")}
        self.bucket = "acme-billing"
        self.s3_secrets = {"YCAJEFAKEKEYID": "YCFAKESECRETsecretSECRET"}
        self.objects: dict[str, bytes] = {
            f"yc-billing/{p.name}": p.read_bytes() for p in (FIXTURES / "export").iterdir()}
        self.objects["yc-billing/readme.txt"] = b"not an export"
        self.page_sizes: list[str] = []
        self.monitoring: dict[str, Any] = fixture("monitoring")
        self.monitoring_queries: list[dict[str, Any]] = []
        self.faults = Faults()
        # list path → folder id → items (managed databases, Kubernetes, balancers, snapshots,
        # images); empty unless a test loads `managed.json`
        self.managed: dict[str, dict[str, list[Any]]] = {}
        self.skus: list[Any] = fixture("skus")["skus"]

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.faults.middleware])
        r = app.router
        r.add_post("/iam/v1/tokens", self.iam)
        r.add_get("/billing/v1/billingAccounts", self.list_of("billingAccounts",
                                                               lambda q: self.billing_accounts))
        r.add_get("/billing/v1/billingAccounts/{id}", self.billing_account)
        r.add_get("/billing/v1/skus", self.list_of("skus", lambda q: self.skus,
                                                    required="currency"))
        r.add_get("/resource-manager/v1/clouds", self.list_of("clouds", lambda q: self.clouds))
        r.add_get("/resource-manager/v1/folders", self.list_of(
            "folders", lambda q: self.folders.get(q["cloudId"], []), required="cloudId"))
        for service, kind in (("compute", "instances"), ("compute", "disks"),
                              ("vpc", "addresses")):
            r.add_get(f"/{service}/v1/{kind}", self.list_of(
                kind, lambda q, k=kind: self.lists[k].get(q["folderId"], []),
                required="folderId"))
        for path, key in MANAGED_LISTS:
            r.add_get(path, self.list_of(
                key, lambda q, p=path: self.managed.get(p, {}).get(q["folderId"], []),
                required="folderId"))
        r.add_post("/monitoring/v2/data/read", self.metrics_read)
        r.add_get(f"/{self.bucket}", self.s3_list)
        r.add_get(f"/{self.bucket}/{{key:.+}}", self.s3_get)
        return app

    # -- IAM ------------------------------------------------------------------------------

    async def iam(self, request: web.Request) -> web.Response:
        body = await request.json()
        if set(body) - {"yandexPassportOauthToken", "jwt"} or len(body) != 1:
            return rpc(400, 3, "exactly one of yandexPassportOauthToken or jwt")
        if "yandexPassportOauthToken" in body:
            if body["yandexPassportOauthToken"] != self.oauth_token:
                return rpc(401, 16, "OAuth token is invalid or expired")
        elif not self._jwt_ok(body["jwt"]):
            return rpc(401, 16, "JWT signature validation failed")
        self.exchanges += 1
        token = f"t1.{secrets.token_hex(8)}"
        self.tokens.add(token)
        return web.json_response({"iamToken": token,
                                  "expiresAt": "2099-01-01T00:00:00.123456789Z"})

    def _jwt_ok(self, token: str) -> bool:
        try:
            header = jwt.get_unverified_header(token)
            sa_id, public_key = self.sa_keys[header["kid"]]
            if header.get("alg") != "PS256":
                return False
            claims = jwt.decode(token, public_key, algorithms=["PS256"], audience=AUD,
                                issuer=sa_id, options={"require": ["iat", "exp", "iss", "aud"]})
        except (KeyError, jwt.PyJWTError):
            return False
        return 0 < int(claims["exp"]) - int(claims["iat"]) <= 3600

    # -- REST lists -----------------------------------------------------------------------

    def list_of(self, key: str, source: Any, required: str | None = None) -> Any:
        async def handler(request: web.Request) -> web.Response:
            if not self._authorised(request):
                return rpc(401, 16, "The token is invalid or has expired.")
            if required and required not in request.query:
                return rpc(400, 3, f"{required} is required")
            items = source(request.query)
            size = int(request.query.get("pageSize", 100)) or 100
            self.page_sizes.append(request.query.get("pageSize", ""))
            start = int(request.query.get("pageToken") or 0)
            nxt = str(start + size) if start + size < len(items) else ""
            return web.json_response({key: items[start:start + size], "nextPageToken": nxt})
        return handler

    async def billing_account(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return rpc(401, 16, "The token is invalid or has expired.")
        for account in self.billing_accounts:
            if account["id"] == request.match_info["id"]:
                return web.json_response(account)
        return rpc(404, 5, "Billing account not found")

    async def metrics_read(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return rpc(401, 16, "The token is invalid or has expired.")
        folder = request.query.get("folderId")
        body = await request.json()
        if not folder or not {"query", "fromTime", "toTime", "downsampling"} <= set(body):
            return rpc(400, 3, "folderId, query, fromTime, toTime and downsampling are required")
        self.monitoring_queries.append({"folder": folder, **body})
        return web.json_response(self.monitoring.get(folder, {"metrics": []}))

    # -- S3 -------------------------------------------------------------------------------

    def _s3_denied(self, request: web.Request) -> web.Response | None:
        problem = check_sigv4(request, self.s3_secrets, "ru-central1")
        if problem is None:
            return None
        code = "InvalidAccessKeyId" if problem == "InvalidAccessKeyId" else (
            "SignatureDoesNotMatch" if problem == "SignatureDoesNotMatch" else "AccessDenied")
        return web.Response(status=403, content_type="application/xml", text=(
            f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>"
            f"<Message>{escape(problem)}</Message></Error>"))

    async def s3_list(self, request: web.Request) -> web.Response:
        denied = self._s3_denied(request)
        if denied is not None:
            return denied
        assert request.query.get("list-type") == "2"
        prefix = request.query.get("prefix", "")
        keys = sorted(k for k in self.objects if k.startswith(prefix))
        start = int(request.query.get("continuation-token", "0"))
        page = keys[start:start + 2]
        truncated = start + 2 < len(keys)
        contents = "".join(f"<Contents><Key>{escape(k)}</Key><Size>{len(self.objects[k])}"
                           f"</Size></Contents>" for k in page)
        token = f"<NextContinuationToken>{start + 2}</NextContinuationToken>" if truncated else ""
        return web.Response(content_type="application/xml", text=(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            f"<Name>{self.bucket}</Name><Prefix>{escape(prefix)}</Prefix>"
            f"<KeyCount>{len(page)}</KeyCount><MaxKeys>2</MaxKeys>"
            f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"
            f"{contents}{token}</ListBucketResult>"))

    async def s3_get(self, request: web.Request) -> web.Response:
        denied = self._s3_denied(request)
        if denied is not None:
            return denied
        data = self.objects.get(request.match_info["key"])
        if data is None:
            return web.Response(status=404, content_type="application/xml",
                                text="<Error><Code>NoSuchKey</Code></Error>")
        return web.Response(body=data, content_type="text/csv")
