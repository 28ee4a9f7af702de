"""The one anomaly service: chat (`/anomalies`), alerts, digests and briefs all go through it,
so each honours the organisation's thresholds and the days marked planned.

Anomalies of an organisation's spend, per org / connection / provider / service series.
A series that cannot be judged (too little history, no spend, malformed) is never an
exception that silences the organisation: it comes back as an `Unanalysed` reason.

Each found anomaly carries its drivers: the services and the resources whose cost moved,
against their own expectation (`core.analytics.drivers`). Days marked planned
(`AnomalyExclusion`; series key `*` means every series) are left alone. The money floors
come from the org settings `anomaly_min_impact` (an event's excess, default 500),
`anomaly_min_monthly_impact` (a lasting shift, default 5 000 a month) and
`anomaly_min_relative` (default 0.05). The same event is usually visible in several series
(a resource's spike lifts its service, connection, provider and the org): `collapse` keeps
the narrowest series and lists the others in `also_in`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.anomalies import Anomaly, Detection, DetectorSettings
from core.analytics.anomalies.batch import Job, judge_batch
from core.analytics.anomalies.drivers import Contribution, decompose
from core.analytics.series import DailySeries
from core.clock import Clock
from core.db.models import AnomalyExclusion, Connection, Organization
from core.domain.money import parse_decimal
from core.domain.providers import PROVIDER_NAMES
from core.domain.roles import Role
from core.memo import Lru
from core.services import costs
from core.services.audit import audit
from core.services.errors import ServiceError
from core.services.forecasts import OrgInfo, data_end, org_info
from core.services.orgs import require_role
from core.workers import run_cpu

__all__ = ["ALL_SERIES", "FoundAnomaly", "Scan", "Unanalysed", "analyse_all",
           "detect_anomalies", "detect_in", "detector_settings", "history_start", "mark_planned",
           "org_status", "scan", "series_key"]

ALL_SERIES = "*"
HISTORY_DAYS = 120
YEAR_HISTORY_DAYS = 400  # 13 months: a yearly fee's last occurrence is in the history
WARM_UP_DAYS = 42  # the detector's 28-day window plus its 14 days of warm-up
PURCHASE = "Purchase"  # FOCUS ChargeCategory of bought things (expected by definition)
_RANK = {"service": 0, "connection": 1, "provider": 2, "org": 3}
_BY = {"connection": costs.Dimension.CONNECTION, "provider": costs.Dimension.PROVIDER,
       "service": costs.Dimension.SERVICE}


@dataclass(frozen=True, slots=True)
class FoundAnomaly:
    series_key: str
    scope: str
    key: str
    label: str
    anomaly: Anomaly
    services: tuple[Contribution, ...]
    resources: tuple[Contribution, ...]
    also_in: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unanalysed:
    """A series the detector could not judge, and why (`short_history`, `no_spend`, or a
    `SeriesError` code such as `gap`); `days` is how much history it had."""

    series_key: str
    label: str
    reason: str
    days: int


@dataclass(frozen=True, slots=True)
class Scan:
    found: list[FoundAnomaly]
    unanalysed: list[Unanalysed]


MEMO_SIZE = 1024  # judged series kept; the same series is judged by chat, alerts and digests
_memo: Lru[Job, Detection] = Lru(MEMO_SIZE)


def _job(series: DailySeries, cfg: DetectorSettings, excluded: frozenset[date],
         purchases: Mapping[date, Decimal] | None) -> Job | Detection:
    """The detector's input, or the verdict when the series is too short to judge."""
    trimmed = _trim(series)
    if len(trimmed) < cfg.min_history_days + 1:
        return Detection((), reason="no_spend" if not trimmed else "short_history")
    bought = tuple(sorted((d, v) for d, v in (purchases or {}).items() if v))
    return tuple(trimmed), cfg, excluded, bought


async def analyse_all(jobs: list[Job | Detection]) -> list[Detection]:
    """Verdicts for many series, judged in the CPU pool and remembered.

    A year of history costs the detector tens of milliseconds of CPU a series; a chat
    question judges up to eight, a scan dozens. On the event loop that stalled every other
    chat's answer; the pool runs them beside it. The detector is pure, so the same series,
    settings, planned days and purchases give the same events: repeated questions and the
    jobs share the work (new data is a new key)."""
    known: dict[Job, Detection] = {}
    for job in jobs:
        if not isinstance(job, Detection) and job not in known:
            found = _memo.get(job)
            if found is not None:
                known[job] = found
    pending = list(dict.fromkeys(job for job in jobs
                                 if not isinstance(job, Detection) and job not in known))
    if pending:
        # this batch's verdicts are read from `known`: a batch larger than the memo is whole
        for done, verdict in zip(pending, await run_cpu(judge_batch, pending), strict=True):
            known[done] = verdict
            _memo.put(done, verdict)
    return [job if isinstance(job, Detection) else known[job] for job in jobs]


