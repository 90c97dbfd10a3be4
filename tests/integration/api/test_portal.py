"""The customer portal's sign-in over a real local SMTP server (aiosmtpd): a known address gets a one-time
link by e-mail, an unknown one the same 202 and no mail; the link signs the customer in once; the customer
sees their own cases, and another customer's case answers 404."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings
from contact_center.crm.cases import create_case
from contact_center.crm.customers import create_customer
from contact_center.crm.installed_base import EquipmentCreate, add_equipment
from contact_center.crm.schemas import CaseCreate, CustomerCreate
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Case

from ...smtp_server import Inbox


async def test_a_customer_signs_in_with_an_emailed_link_and_sees_only_their_cases(
    engine: AsyncEngine, aiohttp_client: Any, settings: Settings, clock: Any, smtp: tuple[Inbox, int]
) -> None:
    from contact_center.app import create_app

    inbox, port = smtp
    await ensure_reference(engine, password="demo-password-1")  # queues: the web callback waits in general
    async with session_factory(engine).begin() as session:
        ana = await create_customer(
            session,
            CustomerCreate.model_validate({"first_name": "Ana", "last_name": "Lind", "emails": ["Ana@Lind.se"]}),
            "US",
        )
        bo = await create_customer(
            session, CustomerCreate.model_validate({"first_name": "Bo", "last_name": "Ek"}), "US"
        )
        mine = await create_case(session, CaseCreate(subject="Boiler leaks", customer_id=ana.id), clock.now())
        for owner, serial in ((ana, "A1"), (bo, "B2")):
            piece = EquipmentCreate(
                customer_id=owner.id, model="BLR-24", serial=serial, installed_on=dt.date(2025, 3, 10)
            )
            await add_equipment(session, piece, clock.now().date())
        theirs = await create_case(session, CaseCreate(subject="Not yours", customer_id=bo.id), clock.now())
    configured = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}", public_url="https://help.example")
    client = await aiohttp_client(create_app(configured, clock=clock, engine=engine))

    unknown = await client.post("/portal/login", json={"email": "nobody@nowhere.org"})
    known = await client.post("/portal/login", json={"email": "ana@lind.se"})
    assert unknown.status == known.status == 202 and (await unknown.json()) == (await known.json())
    assert (await client.post("/portal/login", json={"email": "not an address"})).status == 422
    for _ in range(200):
        if inbox.messages:
            break
        await asyncio.sleep(0.02)
    (message,) = inbox.messages  # one mail: the unknown address got none
    assert message["To"] == "ana@lind.se" and message["Subject"] == "Your sign-in link"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = re.search(r"https://help\.example(/portal/auth\?token=\S+)", body)
    assert link is not None

    assert (await client.get("/portal/api/cases")).status == 401  # not signed in yet
    signed = await client.get(link.group(1), allow_redirects=False)
    assert signed.status == 302 and signed.headers["Location"] == "/portal"
    assert (await client.get(link.group(1), allow_redirects=False)).status == 400  # once only
    cases = (await (await client.get("/portal/api/cases")).json())["items"]
    assert [c["subject"] for c in cases] == ["Boiler leaks"]
    assert (await client.get(f"/portal/api/cases/{mine.id}")).status == 200
    assert (await client.get(f"/portal/api/cases/{theirs.id}")).status == 404  # another customer's: not found
    assert (await (await client.get("/portal/api/me")).json())["first_name"] == "Ana"
    (piece,) = (await (await client.get("/portal/api/equipment")).json())["items"]  # hers only, not Bo's
    assert (piece["serial"], piece["warranty_until"], piece["contract"]) == ("A1", "2027-03-09", None)
    opened = await client.post("/portal/api/cases", json={"subject": "Radiator cold", "description": "Upstairs"})
    assert opened.status == 201 and (await opened.json())["status"] == "new"
    assert (await client.post("/portal/api/cases", json={"subject": ""})).status == 422
    assert [c["subject"] for c in (await (await client.get("/portal/api/cases")).json())["items"]] == [
        "Radiator cold",
        "Boiler leaks",
    ]
    # Replies: on her own case only; a case waiting on her is open again; a closed one takes none.
    async with session_factory(engine).begin() as session:
        (await session.get(Case, mine.id)).status = "pending_customer"  # type: ignore[union-attr]
    replied = await client.post(f"/portal/api/cases/{mine.id}/replies", json={"text": "It drips every hour"})
    assert replied.status == 201 and (await replied.json())["status"] == "open"
    assert (await client.post(f"/portal/api/cases/{theirs.id}/replies", json={"text": "x"})).status == 404
    assert (await client.post(f"/portal/api/cases/{mine.id}/replies", json={"text": " "})).status == 422
    async with session_factory(engine).begin() as session:
        (await session.get(Case, mine.id)).status = "closed"  # type: ignore[union-attr]
    assert (await client.post(f"/portal/api/cases/{mine.id}/replies", json={"text": "again"})).status == 409
    async with session_factory(engine)() as session:
        notes = (await session.scalars(select(Activity).where(Activity.case_id == mine.id))).all()
    assert any(a.details.get("text") == "It drips every hour" and a.direction == "inbound" for a in notes)
    callback = await client.post("/portal/api/callback", json={"number": "(415) 555-0123"})
    assert callback.status == 201 and (await callback.json())["number"] == "+14155550123"
    assert (await client.post("/portal/api/callback", json={})).status == 422  # Ana has no number on file
    assert (await client.get("/portal/api/kb?q=password")).status == 200
    async with session_factory(engine)() as session:
        timeline = (await session.scalars(select(Activity.subject).where(Activity.customer_id == ana.id))).all()
    assert any("in the portal" in t for t in timeline) and any("callback" in t for t in timeline)
    page = await client.get("/portal")
    assert page.status == 200 and "Customer portal" in await page.text()
    await client.post("/portal/logout")
    assert (await client.get("/portal/api/cases")).status == 401
    assert (await client.get("/portal/api/equipment")).status == 401
    # Asking again and again for one address is slowed down, the same whoever has it (no e-mail bombing).
    answers = [(await client.post("/portal/login", json={"email": "x@y.org"})).status for _ in range(5)]
    assert answers[:3] == [202, 202, 202] and 429 in answers[3:]
