"""Owners are told of their stalled deals on their desk, once per stall: a deal past its expected close, one
nobody touched for a month; not one that is fine, closed, or has no owner; again only after a touch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.services.sales.stalled import StalledDeals
from contact_center.store.engine import session_factory
from contact_center.store.tables import Opportunity


async def _touch(engine: AsyncEngine, deal_id: int, at: dt.datetime) -> None:
    """What any change of the deal does to it (the test's clock stands in for the server's)."""
    async with session_factory(engine).begin() as session:
        await session.execute(update(Opportunity).where(Opportunity.id == deal_id).values(updated_at=at))


async def test_each_owner_hears_once_of_each_deal_that_stalled(engine: AsyncEngine, clock: Any, make_user: Any) -> None:
    owner = await make_user("olga", "agent")
    now = clock.now()
    today = now.date()
    async with session_factory(engine).begin() as session:
        made = {
            name: Opportunity(
                name=name,
                owner_id=owner_id,
                stage=stage,
                expected_close=today + dt.timedelta(days=days),
                created_at=now,
                updated_at=now,
            )
            for name, owner_id, stage, days in (
                ("Boiler for Lind", owner.user_id, "proposal", -2),
                ("Fine", owner.user_id, "proposal", 90),
                ("Unowned", None, "proposal", -2),
                ("Won", owner.user_id, "won", -2),
            )
        }
        session.add_all(made.values())
    late, fine = made["Boiler for Lind"], made["Fine"]
    heard: list[tuple[Any, str, dict[str, Any]]] = []
    alerts = StalledDeals(engine=engine, clock=clock, announce=lambda *said: heard.append(said))

    assert await alerts.check() == [late.id]
    ((audience, event, deal),) = heard
    assert (audience, event) == (("agent", owner.user_id), "deal.stalled")
    assert deal["name"] == "Boiler for Lind" and "has passed" in deal["reason"] and deal["stage"] == "proposal"
    assert await alerts.check() == []  # told once per stall
    async with session_factory(engine)() as session:
        row = await session.get_one(Opportunity, late.id)
        assert row.stalled_told_on == today and row.updated_at == now  # telling is not a touch

    clock.advance(86_400)  # the owner touches it the next day, still past its close: told again, once
    await _touch(engine, late.id, clock.now())
    assert await alerts.check() == [late.id]
    assert await alerts.check() == []

    clock.advance(31 * 86_400)  # a month with nobody touching "Fine": it stalls for want of attention
    await _touch(engine, late.id, clock.now())  # (and the late one is touched again)
    told = await alerts.check()
    assert set(told) == {late.id, fine.id}
    reasons = {d["name"]: d["reason"] for _, _, d in heard[-2:]}
    assert reasons["Fine"] == f"nobody has touched it since {today.isoformat()}"
