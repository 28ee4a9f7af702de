"""The Bank of Russia's official daily rates: `GET /scripts/XML_daily.asp?date_req=DD/MM/YYYY`.

The answer is windows-1251 XML:

    <ValCurs Date="06.12.2026" name="Foreign Currency Market">
      <Valute ID="R01235"><NumCode>840</NumCode><CharCode>USD</CharCode><Nominal>1</Nominal>
        <Name>Доллар США</Name><Value>92,5000</Value><VunitRate>92,5</VunitRate></Valute> …

`Value` is the price in rubles of `Nominal` units (100 JPY, 10 000 IDR …) written with a decimal
comma, so the rate per unit is Value / Nominal. `ValCurs/@Date` is the day the rates are in
force, which differs from the day asked for on weekends and holidays (the last rates set stay
in force): callers store rates under that date. Parsed with the standard library's expat
(external entities are never fetched and expat ≥ 2.4.1 refuses entity-expansion bombs), which
honours the windows-1251 declaration. Pure I/O through `connectors.http.ProviderHttp`
(timeouts, retries on 429/5xx); no database.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from connectors.errors import ProviderError
from connectors.http import ProviderHttp
from core.domain.currency import DailyRates

__all__ = ["DEFAULT_ENDPOINT", "PROVIDER", "CbrClient", "DailyRates", "parse_daily"]

DEFAULT_ENDPOINT = "https://www.cbr.ru"
PROVIDER = "cbr"
_PLACES = Decimal("0.00000001")


def _number(text: str | None) -> Decimal:
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", raw):
        raise ValueError(f"not a number: {text!r}")
    return Decimal(raw)


def parse_daily(body: bytes | str) -> DailyRates:
    """One XML_daily answer → DailyRates; anything unreadable is a ProviderError."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - expat ≥ 2.4.1, no external entities
    except ET.ParseError as exc:
        raise ProviderError(f"unreadable rates XML: {exc}", provider=PROVIDER) from exc
    if root.tag != "ValCurs" or not root.get("Date"):
        raise ProviderError(f"unexpected rates XML root <{root.tag}>", provider=PROVIDER)
    try:
        day = datetime.strptime(root.get("Date", ""), "%d.%m.%Y").date()  # noqa: DTZ007
    except ValueError as exc:
        raise ProviderError(f"unexpected rates date {root.get('Date')!r}",
                            provider=PROVIDER) from exc
    rates: dict[str, Decimal] = {}
    for valute in root.iter("Valute"):
        code = (valute.findtext("CharCode") or "").strip().upper()
        try:
            nominal = _number(valute.findtext("Nominal") or "1")
            value = _number(valute.findtext("Value"))
            rate = (value / nominal).quantize(_PLACES)
        except (ValueError, InvalidOperation, ArithmeticError) as exc:
            raise ProviderError(f"unreadable rate of {code or '?'}: {exc}",
                                provider=PROVIDER) from exc
        if re.fullmatch(r"[A-Z]{3}", code) and rate > 0:
            rates[code] = rate
    return DailyRates(day, rates)


class CbrClient:
    """Fetches one day's official rates; `endpoint` is configurable (`CBR_URL`) for tests."""

    def __init__(self, http: ProviderHttp, endpoint: str = DEFAULT_ENDPOINT) -> None:
        self.http = http
        self.endpoint = endpoint.rstrip("/")

    async def daily(self, on: date) -> DailyRates:
        """The rates in force on `on` (or the last ones set before it)."""
        response = await self.http.request(
            "GET", f"{self.endpoint}/scripts/XML_daily.asp",
            params={"date_req": on.strftime("%d/%m/%Y")})
        body = response.content
        if not body.lstrip().startswith(b"<?xml"):
            return parse_daily(response.text)  # no declaration: trust the charset header
        return parse_daily(body)
