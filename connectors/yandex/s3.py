"""The customer's billing-export bucket over the S3 API, signed with AWS SigV4.

SigV4 comes from `httpx-auth`'s `AWS4Auth` (an `httpx.Auth`), path-style URLs keep any
endpoint override working (`https://storage.yandexcloud.net/<bucket>/<key>`). Objects are
listed with ListObjectsV2 (continuation tokens) and only the files whose name carries a date
of the window are read (Yandex writes one file per day, named prefix + date).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
from httpx_auth import AWS4Auth

from connectors.errors import InvalidInput, ProviderError
from connectors.http import ProviderHttp
from connectors.safe_io import ReadLimits, human_bytes

__all__ = ["ExportBucket", "export_day"]

_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def export_day(key: str) -> date | None:
    """The day an export object covers, from its name (`prefix/2025-06-01.csv`)."""
    name = key.rsplit("/", 1)[-1]
    match = _DATE.search(name)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _s3_message(response: httpx.Response) -> str:
    root = ElementTree.fromstring(response.text)  # noqa: S314 - our own bounded S3 answer
    return f"{root.findtext('Code') or ''}: {root.findtext('Message') or ''}".strip(": ")


def _find(node: ElementTree.Element, tag: str) -> str | None:
    found = node.find(f"{_NS}{tag}")
    if found is None:
        found = node.find(tag)
    return found.text if found is not None else None


class ExportBucket:
    """List and read one bucket/prefix with a static access key."""

    def __init__(self, http: ProviderHttp, endpoint: str, bucket: str, prefix: str,
                 access_key_id: str, secret_key: str, *, region: str = "ru-central1",
                 limits: ReadLimits | None = None) -> None:
        self.http = http
        self.base = f"{endpoint.rstrip('/')}/{quote(bucket)}"
        self.prefix = prefix
        self.auth = AWS4Auth(access_id=access_key_id, secret_key=secret_key, region=region,
                             service="s3")
        self.limits = limits or ReadLimits()
        self.sizes: dict[str, int] = {}  # from the listing: a file too big is never fetched

    async def keys(self) -> AsyncIterator[str]:
        token: str | None = None
        while True:
            params = {"list-type": "2", "prefix": self.prefix}
            if token:
                params["continuation-token"] = token
            response = await self.http.request("GET", self.base, params=params, auth=self.auth,
                                               error_parser=_s3_message)
            try:
                root = ElementTree.fromstring(response.content)  # noqa: S314
            except ElementTree.ParseError as exc:
                raise ProviderError("ListObjectsV2: malformed XML", provider="yandex") from exc
            for item in list(root.iter(f"{_NS}Contents")) + list(root.iter("Contents")):
                key = _find(item, "Key")
                if key:
                    size = _find(item, "Size") or ""
                    if size.isdigit():
                        self.sizes[key] = int(size)
                    yield key
            token = _find(root, "NextContinuationToken")
            if (_find(root, "IsTruncated") or "false").lower() != "true" or not token:
                return

    async def read(self, key: str) -> bytes:
        """The object's bytes; one the listing says is over IMPORT_MAX_BYTES is refused."""
        size = self.sizes.get(key, 0)
        if size > self.limits.max_bytes:
            raise InvalidInput(f"{key}: the file is {human_bytes(size)}, larger than "
                               f"{human_bytes(self.limits.max_bytes)}: refused (limit "
                               "IMPORT_MAX_BYTES)", provider="yandex")
        response = await self.http.request("GET", f"{self.base}/{quote(key)}", auth=self.auth,
                                           error_parser=_s3_message)
        return response.content

    async def files_for(self, days: set[date]) -> list[tuple[date, str]]:
        """(day, key) of the export files covering `days`, sorted by day."""
        found = [(day, key) async for key in self.keys()
                 if key.endswith(".csv") and (day := export_day(key)) in days]
        return sorted(found)
