"""Skills, teams, calendars and dispositions administered over HTTP: supervisors read, admins write;
bad input is refused by field and reason; a record still in use is not removed; every change is audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.seed.demo import ensure_reference


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


# kind, key field, a new record, a change to it, a bad record and the field it is refused for
RECORDS: list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any], str]] = [
    (
        "skills",
        "name",
        {"name": "swahili", "description": "Speaks Swahili"},
        {"description": "Fluent Swahili"},
        {"name": "no spaces"},
        "name",
    ),
    ("teams", "name", {"name": "Night shift"}, {}, {"name": ""}, "name"),
    (
        "calendars",
        "name",
        {
            "name": "weekend-desk",
            "timezone": "Europe/Paris",
            "weekly_hours": {"sat": [["09:00", "13:00"]]},
            "holiday_country": "FR",
        },
        {"weekly_hours": {"sat": [["09:00", "17:00"]], "sun": [["10:00", "12:00"]]}},
        {"name": "x", "timezone": "Mars/Olympus"},
        "timezone",
    ),
    (
        "dispositions",
        "code",
        {"code": "sent_brochure", "label": "Brochure sent"},
        {"label": "Brochure sent by post"},
        {"code": "ok", "label": "OK", "category": "Not-A-Category"},
        "category",
    ),
]


@pytest.mark.parametrize(("kind", "key", "record", "change", "bad", "bad_field"), RECORDS, ids=[r[0] for r in RECORDS])
async def test_each_kind_is_listed_created_changed_refused_and_removed_with_an_audit_trail(
    reference: None,
    app_client: Any,
    admin: Any,
    agent: Any,
    make_user: Any,
    token_for: Any,
    kind: str,
    key: str,
    record: dict[str, Any],
    change: dict[str, Any],
    bad: dict[str, Any],
    bad_field: str,
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    url = f"/api/v1/{kind}/{quote(record[key])}"
    for who in (agent, boss):
        assert (await app_client.post(f"/api/v1/{kind}", json=record, headers=who.headers())).status == 403
    assert (await app_client.get(f"/api/v1/{kind}", headers=agent.headers())).status == 403

    made = await app_client.post(f"/api/v1/{kind}", json=record, headers=admin.headers())
    assert made.status == 201, await made.text()
    listed = (await (await app_client.get(f"/api/v1/{kind}", headers=boss.headers())).json())["items"]
    assert record[key] in [item[key] for item in listed]
    assert (await app_client.post(f"/api/v1/{kind}", json=record, headers=admin.headers())).status == 409

    refused = await app_client.post(f"/api/v1/{kind}", json=bad, headers=admin.headers())
    assert refused.status == 422, await refused.text()
    assert [e["field"] for e in (await refused.json())["errors"]] == [bad_field]

    if change:
        changed = await app_client.patch(url, json=change, headers=admin.headers())
        assert changed.status == 200, await changed.text()
        shown = await (await app_client.get(url, headers=boss.headers())).json()
        assert {name: shown[name] for name in change} == change
    renamed = await app_client.patch(url, json={key: "other"}, headers=admin.headers())
    assert renamed.status == 422 and (await renamed.json())["errors"][0]["field"] == key
    assert (await app_client.patch(f"/api/v1/{kind}/nowhere", json={}, headers=admin.headers())).status == 404

    assert (await app_client.delete(url, headers=boss.headers())).status == 403
    assert (await app_client.delete(url, headers=admin.headers())).status == 204
    assert (await app_client.get(url, headers=boss.headers())).status == 404

    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    actions = [e["action"] for e in trail]
    one = kind[:-1]
    assert actions == [f"{one}.remove", *([f"{one}.change"] if change else []), f"{one}.create"]
    assert trail[-1]["before"] is None and trail[-1]["after"][key] == record[key]
    assert trail[0]["after"] is None


async def test_a_record_still_in_use_is_not_removed_and_says_who_uses_it(
    reference: None, app_client: Any, admin: Any
) -> None:
    # The demo's queues ask for its skills and follow its calendars.
    queues = (await (await app_client.get("/api/v1/queues", headers=admin.headers())).json())["items"]
    assert queues
    skills = (await (await app_client.get("/api/v1/skills", headers=admin.headers())).json())["items"]
    calendars = (await (await app_client.get("/api/v1/calendars", headers=admin.headers())).json())["items"]
    for kind, items in (("skills", skills), ("calendars", calendars)):
        for item in items:
            answer = await app_client.delete(f"/api/v1/{kind}/{quote(item['name'])}", headers=admin.headers())
            if answer.status == 409:
                assert "still used by" in (await answer.json())["message"]
                assert (
                    await app_client.get(f"/api/v1/{kind}/{quote(item['name'])}", headers=admin.headers())
                ).status == 200
                break
        else:
            pytest.fail(f"no {kind[:-1]} of the demo is in use: the test needs one")


async def test_a_supervisor_opens_a_closed_calendar_until_a_time_and_it_is_audited(
    reference: None, app_client: Any, admin: Any, agent: Any, make_user: Any, token_for: Any, clock: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    url = "/api/v1/calendars/support-hours"
    body = {"state": "closed", "until": "23:30", "reason": "fire drill"}
    assert (await app_client.post(f"{url}/override", json=body, headers=agent.headers())).status == 403
    closed = await app_client.post(f"{url}/override", json=body, headers=boss.headers())
    assert closed.status == 200, await closed.text()
    status = await closed.json()
    assert status["status"] == "closed" and status["override"]["reason"] == "fire drill"
    assert status["override"]["by"] == "sue" and status["next_open"] is not None
    shown = await (await app_client.get(f"{url}/status", headers=boss.headers())).json()
    assert shown == status

    for bad, field in (
        ({**body, "until": "25:99"}, "until"),
        ({**body, "until": "next week"}, "until"),
        ({**body, "until": "2020-01-01T00:00:00Z"}, "until"),
        ({**body, "state": "ajar"}, "state"),
        ({**body, "reason": " "}, "reason"),
    ):
        refused = await app_client.post(f"{url}/override", json=bad, headers=boss.headers())
        assert refused.status == 422, bad
        assert [e["field"] for e in (await refused.json())["errors"]] == [field], bad
    missing = await app_client.post("/api/v1/calendars/nowhere/override", json=body, headers=boss.headers())
    assert missing.status == 404

    assert (await app_client.delete(f"{url}/override", headers=boss.headers())).status == 204
    back = await (await app_client.get(f"{url}/status", headers=boss.headers())).json()
    assert back["override"] is None
    # The configuration file neither shows nor changes an override.
    spec = await (await app_client.get(url, headers=boss.headers())).json()
    assert "override" not in spec
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [(e["action"], e["actor"]) for e in trail[:2]] == [
        ("calendar.override_cleared", "sue"),
        ("calendar.override", "sue"),
    ]
    assert trail[1]["after"]["state"] == "closed" and trail[0]["after"] is None
