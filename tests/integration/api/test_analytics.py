"""The analytics tables over HTTP on both databases, against figures worked out by hand: the funnel, forecast
against actual (with the forecast kept a day at a time), lead sources, cases and their SLAs, the centre by day;
days are the centre's (New York here), CSV on every table, and bad periods refused naming the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings
from contact_center.crm import analytics, profitability
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import (
    Activity,
    Case,
    Customer,
    ForecastSnapshot,
    Lead,
    Opportunity,
    Order,
    Product,
    ServiceOrder,
    ServiceOrderPart,
)
from contact_center.web.keys import OFFICE_WATCH

from ...conftest import T0

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret",
        var_dir=tmp_path / "var",
        seed_demo=False,
        timezone="America/New_York",
    )


@pytest.fixture
async def boss(engine: AsyncEngine, make_user: Any, token_for: Any) -> dict[str, str]:
    await ensure_reference(engine, password="demo-password-1")
    headers: dict[str, str] = (await token_for(await make_user("sam", "supervisor"))).headers()
    return headers


async def get(app_client: Any, path: str, headers: dict[str, str], status: int = 200) -> Any:
    response = await app_client.get(path, headers=headers)
    body = await response.json()
    assert response.status == status, body
    return body


def deal(stage: str, amount: int, created: str, **more: Any) -> Opportunity:
    return Opportunity(name=f"{stage} {amount}", stage=stage, amount_cents=amount, created_at=at(created), **more)


async def test_the_funnel_counts_what_reached_each_stage_and_the_win_rate(
    app_client: Any, boss: dict[str, str], engine: AsyncEngine
) -> None:
    async with session_factory(engine).begin() as session:
        session.add_all(
            [
                deal("prospecting", 100, "2026-11-02 15:00"),
                deal("prospecting", 200, "2026-11-03 15:00"),
                deal("proposal", 500, "2026-11-04 15:00"),
                deal("won", 1000, "2026-11-05 15:00", closed_at=at("2026-11-20 15:00")),
                deal("lost", 50, "2026-11-06 15:00", closed_at=at("2026-11-21 15:00")),
                deal("won", 9999, "2026-10-31 15:00"),  # opened before the period
                deal("proposal", 7777, "2026-12-01 04:30"),  # 23:30 on 30 November in New York: inside
            ]
        )
    found = await get(app_client, "/api/v1/analytics/funnel?from=2026-11-01&to=2026-11-30", boss)
    rows = {r["stage"]: r for r in found["items"]}
    assert [r["stage"] for r in found["items"]] == ["prospecting", "qualification", "proposal", "negotiation", "won"]
    assert [rows[s]["reached"] for s in rows] == [6, 3, 3, 1, 1]
    assert rows["proposal"]["deals"] == 2 and rows["proposal"]["amount_cents"] == 8277
    assert [rows[s]["conversion"] for s in rows] == [0.5, 1.0, pytest.approx(1 / 3), 1.0, None]
    assert found["summary"] == {"lost": 1, "lost_amount_cents": 50, "win_rate": 0.5}
    assert "lost deal is counted at the first stage" in found["note"]

    sheet = await app_client.get("/api/v1/analytics/funnel?from=2026-11-01&to=2026-11-30&format=csv", headers=boss)
    assert sheet.headers["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(await sheet.text())))
    assert lines[0] == ["stage", "deals", "amount_cents", "reached", "conversion"]
    assert lines[3] == ["proposal", "2", "8277", "3", "0.3333"] and lines[5][-1] == ""


async def test_forecast_against_actual_takes_the_forecast_kept_before_the_month(
    app_client: Any, boss: dict[str, str], engine: AsyncEngine
) -> None:
    await app_client.server.app[OFFICE_WATCH].stop()  # it keeps today's forecast as the server starts: not here
    async with session_factory(engine).begin() as session:
        await session.execute(delete(ForecastSnapshot))
    open_deal = {"probability": 50, "expected_close": dt.date(2026, 12, 15)}
    async with session_factory(engine).begin() as session:
        session.add(deal("negotiation", 10_000, "2026-11-01 15:00", **open_deal))
        session.add(deal("proposal", 4_000, "2026-11-01 15:00", probability=25, expected_close=dt.date(2026, 11, 28)))
    async with session_factory(engine).begin() as session:
        assert await analytics.take_forecast_snapshot(session, dt.date(2026, 11, 23)) == 12
    async with session_factory(engine).begin() as session:
        assert await analytics.take_forecast_snapshot(session, dt.date(2026, 11, 23)) == 0  # once a day
        # Later: more deals come in and two are won, one at 22:00 on 30 November in New York (UTC: 1 December).
        session.add(deal("negotiation", 80_000, "2026-11-25 15:00", **open_deal))
        session.add(deal("won", 3_000, "2026-11-02 15:00", closed_at=at("2026-12-01 03:00")))
        session.add(deal("won", 6_000, "2026-11-02 15:00", closed_at=at("2026-12-10 15:00")))
    found = await get(app_client, "/api/v1/analytics/forecast-vs-actual?from=2026-11-01&to=2026-12-31", boss)
    november, december = found["items"]
    assert november == {
        "period": "2026-11",
        "forecast_cents": 1_000,  # kept on 23 November (none before the month): 4 000 x 25 %
        "forecast_taken_on": "2026-11-23",
        "won_deals": 1,
        "won_cents": 3_000,
        "attainment": 3.0,
        "open_weighted_cents": 1_000,
    }
    assert december["forecast_cents"] == 5_000 and december["forecast_taken_on"] == "2026-11-23"
    assert december["won_cents"] == 6_000 and december["attainment"] == 1.2
    assert december["open_weighted_cents"] == 45_000  # the deal that came later is in what is open, not the forecast


def forecast_rows(found: dict[str, Any]) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    return {
        (r["period"], r["key"]): (r["deals"], r["pipeline_cents"], r["weighted_cents"], r["won_cents"])
        for r in found["items"]
    }


async def test_the_forecast_by_owner_and_product_group_counts_a_deal_once_per_group_in_the_centres_months(
    app_client: Any, boss: dict[str, str], engine: AsyncEngine, make_user: Any
) -> None:
    ann, bob = (await make_user("ann")).user_id, (await make_user("bob")).user_id
    heating_and_cooling = [{"sku": "P-HEAT"}, {"sku": "P-HEAT2", "quantity": 2}, {"sku": "P-COOL"}]
    async with session_factory(engine).begin() as session:
        for sku, group in (("P-HEAT", "heating"), ("P-HEAT2", "heating"), ("P-COOL", "cooling")):
            session.add(Product(sku=sku, name=sku, group=group))
        closes = {"probability": 50, "expected_close": dt.date(2026, 12, 20)}
        session.add(deal("proposal", 100_000, "2026-11-01 15:00", owner_id=ann, products=heating_and_cooling, **closes))
        session.add(
            deal("negotiation", 40_000, "2026-11-01 15:00", probability=75, expected_close=dt.date(2026, 11, 5))
        )
        # Won at 22:00 on 30 November in New York (UTC: 1 December), a product the catalogue no longer has.
        session.add(
            deal(
                "won",
                70_000,
                "2026-10-01 15:00",
                owner_id=ann,
                closed_at=at("2026-12-01 03:00"),
                products=[{"sku": "GONE"}],
            )
        )
        session.add(
            deal(
                "won",
                9_000,
                "2026-10-01 15:00",
                owner_id=bob,
                closed_at=at("2026-12-10 15:00"),
                products=[{"sku": "P-COOL"}],
            )
        )
        session.add(deal("lost", 5_000, "2026-11-01 15:00", owner_id=bob, **closes))
        session.add(
            deal(
                "proposal", 7_000, "2026-11-01 15:00", owner_id=bob, probability=10, expected_close=dt.date(2027, 3, 1)
            )
        )
    url = "/api/v1/analytics/forecast?from=2026-11-01&to=2026-12-31"
    by_owner = await get(app_client, url, boss)
    assert by_owner["by"] == "owner" and by_owner["columns"][:2] == ["period", "key"] and by_owner["note"]
    assert forecast_rows(by_owner) == {
        ("2026-11", "(none)"): (1, 40_000, 30_000, 0),
        ("2026-11", "ann"): (1, 0, 0, 70_000),
        ("2026-12", "ann"): (1, 100_000, 50_000, 0),
        ("2026-12", "bob"): (1, 0, 0, 9_000),
    }
    assert forecast_rows(await get(app_client, f"{url}&by=product_group", boss)) == {
        ("2026-11", "(none)"): (2, 40_000, 30_000, 70_000),  # no products; a product the catalogue lacks
        ("2026-12", "cooling"): (2, 100_000, 50_000, 9_000),
        ("2026-12", "heating"): (1, 100_000, 50_000, 0),  # two heating products: the deal counts once
    }
    december = await get(app_client, "/api/v1/analytics/forecast?from=2026-12-01&to=2026-12-31&by=product_group", boss)
    assert forecast_rows(december) == {
        ("2026-12", "cooling"): (2, 100_000, 50_000, 9_000),
        ("2026-12", "heating"): (1, 100_000, 50_000, 0),
    }
    response = await app_client.get(f"{url}&format=csv", headers=boss)
    assert (await response.text()).splitlines()[:2] == [
        "period,key,deals,pipeline_cents,weighted_cents,won_cents",
        "2026-11,(none),1,40000,30000,0",
    ]


async def test_lead_sources_count_quality_conversion_and_won_revenue(
    app_client: Any, boss: dict[str, str], engine: AsyncEngine
) -> None:
    disposable = [{"code": "disposable_email", "reason": "throw-away"}]
    async with session_factory(engine).begin() as session:
        maria = Customer(first_name="Maria", last_name="Garcia")
        session.add(maria)
        await session.flush()
        made = at("2026-11-10 15:00")
        session.add_all(
            [
                Lead(last_name="A", source="web_form", rating="hot", created_at=made),
                Lead(last_name="B", source="web_form", rating="cold", checks=disposable, created_at=made),
                Lead(last_name="C", source="web_form", status="disqualified", created_at=made),
                Lead(
                    last_name="D",
                    source="referral",
                    rating="warm",
                    status="converted",
                    customer_id=maria.id,
                    created_at=made,
                ),
                Lead(last_name="E", source="referral", created_at=at("2026-10-01 15:00")),  # before the period
                deal("won", 25_000, "2026-11-11 15:00", customer_id=maria.id, closed_at=made),
                deal("proposal", 99_000, "2026-11-11 15:00", customer_id=maria.id),
            ]
        )
    found = await get(app_client, "/api/v1/analytics/lead-sources?from=2026-11-01&to=2026-11-30", boss)
    referral, web = found["items"]  # the one that brought revenue first
    assert referral == {
        "source": "referral",
        "leads": 1,
        "hot": 0,
        "warm": 1,
        "flagged": 0,
        "disqualified": 0,
        "converted": 1,
        "conversion": 1.0,
        "won_deals": 1,
        "won_cents": 25_000,
    }
    assert (web["source"], web["leads"], web["hot"], web["flagged"], web["disqualified"], web["won_cents"]) == (
        "web_form",
        3,
        1,
        1,
        1,
        0,
    )


async def test_cases_per_local_day_with_sla_met_and_breached(
    app_client: Any, boss: dict[str, str], engine: AsyncEngine
) -> None:
    def case(opened: str, resolved: str | None, used_minutes: int | None, target: int | None = 60, **more: Any) -> Case:
        return Case(
            subject="Boiler",
            created_at=at(opened),
            resolved_at=at(resolved) if resolved else None,
            status="resolved" if resolved else "open",
            sla_target_minutes=target,
            sla_used_seconds=(used_minutes or 0) * 60,
            **more,
        )

    async with session_factory(engine).begin() as session:
        session.add_all(
            [
                case("2026-11-02 14:00", "2026-11-02 14:30", 30),  # met, 2 November
                case("2026-11-02 15:00", "2026-11-03 02:00", 90),  # breached, resolved 21:00 on 2 November local
                case("2026-11-03 01:00", "2026-11-03 16:00", 60),  # opened 20:00 on 2 Nov local; met (at the target)
                case("2026-11-03 15:00", "2026-11-03 16:00", None, target=None),  # no target: neither
                case("2026-11-03 16:00", None, None, sla_due_at=at("2026-11-03 17:00")),  # open, past due now
            ]
        )
    found = await get(app_client, "/api/v1/analytics/cases?from=2026-11-02&to=2026-11-03", boss)
    assert found["items"] == [
        {"day": "2026-11-02", "opened": 3, "resolved": 2, "met": 1, "breached": 1, "compliance": 0.5},
        {"day": "2026-11-03", "opened": 2, "resolved": 2, "met": 1, "breached": 0, "compliance": 1.0},
    ]
    assert found["summary"] == {"compliance": pytest.approx(2 / 3), "open_past_due": 1}


async def test_the_centre_by_day_has_a_row_per_day_and_bad_periods_are_refused(
    app_client: Any, boss: dict[str, str], agent: Any
) -> None:
    found = await get(app_client, "/api/v1/analytics/contact-center?from=2026-11-01&to=2026-11-03", boss)
    assert [r["day"] for r in found["items"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert found["columns"][:4] == ["day", "offered", "answered", "abandoned"]
    assert all(r["offered"] == 0 and r["service_level"] is None for r in found["items"])

    bad = await get(app_client, "/api/v1/analytics/cases?from=2026-11-05&to=2026-11-01&format=xml", boss, 422)
    assert {e["field"] for e in bad["errors"]} == {"to", "format"}
    long = await get(app_client, "/api/v1/analytics/funnel?from=2025-01-01&to=2026-11-01", boss, 422)
    assert long["errors"][0]["field"] == "to"
    missing = await get(app_client, "/api/v1/analytics/lead-sources", boss, 422)
    assert {e["field"] for e in missing["errors"]} == {"from", "to"}
    assert (
        await app_client.get("/api/v1/analytics/funnel?from=2026-11-01&to=2026-11-02", headers=agent.headers())
    ).status == 403


async def test_the_churn_risk_list_scores_case_call_and_order_history_by_its_named_rule(
    app_client: Any, boss: dict[str, str], engine: AsyncEngine
) -> None:
    now = T0

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    async with session_factory(engine).begin() as session:
        ana, bo, cy = (Customer(first_name=n, last_name="Test") for n in ("Ana", "Bo", "Cy"))
        session.add_all([ana, bo, cy])
        await session.flush()
        session.add_all(
            [
                # Ana: three cases, one past its SLA, an abandoned call, no order for 200 days: 30 + 25 + 15 + 20.
                *(Case(subject="x", customer_id=ana.id, created_at=ago(d), status="new") for d in (5, 20, 40)),
                Case(
                    subject="late",
                    customer_id=ana.id,
                    created_at=ago(50),
                    status="resolved",
                    resolved_at=ago(49),
                    sla_target_minutes=60,
                    sla_used_seconds=7200,
                ),
                Activity(type="call", customer_id=ana.id, outcome="abandoned", started_at=ago(3)),
                Order(number="A-1", customer_id=ana.id, placed_at=ago(200)),
                # Bo: two cases and an escalated call: 20 + 10 = 30, not listed.
                *(Case(subject="y", customer_id=bo.id, created_at=ago(d), status="new") for d in (1, 2)),
                Activity(type="call", customer_id=bo.id, disposition="escalated", started_at=ago(1)),
                # Cy: two cases, one open past due: 20 + 25 = 45; an old case outside the window does not count.
                Case(subject="z", customer_id=cy.id, created_at=ago(10), status="new", sla_due_at=ago(9)),
                Case(subject="z", customer_id=cy.id, created_at=ago(11), status="new"),
                Case(subject="old", customer_id=cy.id, created_at=ago(300), status="new"),
            ]
        )
    found = await get(app_client, "/api/v1/analytics/churn-risk", boss)
    assert [(r["name"], r["score"], r["level"], r["cases"], r["past_sla"]) for r in found["items"]] == [
        ("Ana Test", 90, "high", 4, 1),
        ("Cy Test", 45, "medium", 2, 1),
    ]
    assert found["items"][0]["reasons"].endswith("no order since 2026-05-07")
    assert "Listed from 35 points" in found["note"] and found["summary"]["as_of"] == "2026-11-23T15:00:00Z"
    sheet = await app_client.get("/api/v1/analytics/churn-risk?format=csv", headers=boss)
    assert (await sheet.text()).splitlines()[0] == "customer_id,name,score,level,reasons,cases,past_sla"


async def test_profitability_is_revenue_less_the_cost_to_serve_worked_out_once_a_day(
    app_client: Any, boss: dict[str, str], engine: AsyncEngine, agent: Any
) -> None:
    await app_client.server.app[OFFICE_WATCH].stop()  # the figures are worked out here, when asked
    now = T0

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    async with session_factory(engine).begin() as session:
        rich, costly, old = (Customer(first_name=n, last_name="Test") for n in ("Rich", "Costly", "Old"))
        session.add_all([rich, costly, old])
        part = Product(sku="VALVE", name="Valve", price_cents=2_500)
        session.add(part)
        await session.flush()
        visit = ServiceOrder(
            customer_id=costly.id,
            work="Fix",
            skill="boilers",
            status="completed",
            labour_minutes=90,
            completed_at=ago(10),
        )
        session.add(visit)
        await session.flush()
        session.add_all(
            [
                Order(number="R-1", customer_id=rich.id, total_cents=100_000, placed_at=ago(30)),
                Order(number="R-2", customer_id=rich.id, total_cents=50_000, placed_at=ago(40), status="cancelled"),
                Order(number="C-1", customer_id=costly.id, total_cents=5_000, placed_at=ago(20)),
                Order(number="O-1", customer_id=old.id, total_cents=900_000, placed_at=ago(400)),  # over a year ago
                ServiceOrderPart(
                    service_order_id=visit.id, product_id=part.id, location="van", quantity=2, state="consumed"
                ),
                ServiceOrderPart(
                    service_order_id=visit.id, product_id=part.id, location="van", quantity=5, state="released"
                ),  # not used: costs nothing
                Activity(
                    type="call", customer_id=costly.id, started_at=ago(5), ended_at=ago(5) + dt.timedelta(minutes=30)
                ),
                Activity(
                    type="call", customer_id=rich.id, started_at=ago(5), ended_at=ago(5) + dt.timedelta(minutes=3)
                ),
                Activity(type="note", customer_id=rich.id, started_at=ago(5), ended_at=ago(5) + dt.timedelta(hours=9)),
            ]
        )
    before = await get(app_client, "/api/v1/analytics/profitability", boss)
    assert before["items"] == [] and before["summary"] == {"computed_at": None}
    refresh = "/api/v1/analytics/profitability/refresh"
    assert (await app_client.post(refresh, headers=agent.headers())).status == 403
    done = await app_client.post(refresh, headers=boss)
    assert done.status == 200 and (await done.json()) == {"customers": 2}  # Old bought nothing this year
    found = await get(app_client, "/api/v1/analytics/profitability", boss)
    rows = {r["name"]: r for r in found["items"]}
    # Rich: 1 000.00 bought, a 3-minute call at 1.00 a minute.
    assert (rows["Rich Test"]["revenue_cents"], rows["Rich Test"]["orders"]) == (100_000, 1)
    assert (rows["Rich Test"]["contact_cost_cents"], rows["Rich Test"]["profit_cents"]) == (300, 99_700)
    # Costly: 50.00 bought; 1.5 hours at 60.00 plus two valves at 25.00; a 30-minute call.
    costly_row = rows["Costly Test"]
    assert (costly_row["service_cost_cents"], costly_row["contact_cost_cents"]) == (9_000 + 5_000, 3_000)
    assert costly_row["profit_cents"] == 5_000 - 14_000 - 3_000 and costly_row["margin"] == pytest.approx(-2.4)
    assert "Old Test" not in rows
    assert [r["name"] for r in found["items"]] == ["Rich Test", "Costly Test"]
    assert "60.00 an hour" in found["note"] and "1.00 a minute" in found["note"]
    assert found["summary"]["computed_at"] == "2026-11-23T15:00:00Z"
    sheet = await app_client.get("/api/v1/analytics/profitability?format=csv", headers=boss)
    assert (await sheet.text()).splitlines()[0].startswith("customer_id,name,revenue_cents,orders")
    # Worked out a customer per transaction, the figures are the same.
    assert await profitability.refresh(session_factory(engine), now, profitability.DEFAULT_COSTS, chunk=1) == 2
    assert (await get(app_client, "/api/v1/analytics/profitability", boss))["items"] == found["items"]
