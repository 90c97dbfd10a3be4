"""The demo data is believable: addresses, clocks and numbers agree; cases run on the support calendar
exactly as the CRM would run them; timelines hold every kind of interaction; Maria Garcia is there."""

from __future__ import annotations

from typing import Any, cast

import phonenumbers
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.calendars import calendar_by_name, to_domain
from contact_center.crm.cases import clock_of, escalate_breached, next_escalation_at
from contact_center.crm.customers import find_by_phone
from contact_center.seed.countries import COUNTRIES, matches_postcode
from contact_center.seed.demo import ensure_reference, seed
from contact_center.store.engine import session_factory
from contact_center.store.tables import Account, Activity, Case, Customer, Order, Phone

BY_CODE = {c.code: c for c in COUNTRIES}


@pytest.fixture
async def demo(engine: AsyncEngine, clock: Any) -> AsyncEngine:
    await ensure_reference(engine, password="demo-password-1")
    await seed(engine, 400, clock.now())
    return engine


def place_agrees(address: dict[str, str], timezone: str | None) -> bool:
    country = BY_CODE[address["country"]]
    cities = {(c.name, c.region, c.timezone) for c in country.cities}
    return (address["city"], address["region"], timezone) in cities and matches_postcode(
        country, address["postal_code"]
    )


async def test_addresses_time_zones_postcodes_and_numbers_agree_per_country(demo: AsyncEngine) -> None:
    async with session_factory(demo)() as session:
        customers = (await session.scalars(select(Customer))).all()
        accounts = (await session.scalars(select(Account))).all()
        phones = (await session.execute(select(Phone.e164, Customer.country).join(Customer))).all()
    assert len(customers) == 400 and len({c.country for c in customers}) >= 6
    for record in cast("list[Customer | Account]", [*customers, *accounts]):
        assert place_agrees(record.address, record.timezone), (record.address, record.timezone)
    assert all(c.address["country"] == c.country for c in customers)
    assert len({c.address["street"] for c in customers}) > 300
    assert all(a.emails and a.language == BY_CODE[a.address["country"]].language for a in accounts)
    for e164, country in phones:
        number = phonenumbers.parse(e164)
        assert number.country_code == phonenumbers.country_code_for_region(cast(str, country)), (e164, country)
        assert phonenumbers.is_possible_number(number)
    assert len({e164 for e164, _ in phones}) == len(phones)


async def test_cases_run_on_the_support_calendar_as_the_crm_runs_them(demo: AsyncEngine, clock: Any) -> None:
    now = clock.now()
    async with session_factory(demo)() as session:
        row = await calendar_by_name(session, "support-hours")
        assert row is not None
        calendar = to_domain(row, now)
        cases = (await session.scalars(select(Case))).all()
    assert len(cases) > 50 and {c.calendar_id for c in cases} == {row.id}
    assert {c.status for c in cases} == {"new", "open", "pending_customer", "resolved", "closed"}
    assert 0 < sum(c.escalation_level > 0 for c in cases) < len(cases) / 2
    for case in cases:
        clock_now = clock_of(case)
        assert clock_now is not None
        assert case.sla_due_at == clock_now.due_at(calendar)
        assert case.escalation_level == clock_now.escalation_level(calendar, now)
        assert case.sla_escalate_at == next_escalation_at(clock_now, case.escalation_level, calendar)
        assert (case.sla_running_since is not None) == (case.status in ("new", "open"))
    # Already escalated as far as they should be: the first escalation pass has nothing to do.
    async with session_factory(demo).begin() as session:
        assert await escalate_breached(session, now) == []


async def test_timelines_hold_every_kind_of_interaction_and_history(demo: AsyncEngine) -> None:
    async with session_factory(demo)() as session:
        kinds = dict((await session.execute(select(Activity.type, func.count()).group_by(Activity.type))).all())
        escalations = await session.scalar(select(func.count()).select_from(Case).where(Case.escalation_level > 0))
        changes = (await session.scalars(select(Activity).where(Activity.type == "case_change").limit(50))).all()
    assert {
        "call",
        "ivr",
        "email",
        "note",
        "meeting",
        "task",
        "dial_attempt",
        "case_change",
        "opportunity_change",
        "lead_change",
        "escalation",
    } <= set(kinds)
    assert kinds["escalation"] >= (escalations or 0)
    for change in changes:
        [(field, moved)] = change.details["changes"].items()
        assert field == "status" and moved["to"] == change.outcome and change.case_id is not None


async def test_maria_garcia_is_the_known_caller_with_an_open_case_and_orders(demo: AsyncEngine) -> None:
    async with demo.connect() as conn:
        [maria] = await find_by_phone(conn, "(415) 555-0142", "US")
    assert (maria["first_name"], maria["last_name"], maria["vip"]) == ("Maria", "Garcia", True)
    assert maria["address"]["city"] == "San Francisco" and maria["timezone"] == "America/Los_Angeles"
    async with session_factory(demo)() as session:
        statuses = (await session.scalars(select(Case.status).where(Case.customer_id == maria["id"]))).all()
        orders = await session.scalar(select(func.count()).select_from(Order).where(Order.customer_id == maria["id"]))
        account = await session.get(Account, maria["account_id"])
    assert statuses == ["open"] and orders == 3
    assert account is not None and account.name == "Acme Logistics"
