"""The billing export bucket under the file limits: a giant line in an export object is
refused with the file named, and an object the listing says is too big is never fetched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
import pytest

from connectors.errors import InvalidInput
from connectors.http import ProviderHttp
from connectors.safe_io import ReadLimits
from connectors.yandex.connector import YandexConnector, YandexCredentials
from connectors.yandex.s3 import ExportBucket
from core.domain.collection import Window
from tests.connectors.rigs import YANDEX_EXPORT
from tests.connectors.yandex.fake import YandexFake

WINDOW = Window(start=date(2025, 6, 1), end=date(2025, 6, 3))
KEY = "yc-billing/2025-06-02.csv"


async def test_a_giant_line_in_an_export_object_is_refused(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    header = fake.objects[KEY].split(b"\n", 1)[0]
    fake.objects[KEY] = header + b"\n" + b"x" * (3 << 20) + b"\n"
    with pytest.raises(InvalidInput) as info:
        await make().collect(oauth_creds, WINDOW)
    assert info.value.detail == (f"{KEY}: line 2 is longer than 1 MiB: this is not a billing "
                                 "export (limit IMPORT_MAX_LINE_BYTES)")


async def test_an_object_over_the_size_limit_is_not_downloaded(
        fake: YandexFake, base_url: str, client: httpx.AsyncClient) -> None:
    fake.objects[KEY] = fake.objects[KEY] * 2000  # about 0.5 MB: over a 256 KiB limit
    bucket = ExportBucket(ProviderHttp(client, "yandex"), base_url,
                          YANDEX_EXPORT["export_bucket"], YANDEX_EXPORT["export_prefix"],
                          YANDEX_EXPORT["export_access_key_id"],
                          YANDEX_EXPORT["export_secret_key"],
                          limits=ReadLimits(max_bytes=256 << 10))
    files = await bucket.files_for({date(2025, 6, 1), date(2025, 6, 2)})
    assert [key for _, key in files] == ["yc-billing/2025-06-01.csv", KEY]
    assert len(await bucket.read(files[0][1])) < 256 << 10
    with pytest.raises(InvalidInput, match=r"2025-06-02.csv: the file is .* MiB, larger than "
                                           r"256 KiB: refused \(limit IMPORT_MAX_BYTES\)"):
        await bucket.read(KEY)
    assert fake.faults.count(f"/acme-billing/{KEY}") == 0
