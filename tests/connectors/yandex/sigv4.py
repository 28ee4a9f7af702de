"""An independent AWS SigV4 check for the fake S3: recompute the signature from the request.

Written from the AWS spec, not from the library the connector uses, so a signing mistake in
the connector fails here the way it would fail at storage.yandexcloud.net.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import parse_qsl, quote

from aiohttp import web

__all__ = ["AUTH_RE", "check_sigv4"]

AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<day>\d{8})/(?P<region>[a-z0-9-]+)/s3/"
    r"aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def check_sigv4(request: web.Request, secrets: dict[str, str], region: str) -> str | None:
    """None when the request is correctly signed; otherwise why not."""
    match = AUTH_RE.match(request.headers.get("Authorization", ""))
    if not match:
        return "Authorization header missing or malformed"
    if match["region"] != region:
        return f"wrong region {match['region']}"
    secret = secrets.get(match["key"])
    if secret is None:
        return "InvalidAccessKeyId"
    amz_date = request.headers.get("x-amz-date", "")
    payload = request.headers.get("x-amz-content-sha256", "")
    if not amz_date.startswith(match["day"]) or not payload:
        return "x-amz-date / x-amz-content-sha256 missing"
    signed = match["signed"].split(";")
    if "host" not in signed:
        return "host not signed"
    path, _, raw_query = request.raw_path.partition("?")
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                   for k, v in parse_qsl(raw_query, keep_blank_values=True))
    canonical = "\n".join([
        request.method, path, "&".join(f"{k}={v}" for k, v in pairs),
        "".join(f"{h}:{' '.join(request.headers.get(h, '').split())}\n" for h in signed),
        ";".join(signed), payload])
    scope = f"{match['day']}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), match["day"]), region), "s3"),
                "aws4_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, match["sig"]) else "SignatureDoesNotMatch"
