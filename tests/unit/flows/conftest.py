"""The shipped flows and the demo CRM, for simulator and registry tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.demo import demo_directory
from contact_center.flows.memory_directory import InMemoryDirectory
from contact_center.flows.validator import validate_paths

SHIPPED = Path(__file__).parents[3] / "ivr_flows"


@pytest.fixture(scope="session")
def shipped() -> FlowSet:
    result = validate_paths([SHIPPED])
    assert result.ok, [str(p) for p in result.problems]
    return FlowSet.of(*result.flows.values())


@pytest.fixture
def crm() -> InMemoryDirectory:
    return demo_directory()


@pytest.fixture
def open_at() -> dt.datetime:
    return dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)  # Monday 10:00 New York
