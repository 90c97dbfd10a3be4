"""Schemathesis hooks for the battery (``SCHEMATHESIS_HOOKS``): a request the document allows is made one the
server can accept, where only data the server holds can say what is valid.

Only cases generated as valid (positive) are touched, and only in what a JSON schema cannot say: a real phone
number for a generated one, a record of the battery's data (``seed --customers 50``, the demo's queues and
calendars) for a generated reference, a generated interval put in order. A request generated to break the
document is sent as generated: the server must refuse it.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.generation.modes import GenerationMode

PHONE = "+14155550142"  # a valid number (the demo's Maria Garcia)
CUSTOMER, USER, PRODUCT = 1, 1, 1  # records the battery's data always has
QUEUE, CALENDAR = "general", "24x7"
FLOW = "start: bye\nnodes:\n  bye:\n    hangup: Goodbye.\n"

# Fields that name records by id or name, and what the battery's data has.
REFERENCES: dict[str, Any] = {
    "customer_id": CUSTOMER,
    "owner_id": USER,
    "account_manager_id": USER,
    "agent_id": None,
    "account_id": None,
    "case_id": None,
    "team_id": None,
    "product_id": PRODUCT,
    "calendar": CALENDAR,
    "queue": QUEUE,
    "team": None,
    "overflow_queue": None,
    "equipment_ids": [],
    "equipment_id": None,
    "contract_id": None,
    "user_id": None,  # a technician's login
    "technician_id": None,
    "service_order_id": None,
    "campaign_id": None,  # a marketing campaign (the battery's data has none)
    "lead_id": None,
    "opportunity_id": None,
    "holiday_country": None,
    "timezone": "UTC",
    "currency": "USD",  # what the catalog prices in (a quote in another currency needs a price list for it)
}


def _positive(case: Any) -> bool:
    """Generated as valid in every part (a case may break the document in one part only)."""
    meta = getattr(case, "meta", None)
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return False
    return all(part.mode == GenerationMode.POSITIVE for part in meta.components.values())


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    if not _positive(case):
        return case
    method, path = case.operation.method.upper(), case.operation.path
    if isinstance(case.query, dict):
        _query(path, case.query)
    if isinstance(case.body, dict):
        _body(method, path, case.body)
        case.body = _nested(case.body)
    return case


def _query(path: str, query: dict[str, Any]) -> None:
    if "phone" in query:
        query["phone"] = PHONE
    if "customer_id" in query:
        query["customer_id"] = CUSTOMER
    if path == "/api/v1/metrics/calls":
        for bound in ("from", "to"):  # the default window: the last hours
            query.pop(bound, None)
    if {"from", "to"} <= query.keys() and path != "/api/v1/metrics/calls":
        query["to"] = query["from"]


def _body(method: str, path: str, body: dict[str, Any]) -> None:
    for key in ("phone", "number", "caller"):
        if isinstance(body.get(key), str):
            body[key] = PHONE
    if isinstance(body.get("phones"), list):  # numbers as text; a number given as an object is left as drawn
        body["phones"] = [PHONE if isinstance(p, str) else p for p in body["phones"]]
        for phone in body["phones"]:
            if isinstance(phone, dict) and isinstance(phone.get("number"), str):
                phone["number"] = PHONE
    for key, value in REFERENCES.items():
        if key in body and body[key] is not None:
            body[key] = value
    if path.endswith("/responses"):  # a response names a lead or a customer: the battery's customer
        body["lead_id"], body["customer_id"] = None, CUSTOMER
    if isinstance(body.get("prices"), list):  # a price list: catalog products, each priced once
        body["prices"] = [dict(body["prices"][0], product_id=PRODUCT)] if body["prices"] else []
    rules = body.get("rules") if path == "/api/v1/products" else body if path.endswith("/rules") else None
    if isinstance(rules, dict):  # products a product requires or excludes: none named (they must exist)
        for kind in ("requires", "excludes"):
            if kind in rules:
                rules[kind] = []
        low, high = rules.get("min_quantity"), rules.get("max_quantity")
        if isinstance(low, int) and isinstance(high, int) and high < low:
            rules["max_quantity"] = low
    if "lines" in body and isinstance(body["lines"], list):
        for line in body["lines"]:
            if isinstance(line, dict):
                line["product_id"] = PRODUCT
    for key in ("queues", "skills", "required_skills"):
        if isinstance(body.get(key), dict):
            body[key] = {QUEUE: 1} if key == "queues" else {"english": 5}
    if isinstance(body.get("emails"), list):
        body["emails"] = ["someone@example.com"] if body["emails"] else []
    for rules in ("exit_action", "escalation"):  # a queue's rules name other queues and times
        body.pop(rules, None)
    if "ended_at" in body:
        body["ended_at"] = None  # at or after started_at, whatever was drawn
    if "ends_at" in body or "starts_at" in body:
        body.pop("starts_at", None)  # a campaign's own dates: the stored ones (a PATCH may name one of them)
        body.pop("ends_at", None)
    if path.startswith("/api/v1/campaigns") and isinstance(body.get("dispositions"), list):
        body["dispositions"] = []  # codes of the centre's dispositions; none named: all of them
    if "call_from" in body or "call_until" in body:
        body["call_from"], body["call_until"] = "09:00", "20:00"  # inside the law's window, in order
    if body.get("answering_machine") == "leave_message":
        body["machine_message"] = "Please call us back."
    if path.startswith("/api/v1/calendars"):
        for rule in ("holidays", "exceptions", "weekly_hours"):
            body.pop(rule, None)
        if "until" in body:
            body["until"] = "23:59"  # the next 23:59: always ahead
        if "reason" in body:
            body["reason"] = "battery"
    if method == "PATCH":
        for key in ("name", "code", "username", "active", "role"):
            body.pop(key, None)  # a record's key cannot change; the battery's admin stays one
        for key in [k for k, v in body.items() if v is None]:
            del body[key]  # null is "clear it", which a required column refuses; left out, it is kept
    if path == "/api/v1/contracts":
        body["starts_on"], body["ends_on"] = "2026-01-01", "2027-01-01"  # in order
        body["tier"] = "basic"  # one of the centre's tiers
    if path == "/api/v1/marketing-campaigns" and body.get("ends_on") is not None:
        body["starts_on"], body["ends_on"] = "2026-01-01", "2026-12-31"  # in order
    if path == "/api/v1/marketing-plans":
        body["period_start"], body["period_end"] = "2026-01-01", "2026-12-31"  # in order
    if path.startswith("/api/v1/contract-tiers/"):
        body["cover_calendar"] = None  # around the clock (a named calendar must exist)
        if isinstance(body.get("response_hours"), int) and isinstance(body.get("resolution_hours"), int):
            body["resolution_hours"] = max(body["resolution_hours"], body["response_hours"])
    if path == "/api/v1/equipment" and "installed_on" in body:
        body["installed_on"] = None  # not in the future
    if path == "/api/v1/flows/{name}" and "text" in body:
        body["text"] = FLOW
    if isinstance(body.get("priority"), float):
        body["priority"] = int(body["priority"])
    if path == "/api/v1/public/leads" and not body.get("phone") and not body.get("email"):
        body["phone"] = PHONE


def _nested(body: dict[str, Any]) -> dict[str, Any]:
    address = body.get("address")
    if isinstance(address, dict) and "country" in address:
        address["country"] = "US" if address["country"] else ""
    return body
