"""Commands, events and queue definitions as JSON-ready dicts and back (the routing log, snapshots).

``{"kind": <class name>, "data": {field: value}}`` for commands and events; JSON has no
tuples, so lists come back as tuples in events (they are frozen and hashable) and as
plain mappings and lists in commands. Floats survive a JSON round trip exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from contact_center.domain.acd import commands as c
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.config import QueueConfig

Json = dict[str, Any]


def _types(module: Any, base: type) -> dict[str, type]:
    return {
        name: cls
        for name, cls in vars(module).items()
        if isinstance(cls, type) and issubclass(cls, base) and dataclasses.is_dataclass(cls)
    }


COMMAND_TYPES: dict[str, type[c.Command]] = _types(c, c.Command)
EVENT_TYPES: dict[str, type[ev.Event]] = _types(ev, ev.Event)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def fields_of(obj: Any) -> Json:
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def command_to_dict(command: c.Command) -> Json:
    return {"kind": type(command).__name__, "data": fields_of(command)}


def command_from_dict(raw: Mapping[str, Any]) -> c.Command:
    """Raises ``ValueError`` naming what is wrong (an unknown kind, fields that do not fit)."""
    cls = COMMAND_TYPES.get(str(raw.get("kind")))
    if cls is None:
        raise ValueError(f"unknown routing command {raw.get('kind')!r}")
    try:
        return cls(**dict(raw.get("data") or {}))
    except TypeError as exc:
        raise ValueError(f"routing command {cls.__name__}: {exc}") from None


def event_to_dict(event: ev.Event) -> Json:
    return {"kind": type(event).__name__, "data": fields_of(event)}


def event_from_dict(raw: Mapping[str, Any]) -> ev.Event:
    return event_from_row(str(raw["kind"]), raw["data"])


def event_from_row(kind: str, data: Mapping[str, Any]) -> ev.Event:
    return EVENT_TYPES[kind](**{k: _tuples(v) for k, v in data.items()})


def queue_to_dict(queue: QueueConfig) -> Json:
    data = fields_of(queue)
    data["exit_action"] = fields_of(queue.exit_action)
    data["escalation"] = [fields_of(rule) for rule in queue.escalation]
    return data


def queue_from_dict(raw: Mapping[str, Any]) -> QueueConfig:
    data = dict(raw)
    return QueueConfig.from_mapping(str(data.pop("id")), data)
