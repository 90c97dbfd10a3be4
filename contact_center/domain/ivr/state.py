"""The state of one IVR session between two inputs: immutable, cheap to copy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal, NamedTuple

from contact_center.domain.ivr.actions import FlowEnd
from contact_center.domain.ivr.model import Flow, FlowSet
from contact_center.domain.ivr.template import Value
from contact_center.domain.ivr.trail import TrailAnswer, TrailInput

Waiting = Literal["start", "digits", "lookup", "calendar", "done"]


class SessionState(NamedTuple):
    """Where a call is in its flow.

    ``flows`` is the bundle the call started with: reloading files makes new bundles
    and never touches this one. ``stack`` holds (flow, node to continue at) for each
    sub-flow being run. ``failures`` counts invalid or missing answers at the current
    prompt; ``inputs`` counts every answer, against the flow's ``max_inputs``.
    """

    flows: FlowSet
    entry: str
    flow: Flow
    node: str
    waiting: Waiting
    variables: Mapping[str, Value]
    failures: int = 0
    inputs: int = 0
    stack: tuple[tuple[str, str], ...] = ()
    started_at: dt.datetime | None = None
    path: tuple[str, ...] = ()
    trail_inputs: tuple[TrailInput, ...] = ()
    answers: tuple[TrailAnswer, ...] = ()
    prompts: tuple[str, ...] = ()
    end: FlowEnd | None = None

    @property
    def done(self) -> bool:
        return self.end is not None

    @property
    def language(self) -> str:
        value = self.variables.get("language")
        return value if isinstance(value, str) and value else self.flow.default_language


def initial_state(flows: FlowSet, entry: str) -> SessionState:
    """A session about to start ``entry``; feed it ``Start`` to get the first actions."""
    flow = flows[entry]
    return SessionState(flows=flows, entry=entry, flow=flow, node=flow.start, waiting="start", variables={})
