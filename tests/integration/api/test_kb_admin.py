"""Knowledge-base articles written, edited and retired by supervisors: a retired article is kept but no
longer found; every change is in the audit trail."""

from __future__ import annotations

from typing import Any


async def test_supervisors_write_edit_and_retire_articles(
    app_client: Any, agent: Any, admin: Any, make_user: Any, token_for: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    body = {"title": "Resetting a router", "body": "Hold the reset button for ten seconds.", "category": "technical"}
    assert (await app_client.post("/api/v1/kb/articles", json=body, headers=agent.headers())).status == 403
    made = await app_client.post("/api/v1/kb/articles", json=body, headers=boss.headers())
    assert made.status == 201
    article = await made.json()
    url = f"/api/v1/kb/articles/{article['id']}"

    assert (await app_client.patch(url, json={"body": "Hold it for 30 s."}, headers=agent.headers())).status == 403
    edited = await app_client.patch(
        url, json={"body": "Hold the reset button for thirty seconds."}, headers=boss.headers()
    )
    assert edited.status == 200
    assert (await edited.json())["title"] == "Resetting a router"  # what was not sent stays
    bad = await app_client.patch(url, json={"title": ""}, headers=boss.headers())
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "title"
    found = await (await app_client.get("/api/v1/kb/search?q=thirty", headers=agent.headers())).json()
    assert [a["id"] for a in found["items"]] == [article["id"]]  # the search follows the edit

    assert (await app_client.post(f"{url}/retire", headers=boss.headers())).status == 200
    assert (await (await app_client.get("/api/v1/kb/search?q=thirty", headers=agent.headers())).json())["items"] == []
    listed = await (await app_client.get("/api/v1/kb/articles", headers=agent.headers())).json()
    assert article["id"] not in [a["id"] for a in listed["items"]]
    retired = await (await app_client.get("/api/v1/kb/articles?retired=true", headers=agent.headers())).json()
    assert [a["id"] for a in retired["items"]] == [article["id"]] and retired["items"][0]["retired_at"]
    assert (await app_client.get(url, headers=agent.headers())).status == 200  # kept for the history

    assert (await app_client.post(f"{url}/restore", headers=boss.headers())).status == 200
    again = await (await app_client.get("/api/v1/kb/search?q=router", headers=agent.headers())).json()
    assert [a["id"] for a in again["items"]] == [article["id"]]
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [e["action"] for e in trail] == ["kb.restore", "kb.retire", "kb.change", "kb.create"]
    assert trail[2]["before"]["body"].startswith("Hold the reset button for ten")
