"""A marketing campaign's list and channels over HTTP, on both databases, with a real SMTP server: segments over
customers and leads, a target list taken from them (each person once), the campaign's e-mail sent to each
address once with an unsubscribe link and header, the link honoured by every campaign after it (and refused
when forged), and the list's phone numbers handed to an outbound campaign's dialing list."""

from __future__ import annotations

import asyncio
import dataclasses
import urllib.parse
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Campaign, Customer, DialingRecord, Lead, Phone

from ...smtp_server import Inbox


async def json_of(response: Any, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def delivered(inbox: Inbox, count: int) -> None:
    for _ in range(300):
        if len(inbox.messages) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{len(inbox.messages)} of {count} e-mails arrived")


async def test_segments_targets_mail_with_unsubscribe_and_a_dialing_list(
    engine: AsyncEngine,
    aiohttp_client: Any,
    settings: Settings,
    clock: Any,
    smtp: tuple[Inbox, int],
    token_for: Any,
    make_user: Any,
) -> None:
    from contact_center.app import create_app

    inbox, port = smtp
    await ensure_reference(engine, password="demo-password-1")
    configured = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}", public_url="https://cc.example")
    client = await aiohttp_client(create_app(configured, clock=clock, engine=engine))
    boss = (await token_for(await make_user("sam", "supervisor"))).headers()
    agent = (await token_for(await make_user("al", "agent"))).headers()
    async with session_factory(engine).begin() as session:
        ana = Customer(first_name="Ana", last_name="Lind", country="SE", emails=["Ana@Lind.se"])
        bo = Customer(first_name="Bo", last_name="Berg", country="SE", emails=[])
        cy = Customer(first_name="Cy", last_name="Cole", country="US", emails=["cy@cole.example"])
        session.add_all([ana, bo, cy])
        await session.flush()
        session.add_all([Phone(e164="+46701234567", kind="mobile", customer_id=bo.id)])
        session.add(Lead(last_name="Dahl", source="event", rating="hot", email="di@dahl.example", phone="+46709876543"))
        session.add(Lead(last_name="Ek", source="web", rating="hot", email="ek@ek.example"))

    swedes = await json_of(
        await client.post(
            "/api/v1/segments",
            json={"name": "Sweden", "kind": "customers", "filter": {"country": "SE"}},
            headers=boss,
        ),
        201,
    )
    assert swedes["members"] == 2 and swedes["filter"] == {"country": "SE"}
    fair = await json_of(
        await client.post(
            "/api/v1/segments",
            json={"name": "Hot from events", "kind": "leads", "filter": {"source": "event", "rating": "hot"}},
            headers=boss,
        ),
        201,
    )
    bad = await json_of(
        await client.post(
            "/api/v1/segments", json={"name": "x", "kind": "leads", "filter": {"rating": "boiling"}}, headers=boss
        ),
        422,
    )
    assert bad["errors"][0]["field"] == "filter" and "rating" in bad["errors"][0]["reason"]
    assert (await client.post("/api/v1/segments", json={"name": "y", "kind": "leads"}, headers=agent)).status == 403
    members = await json_of(await client.get(f"/api/v1/segments/{swedes['id']}/members", headers=boss), 200)
    assert members["count"] == 2
    assert [(m["name"], m["email"], m["phone"]) for m in members["items"]] == [
        ("Ana Lind", "Ana@Lind.se", None),
        ("Bo Berg", None, "+46701234567"),
    ]

    spring = await json_of(
        await client.post(
            "/api/v1/marketing-campaigns",
            json={"name": "Spring", "channel": "email", "starts_on": "2026-11-01"},
            headers=boss,
        ),
        201,
    )
    targets = f"/api/v1/marketing-campaigns/{spring['id']}/targets"
    listed = await json_of(await client.post(targets, json={"segment_id": swedes["id"]}, headers=boss), 201)
    assert (listed["added"], listed["targets"], listed["with_email"], listed["with_phone"]) == (2, 2, 1, 1)
    again = await json_of(await client.post(targets, json={"segment_id": swedes["id"]}, headers=boss), 201)
    assert (again["added"], again["already_listed"], again["targets"]) == (0, 2, 2)
    listed = await json_of(await client.post(targets, json={"segment_id": fair["id"]}, headers=boss), 201)
    assert (listed["targets"], listed["with_email"], listed["with_phone"]) == (3, 2, 2)

    mail = {"subject": "Spring service offer", "body": "Book your boiler check before the cold comes."}
    written = await json_of(
        await client.put(f"/api/v1/marketing-campaigns/{spring['id']}/mail", json=mail, headers=boss), 200
    )
    assert written["mail"]["queued"] + written["mail"]["sent"] == 2
    await delivered(inbox, 2)
    assert sorted(m["To"] for m in inbox.messages) == ["ana@lind.se", "di@dahl.example"]
    to_ana = next(m for m in inbox.messages if m["To"] == "ana@lind.se")
    assert to_ana["Subject"] == "Spring service offer"
    assert to_ana["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = to_ana["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://cc.example/unsubscribe?") and link in to_ana.get_payload(decode=True).decode()  # type: ignore[union-attr]
    summary = await json_of(await client.get(targets, headers=boss), 200)
    assert summary["mail"] == {"listed": 1, "queued": 0, "sent": 2, "failed": 0, "opted_out": 0}  # Bo has no address

    query = urllib.parse.urlsplit(link).query
    asked = await client.get(f"/unsubscribe?{query}")
    assert asked.status == 200 and "No more e-mail to ana@lind.se?" in await asked.text()
    forged = urllib.parse.urlencode({"e": "cy@cole.example", "t": "AAAA", "c": spring["id"]})
    assert (await client.post(f"/unsubscribe?{forged}")).status == 400
    one_click = await client.post(f"/unsubscribe?{query}", data={"List-Unsubscribe": "One-Click"})
    assert one_click.status == 200 and "will get no more marketing e-mail" in await one_click.text()

    autumn = await json_of(
        await client.post(
            "/api/v1/marketing-campaigns",
            json={"name": "Autumn", "channel": "email", "starts_on": "2026-11-20"},
            headers=boss,
        ),
        201,
    )
    await client.post(
        f"/api/v1/marketing-campaigns/{autumn['id']}/targets", json={"segment_id": swedes["id"]}, headers=boss
    )
    written = await json_of(
        await client.put(f"/api/v1/marketing-campaigns/{autumn['id']}/mail", json=mail, headers=boss), 200
    )
    assert written["mail"]["opted_out"] == 1 and written["mail"]["queued"] == 0  # Ana opted out
    await asyncio.sleep(0.2)
    assert len(inbox.messages) == 2

    phone = await json_of(
        await client.post(
            "/api/v1/marketing-campaigns",
            json={"name": "Call the fair", "channel": "phone", "starts_on": "2026-11-20"},
            headers=boss,
        ),
        201,
    )
    refused = await json_of(
        await client.put(f"/api/v1/marketing-campaigns/{phone['id']}/mail", json=mail, headers=boss), 409
    )
    assert "not an e-mail one" in refused["message"]
    await client.post(
        f"/api/v1/marketing-campaigns/{phone['id']}/targets", json={"segment_id": swedes["id"]}, headers=boss
    )
    await client.post(
        f"/api/v1/marketing-campaigns/{phone['id']}/targets", json={"segment_id": fair["id"]}, headers=boss
    )
    handed = await json_of(
        await client.post(
            f"/api/v1/marketing-campaigns/{phone['id']}/dialer-list", json={"campaign": "Fair follow-up"}, headers=boss
        ),
        201,
    )
    assert handed == {
        "campaign": "Fair follow-up",
        "created_campaign": True,
        "loaded": 2,
        "already_on_list": 0,
        "without_phone": 1,
    }
    twice = await json_of(
        await client.post(
            f"/api/v1/marketing-campaigns/{phone['id']}/dialer-list", json={"campaign": "Fair follow-up"}, headers=boss
        ),
        201,
    )
    assert (twice["loaded"], twice["already_on_list"]) == (0, 2)
    async with session_factory(engine)() as session:
        dialer = (await session.scalars(select(Campaign).where(Campaign.name == "Fair follow-up"))).one()
        numbers = (
            await session.scalars(select(DialingRecord.number).where(DialingRecord.campaign_id == dialer.id))
        ).all()
    assert (dialer.mode, dialer.status) == ("preview", "draft") and sorted(numbers) == ["+46701234567", "+46709876543"]
