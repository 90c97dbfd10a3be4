"""Answering the interpreter's CRM questions: a ``LookUp`` or ``FetchCalendar`` action in, an input out.

Drivers (the call session, the simulator) share this so a flow behaves the same
live and simulated. A failing directory becomes ``LookupFailed``, never an
exception in the call.
"""

from __future__ import annotations

import datetime as dt
import logging

from contact_center.crm.phones import try_e164
from contact_center.domain.ivr.actions import CalendarResult, FetchCalendar, LookUp, LookupFailed, LookupResult
from contact_center.domain.ivr.template import Value
from contact_center.domain.service.entitlements import serial_digits
from contact_center.flows.directory import CustomerRecord, Directory

log = logging.getLogger(__name__)


def normalize_number(raw: str, region: str = "US") -> str:
    """The E.164 form of a caller number, or ``""`` when it is withheld or not a number."""
    return try_e164(raw or "", region) or ""


async def answer_lookup(directory: Directory, action: LookUp, at: dt.datetime) -> LookupResult | LookupFailed:
    try:
        values = await _find(directory, action, at)
    except Exception as exc:  # the CRM being down must not drop the call
        log.warning("IVR look-up %s by %s %r failed: %s", action.kind, action.by, action.key, exc)
        return LookupFailed(at=at, reason=f"{type(exc).__name__}: {exc}")
    return LookupResult(at=at, found=values is not None, values=values or {})


async def answer_calendar(directory: Directory, action: FetchCalendar, at: dt.datetime) -> CalendarResult:
    try:
        calendar = await directory.calendar(action.name, at)
    except Exception as exc:
        log.warning("IVR calendar %r could not be loaded: %s", action.name, exc)
        calendar = None
    return CalendarResult(at=at, calendar=calendar)


def _whole(key: str) -> int | None:
    return int(key) if key.isdigit() and len(key) < 10 else None


async def _customer_values(directory: Directory, customer_id: int | None) -> dict[str, Value] | None:
    customer: CustomerRecord | None = None
    if customer_id is not None:
        customer = await directory.customer_by_id(customer_id)
    return customer.values() if customer is not None else None


async def _find(directory: Directory, action: LookUp, at: dt.datetime) -> dict[str, Value] | None:
    kind, by, key = action.kind, action.by, action.key
    if kind == "customer":
        if by == "phone":
            number = key if key.startswith("+") else normalize_number(key)
            found = await directory.customer_by_phone(number) if number else None
            return found.values() if found is not None else None
        if by == "id":
            return await _customer_values(directory, _whole(key))
        if by == "order":
            order = await directory.order_by_number(key) if key.isdigit() else None
            return await _customer_values(directory, order.customer_id if order else None)
        if by == "case":
            case_number = _whole(key)
            case = await directory.case_by_number(case_number) if case_number is not None else None
            return await _customer_values(directory, case.customer_id if case else None)
    elif kind == "order":
        if by == "number":
            order = await directory.order_by_number(key) if key.isdigit() else None
            return order.values() if order is not None else None
        if by == "customer":
            customer_id = _whole(key)
            orders = await directory.orders_of_customer(customer_id, limit=1) if customer_id is not None else []
            return orders[0].values() if orders else None
    elif kind == "case" and by == "number":
        case_number = _whole(key)
        case = await directory.case_by_number(case_number) if case_number is not None else None
        return case.values() if case is not None else None
    elif kind == "contract" and by == "customer":
        customer_id = _whole(key)
        contract = await directory.latest_contract(customer_id) if customer_id is not None else None
        return contract.values(at.date()) if contract is not None else None
    elif kind == "equipment":
        if by == "serial":
            digits = serial_digits(key)
            piece = await directory.equipment_by_serial(digits) if digits else None
        else:
            customer_id = _whole(key)
            piece = await directory.equipment_of_customer(customer_id) if customer_id is not None else None
        return piece.values(at.date()) if piece is not None else None
    elif kind == "visit" and by == "customer":
        customer_id = _whole(key)
        visit = await directory.next_visit(customer_id, at) if customer_id is not None else None
        return visit.values() if visit is not None else None
    elif kind == "account_manager":
        customer_id = _whole(key)
        agent = await directory.account_manager(customer_id) if customer_id is not None else None
        return agent.values() if agent is not None else None
    raise ValueError(f"no look-up of {kind!r} by {by!r}")
