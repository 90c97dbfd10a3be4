"""The public lead form: anyone may send it (no login), a script may not flood it; each lead is checked,
scored and shared among the sales queue's agents, and lands on the timeline. The answer is the same
whoever sends it, so the form tells nobody who is a lead or a customer already."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CustomerCreate
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Lead, Queue, QueueMember

FORM = "/api/v1/public/leads"


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def _leads(engine: AsyncEngine) -> list[Lead]:
    async with session_factory(engine)() as session:
        return list((await session.scalars(select(Lead).order_by(Lead.id))).all())


async def _timeline(engine: AsyncEngine, lead_id: int) -> list[Activity]:
    async with session_factory(engine)() as session:
        query = select(Activity).where(Activity.lead_id == lead_id).order_by(Activity.id)
        return list((await session.scalars(query)).all())


async def test_a_prospect_fills_the_form_and_a_seller_has_a_scored_lead(
    reference: None, app_client: Any, engine: AsyncEngine, make_user: Any, admin: Any
) -> None:
    # The sales queue's agents each own an open lead already; a new seller joins with none.
    seller = await make_user("sam_seller", "agent")
    async with session_factory(engine).begin() as session:
        sales = (await session.scalars(select(Queue).where(Queue.name == "sales"))).one()
        members = (await session.scalars(select(QueueMember.user_id).where(QueueMember.queue_id == sales.id))).all()
        assert members  # the demo's sellers
        session.add_all(Lead(last_name=f"Earlier {n}", status="new", owner_id=n) for n in members)
        session.add(Lead(last_name="Lost one", status="disqualified", owner_id=seller.user_id))  # not open
        session.add(QueueMember(queue_id=sales.id, user_id=seller.user_id, tier=1))
    before = len(await _leads(engine))

    sent = await app_client.post(
        FORM,
        json={
            "first_name": "Nora",
            "last_name": "Quist",
            "company": "Quist Bakery",
            "email": "nora@quist.example",
            "phone": "(212) 555-0199",
            "message": "We need a new oven for the shop before Christmas.",
        },
    )
    assert sent.status == 202 and await sent.json() == {"received": True}
    lead = (await _leads(engine))[-1]
    assert len(await _leads(engine)) == before + 1
    assert (lead.source, lead.phone, lead.email, lead.status) == (
        "web_form",
        "+12125550199",
        "nora@quist.example",
        "new",
    )
    assert (lead.score, lead.rating, lead.checks) == (75, "hot", [])
    assert lead.owner_id == seller.user_id  # no open lead yet: the new seller gets it
    (entry,) = await _timeline(engine, lead.id)
    assert entry.type == "web_form" and "hot" in entry.subject and "oven" in entry.details["message"]

    shown = await (await app_client.get(f"/api/v1/leads/{lead.id}", headers=admin.headers())).json()
    assert shown["checks"] == [] and shown["score"] == 75


async def test_what_the_checks_find_is_kept_and_nobody_is_made_twice(
    reference: None, app_client: Any, engine: AsyncEngine
) -> None:
    throwaway = await app_client.post(FORM, json={"last_name": "Temp", "email": "x@mailinator.com"})
    assert throwaway.status == 202
    kept = (await _leads(engine))[-1]
    assert (kept.rating, [c["code"] for c in kept.checks]) == ("cold", ["disposable_email"])

    async with session_factory(engine).begin() as session:
        maria = await create_customer(
            session, CustomerCreate(first_name="Maria", last_name="Garcia", phones=["(415) 555-0142"]), "US"
        )
    known = await app_client.post(FORM, json={"last_name": "Garcia", "phone": "+14155550142"})
    assert known.status == 202 and await known.json() == {"received": True}  # the same answer as anyone's
    linked = (await _leads(engine))[-1]
    assert linked.customer_id == maria.id and [c["code"] for c in linked.checks] == ["existing_customer"]

    count = len(await _leads(engine))
    again = await app_client.post(FORM, json={"last_name": "Garcia", "phone": "+1 415 555 0142", "message": "Hi!"})
    assert again.status == 202 and await again.json() == {"received": True}
    assert len(await _leads(engine)) == count  # not a second lead: the request is on the first one's timeline
    timeline = await _timeline(engine, linked.id)
    assert [a.subject.startswith("Web form again") for a in timeline] == [False, True]
    assert timeline[-1].details["message"] == "Hi!"


async def test_the_form_says_what_is_wrong_and_a_flood_is_slowed(reference: None, app_client: Any) -> None:
    unreachable = await app_client.post(FORM, json={"last_name": "Nobody"})
    assert unreachable.status == 422 and "phone number or an e-mail" in await unreachable.text()
    typed = await app_client.post(FORM, json={"last_name": "Typed", "phone": 2125550100})
    assert typed.status == 422 and "phone" in await typed.text()
    not_json = await app_client.post(FORM, data="last_name=x", headers={"Content-Type": "text/plain"})
    assert not_json.status == 415

    statuses = []
    for n in range(4):
        sent = await app_client.post(FORM, json={"last_name": f"Flood {n}", "email": f"flood{n}@example.org"})
        statuses.append(sent.status)
    # Two forms were counted before these (refused, but counted; the wrong content type is not): five go freely.
    assert statuses == [202, 202, 202, 429]
    refused = await app_client.post(FORM, json={"last_name": "Later", "email": "later@example.org"})
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
