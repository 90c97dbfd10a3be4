"""What the back office does and is told without asking, once an hour:

- **renewals**: a service contract that ends within two months becomes a renewal deal for the customer's
  account manager (``crm/installed_base.open_renewals``), who is told on their desk (``deal.renewal``);
- **stalled deals**: the owner of each open deal that has stalled (past its expected close, or untouched
  for a month: ``domain/sales/forecast.py``) is told on their desk (``deal.stalled``), once per stall:
  again only after they touch the deal and it stalls again;
- **planned maintenance**: each maintenance plan's visit due within two weeks becomes a service order
  (``crm/service_orders.run_plans``), on the customer's timeline, for the service desk to book;
- **the forecast kept**: once a day, the weighted forecast of this month and the next eleven is kept
  (``crm/analytics.take_forecast_snapshot``), so the analytics can set each month's forecast beside what was won;
- **customers valued**: once a day, each customer's last twelve months — revenue less the cost to serve them
  (``crm/profitability.refresh``), which the profitability table reads.

With several nodes only the node whose routing decides (``leading``) looks, so nothing is done twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock
from contact_center.crm import analytics, installed_base, pipeline, profitability, service_orders
from contact_center.services.desk import Audience
from contact_center.store.engine import session_factory

log = logging.getLogger(__name__)
CHECK_SECONDS = 3600.0
Announce = Callable[[Audience, str, dict[str, Any]], None]


class OfficeWatch:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        clock: Clock,
        announce: Announce,
        leading: Callable[[], bool] = lambda: True,
        check_seconds: float = CHECK_SECONDS,
        costs: profitability.Costs = profitability.DEFAULT_COSTS,
    ) -> None:
        self.sessions = session_factory(engine)
        self.costs = costs
        self.clock, self.announce, self.leading, self.check_seconds = clock, announce, leading, check_seconds
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._loop = asyncio.create_task(self._every(), name="office-watch")

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop

    async def _every(self) -> None:
        while True:
            try:
                if self.leading():
                    await self.open_renewals()
                    await self.check()
                    await self.plan_visits()
                    await self.keep_forecast()
                    await self.value_customers()
            except Exception:
                log.exception("the office watch failed; trying again in %.0f s", self.check_seconds)
            await asyncio.sleep(self.check_seconds)

    async def open_renewals(self) -> list[int]:
        """Renewal deals for the contracts ending soon; the ids of the deals made."""
        async with self.sessions.begin() as session:
            made = await installed_base.open_renewals(session, self.clock.now().date())
        for deal in made:
            if deal["owner_id"] is not None:
                self.announce(
                    ("agent", deal["owner_id"]), "deal.renewal", {k: v for k, v in deal.items() if k != "owner_id"}
                )
        return [deal["opportunity_id"] for deal in made]

    async def plan_visits(self) -> list[int]:
        """Service orders for the planned maintenance due soon; their ids."""
        async with self.sessions.begin() as session:
            made = await service_orders.run_plans(session, self.clock.now())
        return [order["id"] for order in made]

    async def keep_forecast(self) -> int:
        """Keep today's forecast of the coming months (once a day), so each month's forecast can later be set
        beside what was won in it; how many months were kept."""
        async with self.sessions.begin() as session:
            return await analytics.take_forecast_snapshot(session, self.clock.now().date())

    async def value_customers(self) -> int | None:
        """Work out each customer's last twelve months (``crm/profitability.py``) once a day; how many customers
        have figures, or None when today's are there already."""
        return await profitability.refresh_once_a_day(self.sessions, self.clock.now(), self.costs)

    async def check(self) -> list[int]:
        """Tell the owners of the deals that stalled since they were last told; the ids of those deals."""
        async with self.sessions.begin() as session:
            told = await pipeline.newly_stalled(session, self.clock.now().date())
        for deal in told:
            owner = deal.pop("owner_id")
            self.announce(("agent", owner), "deal.stalled", deal)
        return [deal["opportunity_id"] for deal in told]
