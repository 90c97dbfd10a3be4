"""A small desk for routing tests: an Acd on a fake clock that keeps every event it produced."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import pytest

from contact_center.domain.acd import Acd, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.events import CallOffered, Event


class Desk:
    def __init__(self, *queues: QueueConfig, seed: int = 0) -> None:
        self.acd = Acd(queues or (QueueConfig("q"),), rng=random.Random(seed))
        self.now = 0.0
        self.log: list[Event] = []

    def do(self, command: c.Command, at: float | None = None) -> list[Event]:
        if at is not None:
            self.now = at
        events = self.acd.handle(command, self.now)
        self.log += events
        return events

    def tick(self, to: float) -> list[Event]:
        self.now = to
        events = self.acd.advance(to)
        self.log += events
        return events

    def agent(
        self,
        agent_id: str,
        tiers: Mapping[str, int] | None = None,
        skills: Mapping[str, int] | None = None,
        ready: bool = True,
        team: str | None = None,
    ) -> None:
        self.do(c.ConfigureAgent(agent_id, skills=dict(skills or {}), tiers=dict(tiers or {"q": 1}), team=team))
        self.do(c.LogIn(agent_id, ready=ready))

    def call(self, call_id: str, queue: str = "q", at: float | None = None, **kwargs: Any) -> list[Event]:
        return self.do(c.EnqueueCall(call_id, queue, **kwargs), at=at)

    def offers(self) -> list[tuple[str, str]]:
        """(call, agent) of every offer so far, in order."""
        return [(e.call_id, e.agent_id) for e in self.log if isinstance(e, CallOffered)]

    def offered_to(self, call_id: str) -> str | None:
        return self.acd.call(call_id).agent_id

    def state(self, agent_id: str) -> str:
        return self.acd.agent(agent_id).state_key

    def answer(self, call_id: str) -> None:
        self.do(c.AcceptOffer(self.acd.call(call_id).agent_id or "", call_id))

    def of_type(self, kind: type[Event]) -> list[Any]:
        return [e for e in self.log if isinstance(e, kind)]


@pytest.fixture
def desk() -> Desk:
    return Desk()


@pytest.fixture
def make_desk() -> type[Desk]:
    return Desk
