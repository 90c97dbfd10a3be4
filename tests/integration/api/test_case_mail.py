"""E-mail as a case channel over a real local SMTP server: an agent writes to the customer about a case (the
mail carries the case's tag and the reply address), the customer's answer comes back through the inbound
route into the case (open again, on the timeline); a stranger, a missing tag, a wrong secret are refused."""

from __future__ import annotations

import asyncio
import dataclasses
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity

from ...smtp_server import Inbox

SECRET = "s3cret-for-the-mta"


def reply(to_subject: str, sender: str, text: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = f"Ana Lind <{sender}>", "cases@help.example"
    message["Subject"] = f"Re: {to_subject}"
    message["Message-ID"] = "<abc@mail.example>"
    message.set_content(f"{text}\n\nOn Mon, Nov 23, 2026 at 15:00 Support wrote:\n> the agent's words\n")
    return bytes(message)


async def test_an_agent_writes_and_the_customers_answer_comes_back_into_the_case(
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
    configured = dataclasses.replace(
        settings, smtp_url=f"smtp://127.0.0.1:{port}", mail_reply_to="cases@help.example", inbound_mail_secret=SECRET
    )
    client = await aiohttp_client(create_app(configured, clock=clock, engine=engine))
    h = (await token_for(await make_user("alice", "agent"))).headers()
    ana = await (
        await client.post(
            "/api/v1/customers", json={"first_name": "Ana", "last_name": "Lind", "emails": ["ana@lind.se"]}, headers=h
        )
    ).json()
    silent = await (
        await client.post("/api/v1/customers", json={"first_name": "No", "last_name": "Mail"}, headers=h)
    ).json()
    case = await (
        await client.post("/api/v1/cases", json={"subject": "Boiler leaks", "customer_id": ana["id"]}, headers=h)
    ).json()
    await client.patch(f"/api/v1/cases/{case['id']}", json={"status": "pending_customer"}, headers=h)

    sent = await client.post(
        f"/api/v1/cases/{case['id']}/emails", json={"text": "Is the leak at the valve?"}, headers=h
    )
    assert sent.status == 201
    out = await sent.json()
    assert out["to"] == "ana@lind.se" and out["subject"] == f"[Case #{case['number']}] Boiler leaks"
    for _ in range(200):
        if inbox.messages:
            break
        await asyncio.sleep(0.02)
    (mail,) = inbox.messages
    assert mail["Reply-To"] == "cases@help.example" and mail["Subject"] == out["subject"]
    assert "Is the leak at the valve?" in mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    theirs = await (
        await client.post("/api/v1/cases", json={"subject": "x", "customer_id": silent["id"]}, headers=h)
    ).json()
    no_address = await client.post(f"/api/v1/cases/{theirs['id']}/emails", json={"text": "hi"}, headers=h)
    assert no_address.status == 422

    async def inbound(raw: bytes, secret: str = SECRET, kind: str = "message/rfc822") -> Any:
        return await client.post("/mail/inbound", data=raw, headers={"X-CC-Mail-Secret": secret, "Content-Type": kind})

    answer = reply(mail["Subject"], "Ana@Lind.se", "Yes, at the valve, since Friday.")
    assert (await inbound(answer, secret="wrong")).status == 401
    assert (await inbound(answer, kind="text/plain")).status == 415
    got = await inbound(answer)
    assert got.status == 201
    body = await got.json()
    assert (body["case_id"], body["reopened"], body["status"]) == (case["id"], True, "open")
    stranger = await inbound(reply(mail["Subject"], "eve@evil.example", "let me in"))
    assert stranger.status == 422 and "cannot write to case" in (await stranger.json())["errors"][0]["reason"]
    untagged = await inbound(reply("Boiler leaks", "ana@lind.se", "hello"))
    assert untagged.status == 422 and (await untagged.json())["errors"][0]["field"] == "Subject"

    async with session_factory(engine)() as session:
        mails = (
            await session.execute(
                select(Activity.direction, Activity.details).where(
                    Activity.case_id == case["id"], Activity.type == "email"
                )
            )
        ).all()
    assert [(d, x["text"]) for d, x in mails] == [
        ("outbound", "Is the leak at the valve?"),
        ("inbound", "Yes, at the valve, since Friday."),  # without the quoted message below it
    ]
    timeline = await (await client.get(f"/api/v1/customers/{ana['id']}/360", headers=h)).json()
    assert any(a["type"] == "email" and a["direction"] == "inbound" for a in timeline["activities"])

    off = dataclasses.replace(settings, inbound_mail_secret=None)
    unconfigured = await aiohttp_client(create_app(off, clock=clock, engine=engine))
    assert (
        await unconfigured.post("/mail/inbound", data=answer, headers={"Content-Type": "message/rfc822"})
    ).status == 503
