"""A loopback fake of the Bank of Russia's XML_daily.asp in its published format.

Windows-1251 XML, decimal commas, `Value` per `Nominal` units; rates are set on business days
and the answer for a weekend day is the last business day's set (its own `Date`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from aiohttp import web

# business day → {code: (nominal, value per nominal)}
TABLE: dict[date, dict[str, tuple[int, str]]] = {
    date(2026, 10, 1): {"USD": (1, "90,0000"), "EUR": (1, "98,1000"), "JPY": (100, "61,2345")},
    date(2026, 10, 2): {"USD": (1, "91,5000"), "EUR": (1, "99,0000"), "JPY": (100, "61,0000")},
    date(2026, 10, 3): {"USD": (1, "92,2500"), "EUR": (1, "99,5000"), "JPY": (100, "60,5000")},
}
NAMES = {"USD": ("R01235", "840", "Доллар США"), "EUR": ("R01239", "978", "Евро"),
         "JPY": ("R01820", "392", "Японских иен")}


def body(on: date) -> bytes:
    known = [d for d in TABLE if d <= on]
    day = max(known) if known else min(TABLE)
    items = []
    for code, (nominal, value) in TABLE[day].items():
        ident, num, name = NAMES[code]
        unit = (Decimal(value.replace(",", ".")) / nominal).normalize()
        items.append(f'<Valute ID="{ident}"><NumCode>{num}</NumCode><CharCode>{code}</CharCode>'
                     f"<Nominal>{nominal}</Nominal><Name>{name}</Name><Value>{value}</Value>"
                     f"<VunitRate>{str(unit).replace('.', ',')}</VunitRate></Valute>")
    xml = ('<?xml version="1.0" encoding="windows-1251"?>'
           f'<ValCurs Date="{day:%d.%m.%Y}" name="Foreign Currency Market">'
           + "".join(items) + "</ValCurs>")
    return xml.encode("cp1251")


class FakeCbr:
    """Records the days asked; `fail_with` makes every answer that HTTP status."""

    def __init__(self) -> None:
        self.asked: list[date] = []
        self.fail_with: int | None = None
        self.malformed = False

    async def daily(self, request: web.Request) -> web.Response:
        on = datetime.strptime(request.query["date_req"], "%d/%m/%Y").date()  # noqa: DTZ007
        self.asked.append(on)
        if self.fail_with is not None:
            return web.Response(status=self.fail_with, text="Service Unavailable")
        if self.malformed:
            return web.Response(body=b"<html>maintenance", content_type="text/html")
        return web.Response(body=body(on), content_type="application/xml",
                            charset="windows-1251")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/scripts/XML_daily.asp", self.daily)
        return app


