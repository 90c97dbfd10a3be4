"""Campaigns administered over HTTP and as code: admins create and change them, supervisors start and stop
them; a campaign with a list is never removed (its history stays), nor is a queue a campaign calls from;
`config export` carries campaigns and a file that copies one under a new name makes a new campaign."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm import configuration as stored
from contact_center.seed.demo import ensure_reference
from contact_center.services.admin import configuration as config
from contact_center.store.engine import session_factory
from contact_center.store.tables import Campaign, DialingAttempt, DialingRecord

NEW: dict[str, Any] = {
    "name": "Winter upsell",
    "mode": "progressive",
    "queue": "sales",
    "calendar": "sales-hours",
    "caller_id": "+14155550100",
    "max_attempts": 4,
    "retry_minutes": 90,
    "script": "Hello, I am calling about our winter offer.",
    "starts_at": "2026-12-07T10:00:00+01:00",
}


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def test_a_campaign_is_created_changed_run_and_kept_with_its_history(
    reference: None, app_client: Any, admin: Any, make_user: Any, token_for: Any, engine: AsyncEngine
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    assert (await app_client.post("/api/v1/campaigns", json=NEW, headers=boss.headers())).status == 403
    made = await app_client.post("/api/v1/campaigns", json=NEW, headers=admin.headers())
    assert made.status == 201, await made.text()
    assert (await made.json())["starts_at"] == "2026-12-07T09:00:00Z"  # kept in UTC
    url = f"/api/v1/campaigns/{quote(str(NEW['name']))}"
    read = await (await app_client.get(url, headers=boss.headers())).json()
    assert (read["queue"], read["max_attempts"], read["mode"]) == ("sales", 4, "progressive")

    for bad, field in (
        ({"max_abandon_rate": 0.05}, "max_abandon_rate"),
        ({"queue": "nowhere"}, "queue"),
        ({"mode": "robocall"}, "mode"),
        ({"caller_id": "12"}, "caller_id"),
        ({"call_from": "07:30"}, "law's calling window"),
        ({"call_until": "9pm"}, "call_until"),
        ({"call_from": "12:00", "call_until": "11:00"}, "call_from"),
        ({"target_abandon_rate": 0.05}, "target_abandon_rate"),
        ({"dispositions": ["sale", "nowhere"]}, "no disposition 'nowhere'"),
    ):
        refused = await app_client.patch(url, json=bad, headers=admin.headers())
        assert refused.status == 422, (bad, await refused.text())
        assert field in (await refused.text())
    chosen = await app_client.patch(url, json={"dispositions": ["sale", "no_sale"]}, headers=admin.headers())
    assert chosen.status == 200 and (await chosen.json())["dispositions"] == ["sale", "no_sale"]
    changed = await app_client.patch(url, json={"script": "New script", "mode": "preview"}, headers=admin.headers())
    assert changed.status == 200 and (await changed.json())["script"] == "New script"
    hours = await app_client.patch(url, json={"call_from": "09:30", "call_until": "20:00"}, headers=admin.headers())
    assert hours.status == 200 and ((await hours.json())["call_from"], (await hours.json())["call_until"]) == (
        "09:30",
        "20:00",
    )

    listed = (await (await app_client.get("/api/v1/campaigns", headers=boss.headers())).json())["items"]
    assert {"name": "Winter upsell", "mode": "preview", "status": "draft"}.items() <= next(
        c for c in listed if c["name"] == "Winter upsell"
    ).items()
    started = await app_client.post(f"{url}/status", json={"status": "running"}, headers=boss.headers())
    assert started.status == 200

    removing_queue = await app_client.delete("/api/v1/queues/sales", headers=admin.headers())
    assert removing_queue.status == 409 and "campaign" in (await removing_queue.text())
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == NEW["name"]))).one()
        session.add(DialingRecord(campaign_id=campaign.id, number="+12125550100"))
    kept = await app_client.delete(url, headers=admin.headers())
    assert kept.status == 409 and "stop it instead" in (await kept.text())
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [e["action"] for e in trail[:5]] == [
        "campaign.status",
        "campaign.change",
        "campaign.change",
        "campaign.change",
        "campaign.create",
    ]


async def test_campaigns_travel_as_code(reference: None, engine: AsyncEngine, clock: Any) -> None:
    async with session_factory(engine)() as session:
        document = await stored.export(session)
        names = await config.stored_names(session)
    exported = config.to_plain(document)
    assert {c["name"] for c in exported["campaigns"]} == {"Spring renewals", "Win-back"}
    spring = next(c for c in exported["campaigns"] if c["name"] == "Spring renewals")
    assert spring["queue"] == "sales" and spring["calendar"] == "sales-hours" and "status" not in spring
    assert (spring["call_from"], spring["call_until"]) == ("08:00", "21:00")
    # Written by hand, unquoted: YAML 1.1 reads 10:30 as the number 630; it is still 10:30.
    hand = config.read_document("campaigns:\n- name: By hand\n  call_from: 10:30\n", "hand.yaml", stored=names)
    assert next(c for c in hand["campaigns"] if c.key == "By hand").call_from == "10:30"  # type: ignore[attr-defined]
    text = yaml.safe_dump({"campaigns": [*exported["campaigns"], {**spring, "name": "Spring renewals 2"}]})
    read = config.read_document(text, "campaigns.yaml", stored=names)
    async with session_factory(engine).begin() as session:
        steps = await config.plan(session, read)
        assert steps.create == [("campaigns", "Spring renewals 2")] and not steps.change and not steps.remove
        await config.apply(session, read, actor="cli:test", now=clock.now())
    async with session_factory(engine)() as session:
        again = await config.plan(session, config.read_document(text, "campaigns.yaml", stored=names))
    assert again.empty
    # Left out of a file, a campaign stays (its list and attempts are history): files never remove one.
    async with session_factory(engine).begin() as session:
        assert (await config.plan(session, config.read_document("campaigns: []\n", "none.yaml", stored=names))).empty
    bad = yaml.safe_dump({"campaigns": [{**spring, "name": "X", "queue": "nowhere"}]})
    with pytest.raises(config.DocumentRefused) as refused:
        config.read_document(bad, "bad.yaml", stored={"queues": {"sales"}, "calendars": {"sales-hours"}})
    assert "bad.yaml:" in str(refused.value.problems[0]) and "no queue 'nowhere'" in str(refused.value.problems[0])


async def test_the_campaign_list_carries_the_figures_the_board_shows(
    reference: None, app_client: Any, make_user: Any, token_for: Any, engine: AsyncEngine, clock: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    now = clock.now()
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        records = [DialingRecord(campaign_id=campaign.id, number=f"+1212555010{n}") for n in range(4)]
        session.add_all(records)
        await session.flush()
        records[0].attempts = records[1].attempts = 1
        for record, result, ago in (
            (records[0], "answered", dt.timedelta(hours=1)),
            (records[1], "busy", dt.timedelta(hours=2)),
            (records[1], "abandoned", dt.timedelta(hours=3)),
            (records[0], "answered", dt.timedelta(days=3)),
            (records[0], "abandoned", dt.timedelta(days=40)),  # older than 30 days: not counted
        ):
            session.add(
                DialingAttempt(record_id=record.id, campaign_id=campaign.id, call_id="c", at=now - ago, result=result)
            )
    listed = (await (await app_client.get("/api/v1/campaigns", headers=boss.headers())).json())["items"]
    spring = next(c for c in listed if c["name"] == "Spring renewals")
    assert (spring["dialed_24h"], spring["connects_24h"], spring["abandoned_24h"]) == (3, 1, 1)
    assert spring["abandon_rate_24h"] == 0.5  # one abandoned of two answered live
    assert (spring["answered_30d"], spring["abandoned_30d"], spring["abandon_rate_30d"]) == (3, 1, 0.3333)
    assert spring["penetration"] == 0.5 and spring["records"] == 4 and spring["agents_logged_in"] == 0
    win_back = next(c for c in listed if c["name"] == "Win-back")
    assert win_back["dialed_24h"] == 0 and win_back["penetration"] is None
