"""Per-agent event streams: a sequence number on every event and a bounded replay buffer.

A desktop remembers the last ``seq`` it applied. After a reconnect it asks for what came after;
the stream answers with the missed events in order, or ``None`` when it cannot know them (the
buffer rolled over, the process restarted, or the client's ``stream`` id belongs to another
process): the gateway then sends a fresh snapshot instead. Pure: no I/O, no clock.
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass
from typing import Any

DEFAULT_CAPACITY = 500


@dataclass(frozen=True)
class Position:
    """Where an agent's stream stands: its last ``seq``, its id, and (after a sync) what was missed."""

    seq: int
    stream: str
    events: list[dict[str, Any]] | None = None  # None: the gap is unknown, send a snapshot


@dataclass(frozen=True)
class Sent:
    seq: int
    event: str
    data: dict[str, Any]


class AgentStream:
    def __init__(self, stream_id: str, capacity: int = DEFAULT_CAPACITY) -> None:
        self.stream_id = stream_id
        self.seq = 0
        self._buffer: deque[Sent] = deque(maxlen=capacity)

    def record(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Number the event and keep it for replay; returns the wire data ``{**payload, seq, stream}``."""
        self.seq += 1
        data = {**payload, "seq": self.seq, "stream": self.stream_id}
        self._buffer.append(Sent(self.seq, event, data))
        return data

    def since(self, seq: int | None, stream_id: str | None = None) -> list[Sent] | None:
        """The events after ``seq`` in order; ``None`` when the gap is unknown (send a snapshot)."""
        if seq is None or (stream_id is not None and stream_id != self.stream_id):
            return None
        if seq < 0 or seq > self.seq:
            return None  # a seq this stream never issued: another process or a restart
        if seq == self.seq:
            return []
        oldest = self._buffer[0].seq if self._buffer else self.seq + 1
        if seq + 1 < oldest:
            return None  # the buffer has rolled over part of the gap
        return [sent for sent in self._buffer if sent.seq > seq]


class Streams:
    """One stream per agent, made on first use; ids are unique to this process run."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, run_id: str | None = None) -> None:
        self.capacity = capacity
        self.run_id = run_id or secrets.token_hex(4)
        self._streams: dict[int, AgentStream] = {}

    def get(self, user_id: int) -> AgentStream:
        stream = self._streams.get(user_id)
        if stream is None:
            stream = self._streams[user_id] = AgentStream(f"{self.run_id}-{user_id}", self.capacity)
        return stream
