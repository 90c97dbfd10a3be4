"""The SQL directory and `ivr simulate` against a small CRM seeded in a temporary SQLite database."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from contact_center.cli import main
from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.dry_run import parse_digits, simulate
from contact_center.flows.sql_directory import SqlDirectory
from contact_center.flows.validator import validate_paths
from contact_center.store.engine import engine_for_url, session_factory
from contact_center.store.tables import (
    Appointment,
    Calendar,
    Case,
    Customer,
    Equipment,
    Order,
    Phone,
    Product,
    Queue,
    ServiceContract,
    Technician,
    User,
    contract_equipment,
)

ROOT = Path(__file__).parents[3]
UTC = dt.UTC
OPEN = dt.datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # Monday 10:00 New York
WEEKDAYS = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


async def _seed(url: str) -> None:
    engine = engine_for_url(url)
    async with session_factory(engine).begin() as session:
        maria = User(username="maria.garcia", display_name="Maria Garcia", role="agent")
        session.add(maria)
        await session.flush()
        ana = Customer(first_name="Ana", last_name="Lopez", language="en", account_manager_id=maria.id)
        ana.phones = [Phone(e164="+12125550101", kind="mobile")]
        jorge = Customer(first_name="Jorge", last_name="Ruiz", language="es", vip=True)
        jorge.phones = [Phone(e164="+13055550102")]
        session.add_all([ana, jorge])
        await session.flush()
        session.add_all(
            [
                Order(
                    number="104521",
                    customer_id=ana.id,
                    status="shipped",
                    placed_at=dt.datetime(2026, 3, 2, tzinfo=UTC),
                    shipped_at=dt.datetime(2026, 3, 3, 14, tzinfo=UTC),
                    carrier="UPS",
                ),
                Order(
                    number="104400",
                    customer_id=ana.id,
                    status="delivered",
                    placed_at=dt.datetime(2026, 2, 1, tzinfo=UTC),
                    delivered_at=dt.datetime(2026, 2, 5, 18, tzinfo=UTC),
                ),
                Case(number=20417, subject="Router keeps rebooting", status="open", customer_id=ana.id),
                Calendar(
                    name="support-hours",
                    timezone="America/New_York",
                    weekly_hours={**WEEKDAYS, "sat": [["09:00", "14:00"]]},
                    holiday_country="US",
                ),
                Calendar(name="sales-hours", timezone="America/New_York", weekly_hours=WEEKDAYS),
                *[Queue(name=n) for n in ("general", "billing", "technical", "sales", "retention", "vip")],
            ]
        )
    await engine.dispose()


@pytest.fixture
def crm_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "crm.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(_seed(url))
    return url


@pytest.fixture(scope="module")
def flows() -> FlowSet:
    return FlowSet.of(*validate_paths([ROOT / "ivr_flows"]).flows.values())


async def test_queries(crm_url: str) -> None:
    engine = engine_for_url(crm_url)
    try:
        d = SqlDirectory(session_factory(engine))
        ana = await d.customer_by_phone("+12125550101")
        assert ana is not None and (ana.first_name, ana.language, ana.vip) == ("Ana", "en", False)
        assert await d.customer_by_phone("+19995550000") is None
        assert (await d.customer_by_id(ana.id)) == ana
        order = await d.order_by_number("104521")
        assert order is not None and (order.status, order.carrier, order.customer_id) == ("shipped", "UPS", ana.id)
        assert order.shipped_at == dt.datetime(2026, 3, 3, 14, tzinfo=UTC)
        assert [o.number for o in await d.orders_of_customer(ana.id)] == ["104521", "104400"]
        case = await d.case_by_number(20417)
        assert case is not None and case.subject == "Router keeps rebooting" and case.values()["open"] is True
        assert await d.case_by_number(1) is None
        manager = await d.account_manager(ana.id)
        assert manager is not None and manager.username == "maria.garcia"
        assert await d.latest_contract(ana.id) is None
        async with session_factory(engine).begin() as session:
            for tier, ends in (("basic", dt.date(2025, 6, 30)), ("premium", dt.date(2026, 1, 31))):
                session.add(ServiceContract(customer_id=ana.id, tier=tier, starts_on=dt.date(2025, 1, 1), ends_on=ends))
        contract = await d.latest_contract(ana.id)  # the one ending last
        assert contract is not None and contract.values(dt.date(2026, 3, 9)) == {
            "tier": "premium",
            "starts_on": "2025-01-01",
            "ends_on": "2026-01-31",
            "ended": True,
            "active": False,
        }
        calendar = await d.calendar("support-hours")
        assert calendar is not None and calendar.status(OPEN) == "open"
        assert calendar.status(dt.datetime(2026, 12, 25, 15, tzinfo=UTC)) == "holiday"  # from holiday_country
        assert await d.calendar("nope") is None
        assert await d.queue_names() == {"general", "billing", "technical", "sales", "retention", "vip"}
        assert await d.calendar_names() == {"support-hours", "sales-hours"}
    finally:
        await engine.dispose()


async def test_equipment_by_serial_digits_and_the_next_visit(crm_url: str) -> None:
    engine = engine_for_url(crm_url)
    try:
        d = SqlDirectory(session_factory(engine))
        ana = await d.customer_by_phone("+12125550101")
        assert ana is not None
        async with session_factory(engine).begin() as session:
            product = Product(sku="BLR-T", name="Boiler", warranty_months=24, warranty_labour_months=12)
            hours = Calendar(name="field", timezone="America/New_York", weekly_hours={}, holidays={})
            session.add_all([product, hours])
            await session.flush()
            boiler = Equipment(
                customer_id=ana.id,
                product_id=product.id,
                model="BLR-T",
                serial="BL-77-01",
                installed_on=dt.date(2025, 3, 10),
            )
            twin = Equipment(customer_id=ana.id, model="X", serial="Q7701")  # the same digits: ambiguous
            other = Equipment(customer_id=ana.id, model="Y", serial="Z-123", installed_on=dt.date(2024, 1, 1))
            session.add_all([boiler, twin, other])
            await session.flush()
            contract = ServiceContract(
                customer_id=ana.id, tier="premium", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
            )
            session.add(contract)
            await session.flush()
            await session.execute(contract_equipment.insert().values(contract_id=contract.id, equipment_id=other.id))
            tech = Technician(name="Jonas", skills=["boiler"], territories=[], calendar_id=hours.id)
            session.add(tech)
            await session.flush()
            for day, status in ((9, "booked"), (12, "cancelled"), (16, "booked")):
                start = dt.datetime(2026, 3, day, 14, tzinfo=UTC)
                session.add(
                    Appointment(
                        customer_id=ana.id, technician_id=tech.id, skill="boiler", starts_at=start,
                        ends_at=start + dt.timedelta(hours=1), status=status,
                    )
                )  # fmt: skip
        assert await d.equipment_by_serial("7701") is None  # two pieces have these digits
        piece = await d.equipment_by_serial("123")
        assert piece is not None and piece.values(dt.date(2026, 3, 9)) | {} == {
            "customer_id": ana.id,
            "model": "Y",
            "serial": "Z-123",
            "installed_on": "2024-01-01",
            "warranty_until": "",
            "in_warranty": False,
            "labour_warranty_until": "",
            "in_labour_warranty": False,
            "has_contract": True,
            "contract_tier": "premium",
            "contract_active": True,
            "contract_ends_on": "2026-12-31",
        }
        latest = await d.equipment_of_customer(ana.id)  # the most recently installed
        assert latest is not None and latest.serial == "BL-77-01"
        assert (latest.warranty_until, latest.labour_warranty_until) == (dt.date(2027, 3, 9), dt.date(2026, 3, 9))
        visit = await d.next_visit(ana.id, dt.datetime(2026, 3, 10, tzinfo=UTC))  # after the 9th; not cancelled
        assert visit is not None and visit.values() | {} == {
            "starts_at": "2026-03-16T10:00:00-04:00",
            "day": "Monday 16 March",
            "time": "10:00",
            "technician": "Jonas",
            "skill": "boiler",
        }
        assert await d.next_visit(ana.id, dt.datetime(2026, 3, 17, tzinfo=UTC)) is None
    finally:
        await engine.dispose()


async def test_the_main_line_against_the_database(crm_url: str, flows: FlowSet) -> None:
    engine = engine_for_url(crm_url)
    try:
        d = SqlDirectory(session_factory(engine))
        t = await simulate(flows, "main", d, caller="+12125550101", digits=parse_digits("1,1,0"), at=OPEN)
        assert t.prompts[0] == "Welcome back to Acme, Ana."
        assert "Your order 1 0 4 5 2 1 shipped on Tuesday, March 3, with UPS." in t.prompts
        assert t.result["queue"] == "general" and t.result["data"]["order_number"] == "104521"
        t = await simulate(flows, "main", d, caller="+19995550000", digits=parse_digits("1,1,777777#,2"), at=OPEN)
        assert "Sorry, I could not find order 7 7 7 7 7 7." in t.prompts
        t = await simulate(flows, "main", d, caller="+13055550102", digits=parse_digits("4,1"), at=OPEN)
        assert t.result["queue"] == "technical" and t.result["skills"] == ["technical", "spanish"]
        night = dt.datetime(2026, 3, 10, 3, tzinfo=UTC)
        t = await simulate(flows, "main", d, caller="+12125550101", digits=["2"], at=night)
        assert t.result["action"] == "voicemail"
    finally:
        await engine.dispose()


def test_cli_simulate_and_validate_use_the_configured_database(
    crm_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CC_DATABASE_URL", crm_url)
    monkeypatch.setenv("CC_IVR_FLOWS_DIR", str(ROOT / "ivr_flows"))
    code = main(
        [
            "ivr",
            "simulate",
            "main",
            "--ani",
            "212-555-0101",
            "--digits",
            "9",
            "--at",
            "2026-03-09T10:00-05:00",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["result"]["agent"] == "maria.garcia" and data["variables"]["customer.first_name"] == "Ana"
    assert main(["ivr", "validate", "--crm", str(ROOT / "ivr_flows")]) == 0
    assert (
        main(["ivr", "validate", "--crm", str(Path(__file__).parents[2] / "unit/flows/bad_flows/crm_names.yaml")]) == 1
    )
    assert "unknown queue 'nowhere'" in capsys.readouterr().out


def test_simulated_holidays_are_those_of_the_year_simulated(
    crm_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Public holidays are filled in around --at, not around today: Christmas 2030 is a holiday too."""
    monkeypatch.setenv("CC_DATABASE_URL", crm_url)
    monkeypatch.setenv("CC_IVR_FLOWS_DIR", str(ROOT / "ivr_flows"))
    code = main(["ivr", "simulate", "main", "--ani", "+19995550000", "--at", "2030-12-25T12:00-05:00", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["prompts"][0] == "Our offices are closed today for Christmas Day."
    assert data["variables"]["hours.status"] == "holiday"
