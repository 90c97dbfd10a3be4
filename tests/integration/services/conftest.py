"""The real call center on the simulated telephony adapter, with the demo's reference data (agents `agent`,
2001, and `ava`, 2002, among others; all offline until a test makes them ready)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CustomerCreate
from contact_center.flows.registry import FlowRegistry
from contact_center.flows.sql_directory import SqlDirectory
from contact_center.seed.demo import ensure_reference
from contact_center.services.board.alerts import BoardAlerts
from contact_center.services.calls.center import CallCenter
from contact_center.services.routing.service import AcdService
from contact_center.store.engine import session_factory
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.simulated import SimulatedTelephony

FLOWS = Path(__file__).resolve().parents[3] / "ivr_flows"


async def until(check: Callable[[], Any], what: str, seconds: float = 20.0) -> Any:
    async with asyncio.timeout(seconds):
        while not (result := check()):  # noqa: ASYNC110 - the services run on; the test only watches
            await asyncio.sleep(0.01)
    return result


async def until_async(check: Callable[[], Any], what: str, seconds: float = 20.0) -> Any:
    """``until`` for a check that must await (one that reads the database the services write to)."""
    async with asyncio.timeout(seconds):
        while not (result := await check()):  # noqa: ASYNC110 - polling the database the services write to
            await asyncio.sleep(0.05)
    return result


def said(heard: list[tuple[Any, str, dict[str, Any]]], user_id: int, event: str) -> list[dict[str, Any]]:
    """What the desk told one agent's desktop, of one event, in order."""
    return [p for a, e, p in heard if e == event and a == ("agent", user_id)]


@pytest.fixture
async def center(engine: AsyncEngine, clock: Any, tmp_path: Path) -> AsyncIterator[Any]:
    await ensure_reference(engine, password="demo-password-1")
    async with session_factory(engine).begin() as session:
        await create_customer(
            session, CustomerCreate(first_name="Maria", last_name="Garcia", phones=["(415) 555-0142"]), "US"
        )
    async with running_center(engine, clock, tmp_path, FLOWS) as running:
        yield running


@contextlib.asynccontextmanager
async def running_center(engine: AsyncEngine, clock: Any, tmp_path: Path, flows: Path) -> AsyncIterator[Any]:
    """The call center started on the simulated adapter with the flows in ``flows``: (center, port, heard)."""
    registry = FlowRegistry(flows)
    assert registry.reload() == []
    port = SimulatedTelephony(PromptLibrary(tmp_path / "prompts"), speed=0.0)
    acd = AcdService(engine, clock, rng=random.Random(3))
    center = CallCenter(
        engine=engine,
        clock=clock,
        acd=acd,
        port=port,
        flows=registry,
        directory=SqlDirectory(session_factory(engine), clock),
        region="US",
        var_dir=tmp_path,
    )
    heard: list[tuple[Any, str, dict[str, Any]]] = []
    center.subscribe(lambda audience, event, payload: heard.append((audience, event, payload)))
    # The board's alerts (a queue rule's alert is kept and pushed by them); judged only when a test asks.
    alerts = BoardAlerts(engine=engine, clock=clock, acd=acd, announce=center.announce, check_seconds=3600)
    await acd.start()
    await port.start()
    await center.start()
    await alerts.start()
    try:
        yield center, port, heard
    finally:
        await alerts.stop()
        await center.stop()
        await port.stop()
        await acd.stop()
