"""CC_IVR_FLOW at start-up: a flow file anywhere is the one that runs; a missing or broken one stops the server."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.app import create_app
from contact_center.clock import FixedClock
from contact_center.config import Settings, SettingsError
from contact_center.seed.demo import ensure_reference
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.simulated import SimulatedTelephony
from contact_center.web.keys import FLOWS

from ...conftest import T0

HOTLINE = """\
start: hello
nodes:
  hello:
    say: "You reached the recall hotline."
    next: bye
  bye:
    hangup: true
"""


async def _start(settings: Settings, engine: AsyncEngine, tmp_path: Path) -> TestServer:
    port = SimulatedTelephony(PromptLibrary(tmp_path / "prompts"), speed=0.0)
    app = create_app(settings, clock=FixedClock(T0), engine=engine, telephony=port)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    return server


async def test_a_flow_file_outside_the_flows_folder_is_the_one_that_runs(
    settings: Settings, engine: AsyncEngine, tmp_path: Path
) -> None:
    await ensure_reference(engine, password="demo-password-1")
    elsewhere = tmp_path / "hotline"
    elsewhere.mkdir()
    (elsewhere / "recall.yaml").write_text(HOTLINE)
    server = await _start(dataclasses.replace(settings, ivr_flow=elsewhere / "recall.yaml"), engine, tmp_path)
    try:
        registry = server.app[FLOWS]
        assert registry.entry == "recall" and registry.flow_for("5000").entry == "recall"
    finally:
        await server.close()


async def test_a_missing_entry_flow_stops_start_up_naming_the_setting(
    settings: Settings, engine: AsyncEngine, tmp_path: Path
) -> None:
    await ensure_reference(engine, password="demo-password-1")
    with pytest.raises(SettingsError, match="CC_IVR_FLOW"):
        await _start(dataclasses.replace(settings, ivr_flow=tmp_path / "nowhere" / "main.yaml"), engine, tmp_path)
