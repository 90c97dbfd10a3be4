"""The IVR trail: what happened in one IVR session, for the timeline and the screen-pop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from contact_center.domain.ivr.template import Value


# Tuples, not frozen dataclasses: the interpreter makes one per answer and a frozen
# dataclass's __init__ costs about three times as much (see `contact-center bench ivr`).
class TrailInput(NamedTuple):
    """One answer from the caller: ``kind`` is ``digits`` or ``timeout``; ``ok`` is false when rejected."""

    node: str
    kind: str
    value: str
    ok: bool


class TrailAnswer(NamedTuple):
    """One self-service look-up: what was asked (``kind``, ``key``) and what the CRM said."""

    node: str
    kind: str
    key: str
    found: bool
    values: Mapping[str, Value] = MappingProxyType({})


class IvrTrail(NamedTuple):
    flow: str
    version: str
    caller: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    path: tuple[str, ...]
    inputs: tuple[TrailInput, ...]
    answers: tuple[TrailAnswer, ...]
    prompts: tuple[str, ...]
    variables: Mapping[str, Value]
    outcome: str
    labels: Mapping[str, str] = MappingProxyType({})  # path entry -> the node's human label, where it has one

    @property
    def customer_id(self) -> int | None:
        value = self.variables.get("customer.id")
        if isinstance(value, bool) or value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return None

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "version": self.version,
            "caller": self.caller,
            "customer_id": self.customer_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "path": list(self.path),
            "labels": dict(self.labels),
            "inputs": [{"node": i.node, "kind": i.kind, "value": i.value, "ok": i.ok} for i in self.inputs],
            "answers": [
                {"node": a.node, "kind": a.kind, "key": a.key, "found": a.found, "values": dict(a.values)}
                for a in self.answers
            ],
            "prompts": list(self.prompts),
            "variables": dict(self.variables),
            "outcome": self.outcome,
        }

    def to_activity(self) -> dict[str, Any]:
        """The fields of an ``ivr`` activity for the customer's timeline (column name → value)."""
        answered = [a for a in self.answers if a.found and a.kind in ("order", "case")]
        subject = f"IVR {self.flow}: {self.outcome}"
        if answered:
            subject += " (self-service: " + ", ".join(f"{a.kind} {a.key}" for a in answered) + ")"
        return {
            "type": "ivr",
            "channel": "phone",
            "direction": "inbound",
            "subject": subject[:300],
            "customer_id": self.customer_id,
            "outcome": self.outcome,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "details": self.to_dict(),
        }
