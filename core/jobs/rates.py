"""Daily: the Bank of Russia's official rates for every RUB organisation with foreign costs.

One worker takes the day's lease; each organisation is planned, fetched and stored on its own
(`core.services.cbr_rates`), so one failing fetch leaves the others done and is retried on the
next run. The endpoint comes from the app's settings (`CBR_URL`; empty turns this job off).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.db.models import CostRollup, Organization
from core.domain.connector_errors import ConnectorError
from core.jobs.runtime import JobRuntime
from core.services.cbr_rates import BASE, CbrSync, sync_cbr_rates
from core.services.errors import ServiceError
from core.services.leases import acquire_job

__all__ = ["MOSCOW", "endpoint", "sync_official_rates"]

log = logging.getLogger(__name__)
MOSCOW = ZoneInfo("Europe/Moscow")  # the Bank of Russia's calendar


def endpoint(rt: JobRuntime) -> str | None:
    """`CBR_URL` of the app's settings; None when it is set empty (rates off); "" (the
    adapter's default endpoint) for bare deps without settings."""
    settings = getattr(rt.deps, "settings", None)  # AppContext carries them; bare deps do not
    if settings is None:
        return ""
    url: str | None = settings.cbr_url
    return url


async def sync_official_rates(rt: JobRuntime) -> list[CbrSync]:
    """Fetch what is new for each RUB organisation that has costs in other currencies."""
    url = endpoint(rt)
    if url is None:
        return []
    now = rt.clock.now()
    async with rt.sessions() as session, session.begin():
        if not await acquire_job(session, "cbr_rates", owner=rt.owner, now=now,
                                 ttl=timedelta(hours=6)):
            return []
        org_ids = list((await session.execute(
            select(Organization.id).where(
                Organization.currency == BASE,
                # the daily rollup, not the lines: for an org billed only in roubles the
                # EXISTS reads every row before it says no, inside this write transaction
                select(CostRollup.id).where(CostRollup.org_id == Organization.id,
                                            CostRollup.billing_currency != BASE).exists())
            .order_by(Organization.id))).scalars())
    fetch = rt.deps.adapters.official_rates(rt.deps.http, url or None)
    today = now.astimezone(MOSCOW).date()
    done: list[CbrSync] = []
    for org_id in org_ids:
        try:
            done.append(await sync_cbr_rates(rt.sessions, org_id, fetch, today=today))
        except (ConnectorError, ServiceError) as exc:
            log.warning("official rates for org %s not fetched: %s", org_id, exc)
    return done