async def _purchases(session: AsyncSession, org_id: int, start: date, end: date,
                     scopes: tuple[str, ...], filters: costs.CostFilters | None = None, *,
                     ctx: costs.CostContext | None = None) -> dict[str, dict[date, Decimal]]:
    """What the bill marks as purchases (FOCUS ChargeCategory `Purchase`: subscriptions,
    reservations, licences, recurring or one-time) per series key (`org`, or one key per group
    of each scope) and day, within `filters`, in the org's currency. Read through the same cost
    queries as the series and for the same days: a purchase known only for the last days
    would make the monthly fee the history taught a `fee_missing` on its day."""
    narrowed = replace(filters or costs.CostFilters(), charge_categories=(PURCHASE,))
    out: dict[str, dict[date, Decimal]] = {}
    for scope in scopes:
        if scope == "org":
            found = {"": await costs.daily(session, org_id, start, end, narrowed, ctx=ctx)}
        else:
            found = await costs.daily_by(session, org_id, start, end, _BY[scope], narrowed,
                                         ctx=ctx)
        for key, series in found.items():
            days = {d: v for d, v in series if v}
            if days:
                out[series_key(scope, key)] = days
    return out


def history_start(end: date, report_from: date) -> date:
    """The first day the detector reads to judge the days from `report_from` to `end`: a year
    and a month (a yearly fee seen a year ago is known), and the detector's warm-up before
    `report_from`. Every caller reads the same days, so chat, alerts, digests and briefs see
    the same events."""
    return min(report_from - timedelta(days=WARM_UP_DAYS),
               end - timedelta(days=YEAR_HISTORY_DAYS - 1))


def series_key(scope: str, key: str = "") -> str:
    """`org`, `connection:12`, `provider:selectel`, `service:Compute`."""
    return scope if scope == "org" else f"{scope}:{key}"


def detector_settings(org_settings: dict[str, object]) -> DetectorSettings:
    base = DetectorSettings()
    try:
        return replace(
            base,
            min_impact=parse_decimal(org_settings.get("anomaly_min_impact", base.min_impact)),
            min_monthly_impact=parse_decimal(
                org_settings.get("anomaly_min_monthly_impact", base.min_monthly_impact)),
            min_relative=float(str(org_settings.get("anomaly_min_relative",
                                                    base.min_relative))))
    except ValueError:
        return base


async def _exclusions(session: AsyncSession, org_id: int) -> dict[str, set[date]]:
    rows = (await session.execute(select(AnomalyExclusion.series_key, AnomalyExclusion.day)
                                  .where(AnomalyExclusion.org_id == org_id))).all()
    out: dict[str, set[date]] = defaultdict(set)
    for key, day in rows:
        out[key].add(day)
    return out


async def _series(session: AsyncSession, org_id: int, start: date, end: date
                  ) -> list[tuple[str, str, str, DailySeries]]:
    """(scope, key, label, series) for the org and every connection, provider, service."""
    out: list[tuple[str, str, str, DailySeries]] = [
        ("org", "", "", await costs.daily(session, org_id, start, end))]
    names = dict((await session.execute(select(Connection.id, Connection.name).where(
        Connection.org_id == org_id))).all())
    for scope, dim in _BY.items():
        for key, series in sorted((await costs.daily_by(session, org_id, start, end,
                                                        dim)).items()):
            if not key:
                continue
            label = (names.get(int(key), key) if scope == "connection"
                     else PROVIDER_NAMES.get(key, key) if scope == "provider" else key)
            out.append((scope, key, label, series))
    return out


def _filters(scope: str, key: str) -> costs.CostFilters | None:
    if scope == "connection":
        return costs.CostFilters(connection_ids=(int(key),))
    if scope == "provider":
        return costs.CostFilters(providers=(key,))
    if scope == "service":
        return costs.CostFilters(services=(key,))
    return None


