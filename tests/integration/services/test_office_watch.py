"""Owners are told of their stalled deals on their desk, once per stall: a deal past its expected close, one
nobody touched for a month; not one that is fine, closed, or has no owner; again only after a touch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.services.office_watch import OfficeWatch
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
    alerts = OfficeWatch(engine=engine, clock=clock, announce=lambda *said: heard.append(said))

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


async def test_a_contract_ending_soon_becomes_a_renewal_deal_for_the_account_manager_once(
    engine: AsyncEngine, clock: Any, make_user: Any
) -> None:
    from contact_center.crm.customers import create_customer
    from contact_center.crm.schemas import CustomerCreate
    from contact_center.store.tables import Activity, ServiceContract

    manager = await make_user("mia", "agent")
    today = clock.now().date()
    async with session_factory(engine).begin() as session:
        ana = await create_customer(session, CustomerCreate(first_name="Ana", last_name="Lind"), "US")
        ana.account_manager_id = manager.user_id
        soon = ServiceContract(
            customer_id=ana.id,
            tier="premium",
            starts_on=today - dt.timedelta(days=300),
            ends_on=today + dt.timedelta(days=45),
        )
        later = ServiceContract(
            customer_id=ana.id, tier="basic", starts_on=today, ends_on=today + dt.timedelta(days=200)
        )
        ended = ServiceContract(
            customer_id=ana.id,
            tier="basic",
            starts_on=today - dt.timedelta(days=400),
            ends_on=today - dt.timedelta(days=1),
        )
        session.add_all([soon, later, ended])
    heard: list[tuple[Any, str, dict[str, Any]]] = []
    watch = OfficeWatch(engine=engine, clock=clock, announce=lambda *said: heard.append(said))

    (deal_id,) = await watch.open_renewals()
    assert await watch.open_renewals() == []  # one renewal per contract
    async with session_factory(engine)() as session:
        deal = await session.get_one(Opportunity, deal_id)
        assert (deal.customer_id, deal.owner_id, deal.stage, deal.expected_close) == (
            ana.id,
            manager.user_id,
            "prospecting",
            soon.ends_on,
        )
        assert deal.name == "Renewal: premium contract, Ana Lind"
        assert (await session.get_one(ServiceContract, soon.id)).renewal_opportunity_id == deal_id
        logged = (await session.scalars(select(Activity).where(Activity.opportunity_id == deal_id))).one()
        assert logged.customer_id == ana.id and "ends on" in logged.subject
    ((audience, event, said),) = heard
    assert (audience, event) == (("agent", manager.user_id), "deal.renewal") and said["opportunity_id"] == deal_id
