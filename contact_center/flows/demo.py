"""A small demo CRM in memory: the seed's queues and calendars, a few customers, orders and cases.

Used by the simulator's ``--demo`` mode, the benchmark and the tests of the shipped flows.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays

from contact_center.domain.calendar import Calendar, always_open
from contact_center.flows.directory import (
    AgentRecord,
    CaseRecord,
    ContractRecord,
    CustomerRecord,
    EquipmentRecord,
    OrderRecord,
    VisitRecord,
)
from contact_center.flows.memory_directory import InMemoryDirectory

QUEUES = ("general", "billing", "technical", "sales", "retention", "vip")
UTC = dt.UTC


def us_holidays(years: range) -> dict[str, str]:
    return {day.isoformat(): name for day, name in holidays.country_holidays("US", years=list(years)).items()}


def demo_calendars(years: range = range(2024, 2031)) -> list[Calendar]:
    weekdays = {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    support = Calendar.from_config(
        "support-hours", "America/New_York", {**weekdays, "sat": [["09:00", "14:00"]]}, holidays=us_holidays(years)
    )
    sales_days = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    sales = Calendar.from_config("sales-hours", "America/New_York", sales_days)
    return [support, sales, always_open("UTC")]


def demo_directory() -> InMemoryDirectory:
    d = InMemoryDirectory(queues=set(QUEUES))
    d.add_calendars(demo_calendars())
    d.agents[7] = AgentRecord(7, "maria.garcia", "Maria Garcia")
    # Ana: known, English, with an account manager, a shipped order and an open case.
    d.add_customer(CustomerRecord(1, "Ana", "Lopez", "en", account_manager_id=7), ["+12125550101"])
    # Jorge: known, speaks Spanish, VIP, no account manager.
    d.add_customer(CustomerRecord(2, "Jorge", "Ruiz", "es", vip=True, segment="enterprise"), ["+13055550102"])
    # Ana's service contract runs; Jorge's ended (the IVR tells him so).
    d.add_contract(1, ContractRecord("standard", dt.date(2026, 1, 1), dt.date(2027, 12, 31)))
    d.add_contract(2, ContractRecord("premium", dt.date(2025, 2, 1), dt.date(2026, 1, 31)))
    # Ana's boiler is under warranty (parts and labour) and a technician is booked; Jorge's heat pump's
    # warranty ended years ago.
    d.equipment.append(
        EquipmentRecord(1, "BLR-24", "BLR-1001", dt.date(2025, 3, 10), dt.date(2027, 3, 9), dt.date(2027, 3, 9))
    )
    d.equipment.append(
        EquipmentRecord(2, "HP-8", "HP-2002", dt.date(2019, 6, 1), dt.date(2021, 5, 31), dt.date(2020, 5, 31))
    )
    visit = dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    d.visits[1] = [VisitRecord(visit, "Jonas Berg", "boiler")]
    d.add_order(
        OrderRecord(
            "104521",
            "shipped",
            dt.datetime(2026, 3, 2, 15, tzinfo=UTC),
            1,
            shipped_at=dt.datetime(2026, 3, 3, 14, tzinfo=UTC),
            carrier="UPS",
        )
    )
    d.add_order(
        OrderRecord(
            "104400",
            "delivered",
            dt.datetime(2026, 2, 1, 15, tzinfo=UTC),
            1,
            shipped_at=dt.datetime(2026, 2, 2, 14, tzinfo=UTC),
            delivered_at=dt.datetime(2026, 2, 5, 18, tzinfo=UTC),
            carrier="FedEx",
        )
    )
    d.add_order(OrderRecord("104777", "processing", dt.datetime(2026, 3, 5, 10, tzinfo=UTC), 2))
    d.add_order(OrderRecord("104888", "cancelled", dt.datetime(2026, 1, 5, 10, tzinfo=UTC), None))
    d.add_case(CaseRecord(20417, "open", "Router keeps rebooting", 1, dt.datetime(2026, 3, 4, 16, tzinfo=UTC)))
    d.add_case(CaseRecord(20388, "resolved", "Invoice address change", 2, dt.datetime(2026, 2, 20, 9, tzinfo=UTC)))
    d.add_case(CaseRecord(20450, "pending_customer", "Replacement part", 2, dt.datetime(2026, 3, 6, 12, tzinfo=UTC)))
    return d