def _trim(series: DailySeries) -> DailySeries:
    first = next((i for i, (_, v) in enumerate(series) if v != 0), len(series))
    return series[first:]


async def detect_anomalies(session: AsyncSession, org_id: int, clock: Clock, *,
                           days: int = HISTORY_DAYS, since: date | None = None,
                           collapse: bool = True, info: OrgInfo | None = None,
                           end: date | None = None) -> list[FoundAnomaly]:
    """Anomalies over the last `days` days up to yesterday (only those ending ≥ `since`)."""
    return (await scan(session, org_id, clock, days=days, since=since,
                       collapse=collapse, info=info, end=end)).found


async def scan(session: AsyncSession, org_id: int, clock: Clock, *,
               days: int = HISTORY_DAYS, since: date | None = None,
               collapse: bool = True, info: OrgInfo | None = None,
               end: date | None = None) -> Scan:
    """`detect_anomalies` plus the series that could not be judged, and why (`info`, `end`:
    the org and its last day with data when the caller has read them)."""
    info = info or await org_info(session, org_id, clock)
    end = end if end is not None else await data_end(session, org_id, info)
    start = end - timedelta(days=days - 1)
    report_from = max(start, since) if since is not None else start
    read_from = history_start(end, start)
    known = await _known(session, org_id, info.settings, read_from, end, tuple(_RANK))
    found: list[FoundAnomaly] = []
    unanalysed: list[Unanalysed] = []
    series = await _series(session, org_id, read_from, end)
    verdicts = await known.judge_all([(series_key(scope, key), raw)
                                      for scope, key, _, raw in series])
    for (scope, key, label, raw), detection in zip(series, verdicts, strict=True):
        skey = series_key(scope, key)
        if detection.reason is not None:
            unanalysed.append(Unanalysed(skey, label, detection.reason, len(_trim(raw))))
            continue
        for anomaly in detection.anomalies:
            if anomaly.end < report_from:
                continue
            found.append(await _explain(session, org_id, scope, key, label, skey, anomaly))
    found.sort(key=lambda f: (f.anomaly.start, _RANK[f.scope], f.series_key))
    return Scan(_collapse(found) if collapse else found, unanalysed)


async def detect_in(session: AsyncSession, org_id: int, scope: str,
                    named: Mapping[str, DailySeries], *,
                    filters: costs.CostFilters | None = None,
                    ctx: costs.CostContext | None = None,
                    ) -> tuple[list[tuple[str, Anomaly]], list[Unanalysed]]:
    """Anomalies of series the caller already has (chat: the services of a question), judged
    as `scan` judges them: the org's thresholds, planned days (`scope:name` keys and `*`) and
    the purchases of each series. `filters`: what the series were read within (a question
    about one connection), so are the purchases; read them over `history_start` for the
    same events as the alerts."""
    settings = (await session.execute(select(Organization.settings).where(
        Organization.id == org_id))).scalar_one_or_none() or {}
    spans = [series for series in named.values() if series]
    start = min((series[0][0] for series in spans), default=None)
    end = max((series[-1][0] for series in spans), default=None)
    known = await _known(session, org_id, dict(settings), start, end, (scope,), filters,
                         ctx=ctx)
    found: list[tuple[str, Anomaly]] = []
    unanalysed: list[Unanalysed] = []
    verdicts = await known.judge_all([(series_key(scope, name), series)
                                      for name, series in named.items()])
    for (name, series), detection in zip(named.items(), verdicts, strict=True):
        skey = series_key(scope, name)
        if detection.reason is not None:
            unanalysed.append(Unanalysed(skey, name, detection.reason, len(_trim(series))))
        found.extend((name, a) for a in detection.anomalies)
    return found, unanalysed


async def org_status(session: AsyncSession, org_id: int, clock: Clock) -> Unanalysed | None:
    """Why the organisation's total cannot be checked for anomalies, or None when it can
    (the digest says so instead of staying silent); judged on what `scan` reads."""
    info = await org_info(session, org_id, clock)
    end = await data_end(session, org_id, info)
    start = history_start(end, end - timedelta(days=HISTORY_DAYS - 1))
    raw = await costs.daily(session, org_id, start, end)
    known = await _known(session, org_id, info.settings, start, end, ("org",))
    detection, = await known.judge_all([("org", raw)])
    if detection.reason is None:
        return None
    return Unanalysed("org", "", detection.reason, len(_trim(raw)))


