"""The desktop in Chromium on node A takes a call that node B holds (two nodes on PostgreSQL and Redis):
offer with the screen-pop, accept, hold, the socket cut mid-call while the caller hangs up, wrap-up saved;
every event applied once, in order, by replay."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from playwright.async_api import expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.bench.desk_nodes import MARIA, Node, node_settings, start_node, until
from contact_center.clock import FixedClock
from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CustomerCreate
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity

from ..conftest import REDIS_URL, T0, postgres_database
from .conftest import PASSWORD, Desktop, log_in

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def database_url(postgres_template: str) -> Iterator[str]:
    """PostgreSQL: two nodes share one database."""
    with postgres_database(postgres_template) as url:
        yield url


@pytest.fixture
async def nodes(database_url: str, engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[tuple[Node, Node]]:
    prefix = f"cc:test:{uuid.uuid4().hex}"
    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:
        await create_customer(
            session,
            CustomerCreate.model_validate({"first_name": "Maria", "last_name": "Garcia", "phones": [MARIA]}),
            "US",
        )
    clock = FixedClock(T0)
    started: list[Node] = []
    try:
        started.append(
            await start_node(node_settings(database_url, REDIS_URL, prefix, "a", tmp_path), clock, "a", tmp_path)
        )
        await until(lambda: started[0].center.acd.leading, 10)
        started.append(
            await start_node(node_settings(database_url, REDIS_URL, prefix, "b", tmp_path), clock, "b", tmp_path)
        )
        yield started[0], started[1]
    finally:
        for node in reversed(started):
            await node.stop()
        client = aioredis.from_url(REDIS_URL)
        async for key in client.scan_iter(match=f"{prefix}:*"):
            await client.delete(key)
        await client.aclose()


async def test_a_desk_on_node_a_takes_node_bs_call(
    nodes: tuple[Node, Node], desktop: Desktop, engine: AsyncEngine
) -> None:
    a, b = nodes
    page, conn = desktop.page, desktop.page.locator("#conn")
    await log_in(page, a.base, "/desk", "agent", PASSWORD)
    await expect(conn).to_have_attribute("data-state", "connected")
    await page.keyboard.press("r")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

    call_id = await b.caller()
    await expect(page.locator("#offer-name")).to_have_text("Maria Garcia", timeout=20_000)
    await page.click("#btn-accept")
    await expect(page.locator("#incall")).to_be_visible()
    await expect(page.locator("#call-name")).to_have_text("Maria Garcia")
    await page.keyboard.press("Shift+H")
    await expect(page.locator("#held-tag")).to_be_visible()
    assert b.center.calls.conversation(call_id).record.held_since is not None  # node B put the caller on hold
    await page.keyboard.press("Shift+H")
    await expect(page.locator("#held-tag")).to_be_hidden()

    # The network dies mid-call; meanwhile the caller hangs up on node B.
    await desktop.network.cut()
    await expect(conn).not_to_have_attribute("data-state", "connected")
    b.port.far_end_hangup(call_id)
    user_id = a.center.people.usernames["agent"]
    await until(lambda: b.center.desks.wrapup(user_id) is not None)
    for node in (a, b):
        await node.gateway.notifier.drain()
    desktop.network.restore()
    await expect(conn).to_have_attribute("data-state", "connected")
    await expect(page.locator("#wrapup")).to_be_visible()
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "wrap_up")
    await expect(page.locator("#ended-reason")).to_have_attribute("data-reason", "caller hung up")

    await page.select_option("#disposition", "resolved")
    await page.click("#btn-save-wrapup")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
    await expect(page.locator("#wrapup")).to_be_hidden()
    applied = await page.evaluate("window.deskDebug.applied.slice()")
    assert applied == list(range(1, len(applied) + 1))  # every event once, in order, from both nodes
    assert await page.evaluate("window.deskDebug.snapshots") == [0]  # caught up by replay, not a snapshot
    assert await page.evaluate("window.deskDebug.duplicates") == []
    async with session_factory(engine)() as session:
        calls = (
            await session.scalars(select(Activity).where(Activity.interaction_id == call_id, Activity.type == "call"))
        ).all()
    assert len(calls) == 1 and calls[0].disposition == "resolved"
