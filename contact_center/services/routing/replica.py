"""The inputs of the shared routing log and how a node applies them to its copy of the engine.

Every node keeps an ``Acd``; the leader applies each input first, then appends it to the log
with the events it produced, and every other node applies the same input at the same instant
to its copy. The engine is deterministic (time and randomness are inputs, the random
generator starts from the seed of the log's first entry), so the copies stay equal; a copy
whose events differ from the leader's is rebuilt from the snapshot.

Inputs (JSON): ``{"kind": "genesis", "seed": n}`` (a new cluster: an empty engine),
``{"kind": "command", "now": t, "command": {...}}``, ``{"kind": "advance", "now": t}``,
``{"kind": "reconcile", "now": t, "grace": g, "calls": [...], "agents": {...} | null}``,
``{"kind": "queue", "queue": {...}}`` (a queue definition), and ``{"kind": "none"}`` (a request
that could not be read: only its error is logged).
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contact_center.domain.acd import errors
from contact_center.domain.acd.codec import command_from_dict, event_from_dict, event_to_dict, queue_from_dict
from contact_center.domain.acd.errors import AcdError
from contact_center.domain.acd.events import Event
from contact_center.domain.acd.reconciler import LiveLegs, reconcile
from contact_center.domain.acd.router import Acd

Json = dict[str, Any]


class RoutingUnavailable(AcdError):
    """No routing leader answered in time (none elected yet, or it just died): try again shortly."""


class RoutingError(AcdError):
    """The leader refused a command for a reason that is not a routing rule (a bug, a version mismatch)."""


def error_to_dict(exc: BaseException) -> Json:
    return {"type": type(exc).__name__, "args": [str(a) for a in exc.args]}


def error_from_dict(raw: Mapping[str, Any]) -> AcdError:
    """The leader's error as the exception the caller would have had in-process."""
    cls = getattr(errors, str(raw.get("type")), None)
    args = [str(a) for a in raw.get("args", [])]
    if isinstance(cls, type) and issubclass(cls, AcdError):
        return cls(*args)
    return RoutingError(f"{raw.get('type')}: {'; '.join(args)}")


def apply_input(acd: Acd, inp: Mapping[str, Any]) -> tuple[Acd, list[Event], Json | None]:
    """Apply one input; returns the engine (a new one after ``genesis``), its events and its error."""
    kind = inp.get("kind")
    if kind == "genesis":
        return Acd(rng=random.Random(int(inp["seed"]))), [], None
    try:
        if kind == "command":
            return acd, acd.handle(command_from_dict(inp["command"]), float(inp["now"])), None
        if kind == "advance":
            return acd, acd.advance(float(inp["now"])), None
        if kind == "reconcile":
            legs = LiveLegs(calls=list(inp["calls"]), agents=inp["agents"])
            return acd, reconcile(acd, legs, float(inp["now"]), grace_seconds=float(inp["grace"])), None
        if kind == "queue":
            acd.configure_queue(queue_from_dict(inp["queue"]))
            return acd, [], None
    except Exception as exc:  # recorded with the input, so every copy sees the same refusal
        return acd, [], error_to_dict(exc)
    return acd, [], None  # "none"


@dataclass(frozen=True, slots=True)
class Entry:
    """One log entry as the nodes read it."""

    id: str
    prev: str  # the entry before it: a node that did not apply that one has missed something
    input: Json
    events: list[Json]
    error: Json | None
    cid: str  # the request's id, if a node asked for this command
    origin: str  # the node that asked
    request: str  # the request's id in the requests stream

    @classmethod
    def read(cls, entry_id: str, fields: Mapping[str, str]) -> Entry:
        return cls(
            entry_id,
            fields.get("prev", ""),
            json.loads(fields["input"]),
            json.loads(fields["events"]),
            json.loads(fields["error"]) if fields.get("error") else None,
            fields.get("cid", ""),
            fields.get("origin", ""),
            fields.get("req", ""),
        )

    def decoded_events(self) -> list[Event]:
        return [event_from_dict(e) for e in self.events]


def entry_fields(
    prev: str,
    inp: Json,
    events: list[Event],
    error: Json | None,
    *,
    node: str,
    cid: str = "",
    origin: str = "",
    request: str = "",
) -> dict[str, str]:
    return {
        "prev": prev,
        "node": node,
        "input": json.dumps(inp),
        "events": json.dumps([event_to_dict(e) for e in events]),
        "error": json.dumps(error) if error is not None else "",
        "cid": cid,
        "origin": origin,
        "req": request,
    }


def stream_id(value: str) -> tuple[int, int]:
    """Stream ids ("<ms>-<seq>") in their order."""
    ms, _, seq = value.partition("-")
    return int(ms or 0), int(seq or 0)