@dataclass(frozen=True, slots=True)
class _Known:
    """What the organisation has told or billed that the detector must take as known: its
    thresholds, the days marked planned and the purchases, per series key."""

    cfg: DetectorSettings
    exclusions: Mapping[str, set[date]]
    purchases: Mapping[str, Mapping[date, Decimal]]

    def job(self, skey: str, series: DailySeries) -> Job | Detection:
        excluded = frozenset(self.exclusions.get(ALL_SERIES, set())
                             | self.exclusions.get(skey, set()))
        return _job(series, self.cfg, excluded, self.purchases.get(skey))

    async def judge_all(self, items: list[tuple[str, DailySeries]]) -> list[Detection]:
        return await analyse_all([self.job(skey, series) for skey, series in items])


async def _known(session: AsyncSession, org_id: int, settings: Mapping[str, object],
                 start: date | None, end: date | None, scopes: tuple[str, ...],
                 filters: costs.CostFilters | None = None, *,
                 ctx: costs.CostContext | None = None) -> _Known:
    """The one way every caller gathers the detector's inputs besides the series."""
    bought = ({} if start is None or end is None
              else await _purchases(session, org_id, start, end, scopes, filters, ctx=ctx))
    return _Known(detector_settings(dict(settings)), await _exclusions(session, org_id), bought)


async def _explain(session: AsyncSession, org_id: int, scope: str, key: str, label: str,
                   skey: str, anomaly: Anomaly) -> FoundAnomaly:
    lo = anomaly.start - timedelta(days=28)
    filters = _filters(scope, key)
    by_service = await costs.daily_by(session, org_id, lo, anomaly.end,
                                      costs.Dimension.SERVICE, filters)
    by_resource = await costs.daily_by(session, org_id, lo, anomaly.end,
                                       costs.Dimension.RESOURCE, filters)
    return FoundAnomaly(
        series_key=skey, scope=scope, key=key, label=label, anomaly=anomaly,
        services=tuple(decompose(by_service, anomaly.start, anomaly.end,
                                 direction=anomaly.direction)),
        # thousands of resources at a large account: worked out beside the event loop
        resources=tuple(await asyncio.to_thread(decompose, by_resource, anomaly.start,
                                                anomaly.end, direction=anomaly.direction)))


def _collapse(found: list[FoundAnomaly]) -> list[FoundAnomaly]:
    """One event seen in several series → the narrowest series, the others in `also_in`."""
    kept: list[FoundAnomaly] = []
    for item in sorted(found, key=lambda f: (_RANK[f.scope], -abs(f.anomaly.delta))):
        driver = item.resources[0].key if item.resources else None
        twin = next((i for i, k in enumerate(kept)
                     if driver is not None and k.resources and k.resources[0].key == driver
                     and k.anomaly.direction == item.anomaly.direction
                     and _near(k.anomaly, item.anomaly)), None)
        if twin is None:
            kept.append(item)
        else:
            kept[twin] = replace(kept[twin], also_in=(*kept[twin].also_in, item.series_key))
    kept.sort(key=lambda f: (f.anomaly.start, f.series_key))
    return kept


def _near(a: Anomaly, b: Anomaly) -> bool:
    """Starts within a day of each other, or overlapping days."""
    return abs((a.start - b.start).days) <= 1 or (a.start <= b.end and b.start <= a.end)


async def mark_planned(session: AsyncSession, org_id: int, user_id: int, key: str, day: date, *,
                       reason: str = "planned", note: str | None = None,
                       actor_telegram_id: int | None = None) -> None:
    """Mark a day of a series (or `*`: all series) planned; the detector will leave it alone."""
    await require_role(session, org_id, user_id, Role.MEMBER)
    if reason not in ("planned", "expected"):
        raise ServiceError("reason must be 'planned' or 'expected'")
    exists = (await session.execute(select(AnomalyExclusion.id).where(
        AnomalyExclusion.org_id == org_id, AnomalyExclusion.series_key == key,
        AnomalyExclusion.day == day))).first()
    if exists is None:
        session.add(AnomalyExclusion(org_id=org_id, series_key=key[:200], day=day,
                                     reason=reason, note=note))
        await session.flush()
    await audit(session, "anomaly.mark_planned", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="anomaly_exclusion",
                series_key=key, day=day.isoformat(), reason=reason)
