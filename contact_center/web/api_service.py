"""The installed base over HTTP: equipment, service contracts, and what a customer is entitled to."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from contact_center.crm import case_mail, contract_tiers
from contact_center.crm import installed_base as base
from contact_center.crm.errors import ValidationFailed
from contact_center.web.api_crm import record_id
from contact_center.web.auth import principal
from contact_center.web.errors import read_body
from contact_center.web.keys import CLOCK, MAILER, SESSIONS, SETTINGS
from contact_center.web.routing import Api

api = Api()
log = logging.getLogger(__name__)
_sending: set[asyncio.Task[Any]] = set()


@api.route(
    "POST",
    "/api/v1/equipment",
    "Register a customer's equipment (model, serial, install date); the model's warranty comes from the catalog",
    tag="service",
    body=base.EquipmentCreate,
    status=201,
)
async def add_equipment(request: web.Request) -> web.Response:
    body = await read_body(request, base.EquipmentCreate)
    async with request.app[SESSIONS].begin() as session:
        row = await base.add_equipment(session, body, request.app[CLOCK].now().date())
        out = base.equipment_json(row)
    return web.json_response(out, status=201)


@api.route(
    "POST",
    "/api/v1/contracts",
    "A service contract: tier, start and end, the equipment it covers",
    tag="service",
    body=base.ContractCreate,
    status=201,
)
async def add_contract(request: web.Request) -> web.Response:
    body = await read_body(request, base.ContractCreate)
    async with request.app[SESSIONS].begin() as session:
        row = await base.add_contract(session, body)
        tier = await contract_tiers.known_tier(session, row.tier)
        out = base.contract_json(row, sorted(set(body.equipment_ids)), tier)
    return web.json_response(out, status=201)


@api.route(
    "GET",
    "/api/v1/customers/{id}/entitlements",
    "Per piece of the customer's equipment: warranty until, "
    "and the contract covering it (null when none; active true or false)",
    tag="service",
)
async def entitlements(request: web.Request) -> web.Response:
    customer_id = record_id(request)
    async with request.app[SESSIONS]() as session:
        items = await base.entitlements(session, customer_id, request.app[CLOCK].now().date())
    return web.json_response({"customer_id": customer_id, "items": items})


class ClaimOut(BaseModel):
    id: int
    equipment_id: int
    customer_id: int
    case_id: int | None
    problem: str
    covers: str  # parts | labour | parts_and_labour
    claimed_on: str
    created_by: str


@api.route(
    "POST",
    "/api/v1/equipment/{id}/warranty-claims",
    "Claim under a piece's warranty (its model's parts and labour months from its install date): "
    "recorded with what the warranty covers today, refused naming why when it covers nothing",
    tag="service",
    body=base.ClaimCreate,
    response=ClaimOut,
    status=201,
)
async def file_claim(request: web.Request) -> web.Response:
    equipment_id = record_id(request)
    body = await read_body(request, base.ClaimCreate)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        claim = await base.file_claim(
            session,
            equipment_id,
            body,
            now=request.app[CLOCK].now(),
            actor=me.username,
            agent_id=me.user_id,
        )
        out = base.claim_json(claim)
    return web.json_response(out, status=201)


@api.route(
    "GET",
    "/api/v1/equipment/{id}/warranty-claims",
    "A piece's warranty claims, newest first",
    tag="service",
    response=ClaimOut,
    many=True,
)
async def list_claims(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        items = [base.claim_json(c) for c in await base.claims(session, record_id(request))]
    return web.json_response({"items": items, "next_cursor": None})


@api.route(
    "GET",
    "/api/v1/contract-tiers",
    "The contract tiers: response and resolution hours on their hours of cover, visits a year, price",
    tag="service",
)
async def list_tiers(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        items = [contract_tiers.tier_json(t) for t in (await contract_tiers.tiers(session)).values()]
    return web.json_response({"items": items, "next_cursor": None})


@api.route(
    "PUT",
    "/api/v1/contract-tiers/{name}",
    "Make a contract tier or change its terms (its contracts get them from now on)",
    tag="service",
    role="admin",
    body=contract_tiers.TierIn,
)
async def put_tier(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", name):
        raise ValidationFailed.one("name", "lower-case letters, digits, - and _, at most 32")
    body = await read_body(request, contract_tiers.TierIn)
    async with request.app[SESSIONS].begin() as session:
        out = contract_tiers.tier_json(await contract_tiers.put(session, name, body))
    return web.json_response(out)


class EmailOut(BaseModel):
    activity_id: int
    to: str
    subject: str


@api.route(
    "POST",
    "/api/v1/cases/{id}/emails",
    "Write to the case's customer by e-mail (subject tagged [Case #N]; their answer comes back into the case), "
    "on the case's timeline",
    tag="service",
    body=case_mail.CaseReply,
    response=EmailOut,
    status=201,
)
async def email_customer(request: web.Request) -> web.Response:
    case_id = record_id(request)
    body = await read_body(request, case_mail.CaseReply)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        mail = await case_mail.write_to_customer(
            session, case_id, body.text, now=request.app[CLOCK].now(), agent_id=me.user_id, actor=me.username
        )
        activity_id = mail.activity_id
    # Sent once the timeline holds it; a failed send is logged (the outbox keeps it when no SMTP is set).
    reply_to = request.app[SETTINGS].mail_reply_to
    task = asyncio.create_task(_send(request.app[MAILER], mail, reply_to), name="case-mail")
    _sending.add(task)
    task.add_done_callback(_sending.discard)
    return web.json_response({"activity_id": activity_id, "to": mail.to, "subject": mail.subject}, status=201)


async def _send(mailer: Any, mail: case_mail.Outgoing, reply_to: str | None) -> None:
    try:
        await mailer.send(mail.to, mail.subject, mail.body, reply_to=reply_to)
    except Exception:
        log.exception("sending a case e-mail to %s failed", mail.to)
