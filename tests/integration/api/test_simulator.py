"""The caller simulator over HTTP: a call placed as a number, keys pressed, the IVR heard as text."""

from __future__ import annotations

import asyncio
from typing import Any


async def test_a_simulated_call_hears_the_ivr_and_can_hang_up(
    app_client: Any, make_user: Any, token_for: Any, agent: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    h = boss.headers()
    assert (
        await app_client.post("/api/v1/simulator/calls", json={"caller": "x"}, headers=agent.headers())
    ).status == 403
    bad = await app_client.post("/api/v1/simulator/calls", json={"caller": "not a number"}, headers=h)
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "caller"
    call = await (await app_client.post("/api/v1/simulator/calls", json={"caller": "(415) 555-0142"}, headers=h)).json()
    assert call["caller"] == "+14155550142"
    path = f"/api/v1/simulator/calls/{call['call_id']}"
    async with asyncio.timeout(20):
        while not (heard := (await (await app_client.get(path, headers=h)).json())["heard"]):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert heard[0]["text"].strip()  # an empty CRM has no calendars, so this is the closed-hours greeting
    bad_keys = await app_client.post(path + "/digits", json={"digits": "12a"}, headers=h)
    assert bad_keys.status == 422
    assert (await app_client.post(path + "/digits", json={"digits": "1"}, headers=h)).status == 200
    assert (await app_client.delete(path, headers=h)).status == 200
    state = await (await app_client.get(path, headers=h)).json()
    assert state["ended"] is True
    assert (await app_client.get("/api/v1/simulator/calls/sim-999", headers=h)).status == 404
