"""The resource-months job: a minute after a write, the months it touched are current again,
built by one worker at a time."""

from __future__ import annotations

from datetime import date

from core.domain.collection import Window
from core.jobs.resource_months import catch_up
from core.scheduler import DEFAULT_JOBS
from core.security.vault import Vault
from core.services import resource_months
from tests.costs.test_rollups import lines_for, server, sync
from tests.scheduler.conftest import Deps, runtime
from tests.sync.conftest import make_org_and_connection

NOV = Window(date(2026, 11, 1), date(2026, 11, 21))


async def test_the_job_rebuilds_what_writes_made_stale_one_worker_at_a_time(
        deps: Deps, vault: Vault) -> None:
    assert "resource_months" in {job.id for job in DEFAULT_JOBS}
    org, conn = await make_org_and_connection(deps.sessions, vault)
    await sync(deps.sessions, org, conn, [server("vm-a")], lines_for(NOV), NOV)
    assert await catch_up(runtime(deps, "a")) == 1
    assert await catch_up(runtime(deps, "b")) == 0  # "a" holds the job's lease
    async with deps.sessions() as session:
        assert await resource_months.stale(session, org) == []
    await sync(deps.sessions, org, conn, [server("vm-a")], lines_for(NOV, "2"), NOV)
    async with deps.sessions() as session:
        assert await resource_months.stale(session, org) == [(org, conn, NOV.start)]
    assert await catch_up(runtime(deps, "a")) == 1
    async with deps.sessions() as session:
        assert await resource_months.stale(session, org) == []
