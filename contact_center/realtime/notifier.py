"""The one exit to browsers: every desk event becomes a numbered socket.io event, sent in order."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import socketio

from contact_center.realtime.stream import Position, Streams
from contact_center.services.desk import Audience

log = logging.getLogger(__name__)

AGENT_NAMESPACE = "/agent"
SUPERVISOR_NAMESPACE = "/supervisor"
SUPERVISORS_ROOM = "supervisors"


def agent_room(user_id: int) -> str:
    return f"agent:{user_id}"


@dataclass(frozen=True)
class Outgoing:
    namespace: str
    room: str
    event: str
    data: dict[str, Any]


class Notifier:
    """Subscribed to the desk (a ``DeskListener``): numbers agent events, keeps them for replay, and
    emits everything from one task so a desktop receives events in the order the desk made them."""

    def __init__(self, sio: socketio.AsyncServer, streams: Streams) -> None:
        self._sio = sio
        self.streams = streams
        self.board_seq = 0
        self._queue: asyncio.Queue[Outgoing] = asyncio.Queue()

    def __call__(self, audience: Audience, event: str, payload: dict[str, Any]) -> None:
        kind, user_id = audience
        if kind == "agent" and user_id is not None:
            data = self.streams.get(user_id).record(event, payload)
            self._queue.put_nowait(Outgoing(AGENT_NAMESPACE, agent_room(user_id), event, data))
        elif kind == "supervisors":
            self.board_seq += 1
            data = {**payload, "seq": self.board_seq}
            self._queue.put_nowait(Outgoing(SUPERVISOR_NAMESPACE, SUPERVISORS_ROOM, event, data))
        else:
            log.warning("desk event %s for unknown audience %r dropped", event, audience)

    async def run(self) -> None:
        """Send queued events one after another until cancelled."""
        while True:
            item = await self._queue.get()
            try:
                await self._sio.emit(item.event, item.data, to=item.room, namespace=item.namespace)
            except Exception:
                # A lost send is recovered by the desktop's seq check; the pump must go on.
                log.exception("could not send %s to %s", item.event, item.room)
            finally:
                self._queue.task_done()

    async def drain(self) -> None:
        """Wait until everything queued so far has been handed to socket.io (tests, shutdown)."""
        await self._queue.join()

    # -- what the gateway reads (async: the shared notifier reads Redis) ---------------------------
    async def since(self, user_id: int, seq: int | None, stream_id: str | None) -> Position:
        """The agent's position and the events after ``seq``, or ``events=None`` when the gap is unknown."""
        stream = self.streams.get(user_id)
        missed = stream.since(seq, stream_id)
        events = None if missed is None else [{"event": sent.event, "data": sent.data} for sent in missed]
        return Position(stream.seq, stream.stream_id, events)

    async def board_position(self) -> int:
        return self.board_seq
