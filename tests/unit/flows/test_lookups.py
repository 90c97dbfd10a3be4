from __future__ import annotations

import datetime as dt

from contact_center.domain.ivr.actions import FetchCalendar, LookUp, LookupFailed, LookupResult
from contact_center.flows.lookups import answer_calendar, answer_lookup, normalize_number
from contact_center.flows.memory_directory import InMemoryDirectory

AT = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)


def ask(kind: str, by: str, key: str) -> LookUp:
    return LookUp(node="n", kind=kind, by=by, key=key)


def test_caller_numbers_are_normalised_to_e164() -> None:
    assert normalize_number("(212) 555-0101") == "+12125550101"
    assert normalize_number("+44 20 7946 0000") == "+442079460000"
    assert normalize_number("anonymous") == "" and normalize_number("") == ""


async def test_customer_by_phone_id_order_and_case(crm: InMemoryDirectory) -> None:
    for kind, by, key in [
        ("customer", "phone", "+12125550101"),
        ("customer", "phone", "(212) 555-0101"),
        ("customer", "id", "1"),
        ("customer", "order", "104521"),
        ("customer", "case", "20417"),
    ]:
        result = await answer_lookup(crm, ask(kind, by, key), AT)
        assert isinstance(result, LookupResult) and result.found, (by, key)
        assert result.values["first_name"] == "Ana" and result.values["has_account_manager"] is True


async def test_orders_cases_and_account_managers(crm: InMemoryDirectory) -> None:
    order = await answer_lookup(crm, ask("order", "number", "104521"), AT)
    assert isinstance(order, LookupResult)
    assert order.values == {
        "number": "104521",
        "status": "shipped",
        "customer_id": 1,
        "placed_at": "2026-03-02T15:00:00+00:00",
        "shipped_at": "2026-03-03T14:00:00+00:00",
        "delivered_at": None,
        "carrier": "UPS",
    }
    latest = await answer_lookup(crm, ask("order", "customer", "1"), AT)
    assert isinstance(latest, LookupResult) and latest.values["number"] == "104521"
    case = await answer_lookup(crm, ask("case", "number", "20450"), AT)
    assert (
        isinstance(case, LookupResult) and case.values["open"] is True and case.values["subject"] == "Replacement part"
    )
    manager = await answer_lookup(crm, ask("account_manager", "customer", "1"), AT)
    assert isinstance(manager, LookupResult) and manager.values == {
        "id": 7,
        "username": "maria.garcia",
        "name": "Maria Garcia",
    }


async def test_unknown_or_malformed_keys_are_not_found_without_asking(crm: InMemoryDirectory) -> None:
    for kind, by, key in [
        ("order", "number", "999999"),
        ("order", "number", "12ab"),
        ("case", "number", "x"),
        ("customer", "phone", "+19995550000"),
        ("account_manager", "customer", "2"),
    ]:
        result = await answer_lookup(crm, ask(kind, by, key), AT)
        assert isinstance(result, LookupResult) and not result.found, (kind, key)
    assert ("order_by_number", "12ab") not in crm.calls


async def test_directory_errors_become_lookup_failed(crm: InMemoryDirectory) -> None:
    async def broken(number: int) -> None:
        raise TimeoutError("slow database")

    crm.case_by_number = broken  # type: ignore[method-assign]
    result = await answer_lookup(crm, ask("case", "number", "20417"), AT)
    assert isinstance(result, LookupFailed) and "slow database" in result.reason


async def test_calendars(crm: InMemoryDirectory) -> None:
    found = await answer_calendar(crm, FetchCalendar(node="h", name="support-hours"), AT)
    assert found.calendar is not None and found.calendar.status(AT) == "open"
    missing = await answer_calendar(crm, FetchCalendar(node="h", name="nope"), AT)
    assert missing.calendar is None
