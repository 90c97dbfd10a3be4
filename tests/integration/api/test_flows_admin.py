"""IVR flows changed over HTTP: read by supervisors; written by admins only after they check out, refused
with FILE:LINE reasons and nothing written otherwise; earlier versions kept and put back; audited."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.config import Settings
from contact_center.seed.demo import ensure_reference

ROOT = Path(__file__).parents[3]
HELLO = "numbers: ['+1 415 555 0199']\nstart: hi\nnodes:\n  hi:\n    label: Greeting\n    hangup: 'Hello.'\n"


@pytest.fixture
async def flows_client(
    engine: AsyncEngine, aiohttp_client: Any, settings: Settings, clock: FixedClock, tmp_path: Path
) -> Any:
    """The app on a copy of the shipped flows (the test writes flow files)."""
    from dataclasses import replace

    from contact_center.app import create_app

    await ensure_reference(engine, password="demo-password-1")
    folder = tmp_path / "flows"
    shutil.copytree(ROOT / "ivr_flows", folder)
    app = create_app(replace(settings, ivr_flow=folder / "main.yaml", ivr_flows_dir=folder), clock=clock, engine=engine)
    return await aiohttp_client(app)


async def test_an_admin_writes_a_flow_that_checks_out_and_rolls_it_back(
    flows_client: Any, admin: Any, make_user: Any, token_for: Any, tmp_path: Path
) -> None:
    client = flows_client
    boss = await token_for(await make_user("sue", "supervisor"))
    listed = (await (await client.get("/api/v1/flows", headers=boss.headers())).json())["items"]
    assert {"main", "after_hours"} <= {f["name"] for f in listed} and all(f["loaded"] for f in listed)

    assert (await client.put("/api/v1/flows/hello", json={"text": HELLO}, headers=boss.headers())).status == 403
    made = await client.put("/api/v1/flows/hello", json={"text": HELLO}, headers=admin.headers())
    assert made.status == 200, await made.text()
    assert (await made.json())["loaded"] and (await made.json())["numbers"] == ["+14155550199"]
    assert (tmp_path / "flows" / "hello.yaml").read_text() == HELLO

    broken = HELLO.replace("hangup: 'Hello.'", "goto: nowhere").replace("+1 415 555 0199", "+1 415 555 0100")
    refused = await client.put("/api/v1/flows/hello", json={"text": broken}, headers=admin.headers())
    assert refused.status == 422
    reasons = [e["reason"] for e in (await refused.json())["errors"]]
    assert reasons and all(r.startswith("hello.yaml:") for r in reasons) and any("nowhere" in r for r in reasons)
    assert (tmp_path / "flows" / "hello.yaml").read_text() == HELLO  # nothing was written

    second = HELLO.replace("'Hello.'", "'Hello again.'")
    assert (await client.put("/api/v1/flows/hello", json={"text": second}, headers=admin.headers())).status == 200
    history = (await (await client.get("/api/v1/flows/hello/history", headers=boss.headers())).json())["items"]
    assert [h["text"] for h in history] == [HELLO]
    back = await client.post(
        "/api/v1/flows/hello/rollback", json={"version": history[0]["version"]}, headers=admin.headers()
    )
    assert back.status == 200
    assert (await (await client.get("/api/v1/flows/hello", headers=boss.headers())).json())["text"] == HELLO
    unknown = await client.post("/api/v1/flows/hello/rollback", json={"version": "1999"}, headers=admin.headers())
    assert unknown.status == 422 and (await unknown.json())["errors"][0]["field"] == "version"
    assert (await client.get("/api/v1/flows/Bad-Name", headers=boss.headers())).status == 422
    assert (await client.get("/api/v1/flows/nosuch", headers=boss.headers())).status == 404

    trail = (await (await client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [e["action"] for e in trail] == ["flow.rollback", "flow.change", "flow.change"]


async def test_a_flow_claiming_a_number_another_flow_has_is_refused(flows_client: Any, admin: Any) -> None:
    assert (await flows_client.put("/api/v1/flows/hello", json={"text": HELLO}, headers=admin.headers())).status == 200
    refused = await flows_client.put("/api/v1/flows/other", json={"text": HELLO}, headers=admin.headers())
    assert refused.status == 422
    assert any("also claimed by flow 'hello'" in e["reason"] for e in (await refused.json())["errors"])
    listed = (await (await flows_client.get("/api/v1/flows", headers=admin.headers())).json())["items"]
    assert "other" not in {f["name"] for f in listed}  # nothing written
