"""The notifier of a node among several: one numbering per agent for the whole cluster, kept in Redis.

Same contract as ``Notifier`` (docs/desktop.md): events carry ``seq`` and ``stream``, ``sync``
replays or snapshots, ``heartbeat`` reports the position. The difference is where it lives:
``RedisDeskStore.record`` numbers, buffers and publishes each event in one script, so whichever
node made an agent's event, the agent's desktops (on any node) see one gap-free sequence in
order. Events are recorded from one task per node, in the order the desk made them.

``annotate`` (given by the desk) says, at the moment an event is told, what it leaves behind
on the agent's desk and which call this node answers for; both are written with the event,
so a snapshot read after ``seq`` N reflects every event up to N (see ``services/desk/cluster.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import socketio

from contact_center.realtime.notifier import (
    AGENT_NAMESPACE,
    SUPERVISOR_NAMESPACE,
    SUPERVISORS_ROOM,
    Notifier,
    agent_room,
)
from contact_center.realtime.stream import Position, Streams
from contact_center.services.desk import Audience

log = logging.getLogger(__name__)
# What the desk writes beside an event (its state, the call a node answers for): opaque here.
N = TypeVar("N")
N_contra = TypeVar("N_contra", contravariant=True)
Annotator = Callable[[int, str, dict[str, Any]], N]


class Found(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def stream(self) -> str: ...
    @property
    def events(self) -> list[dict[str, Any]] | None: ...


class DeskStreams(Protocol[N_contra]):
    """Where the cluster's agent streams and board sequence live (``store.redis_desk.RedisDeskStore``)."""

    @property
    def capacity(self) -> int: ...

    async def record(
        self,
        user_id: int,
        event: str,
        payload: dict[str, Any],
        *,
        namespace: str,
        room: str,
        note: N_contra | None = None,
    ) -> tuple[int, str]: ...

    async def since(self, user_id: int, seq: int | None, stream: str | None) -> Found: ...

    async def restate(self, user_id: int, state: Any) -> None: ...

    async def record_board(self, event: str, payload: dict[str, Any], *, namespace: str, room: str) -> int: ...

    async def board_seq(self) -> int: ...


@dataclass(frozen=True)
class _Item(Generic[N]):
    user_id: int | None  # None: the board
    event: str | None  # None: no event, only ``restated`` written again
    payload: dict[str, Any]
    note: N | None
    restated: Any = None


class SharedNotifier(Notifier, Generic[N]):
    def __init__(
        self,
        sio: socketio.AsyncServer,
        store: DeskStreams[N],
        annotate: Annotator[N] | None = None,
        lost: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(sio, Streams(store.capacity))
        self.store = store
        self.annotate = annotate
        # Told when an agent's event could not be recorded: what it would have left behind is not in Redis.
        self.lost = lost
        self._items: asyncio.Queue[_Item[N]] = asyncio.Queue()

    def __call__(self, audience: Audience, event: str, payload: dict[str, Any]) -> None:
        kind, user_id = audience
        if kind == "agent" and user_id is not None:
            note = self.annotate(user_id, event, payload) if self.annotate is not None else None
            self._items.put_nowait(_Item(user_id, event, payload, note))
        elif kind == "supervisors":
            self._items.put_nowait(_Item(None, event, payload, None))
        else:
            log.warning("desk event %s for unknown audience %r dropped", event, audience)

    def restate(self, user_id: int, state: Any) -> None:
        """Write ``state`` (the desk's, opaque here) again for the agent, in order with the events told before."""
        self._items.put_nowait(_Item(user_id, None, {}, None, state))

    async def run(self) -> None:
        while True:
            item = await self._items.get()
            try:
                if item.event is None:
                    if item.user_id is not None:
                        await self.store.restate(item.user_id, item.restated)
                elif item.user_id is None:
                    await self.store.record_board(
                        item.event, item.payload, namespace=SUPERVISOR_NAMESPACE, room=SUPERVISORS_ROOM
                    )
                else:
                    await self.store.record(
                        item.user_id,
                        item.event,
                        item.payload,
                        namespace=AGENT_NAMESPACE,
                        room=agent_room(item.user_id),
                        note=item.note,
                    )
            except Exception:
                # Not numbered, not sent: the desk's next event or sync brings it up to date, and what the event
                # would have left behind is written again (``lost``).
                log.exception("could not record %s for %s in Redis", item.event, item.user_id or "the board")
                if item.user_id is not None and self.lost is not None:
                    self.lost(item.user_id)
            finally:
                self._items.task_done()

    async def drain(self) -> None:
        await self._items.join()

    async def since(self, user_id: int, seq: int | None, stream_id: str | None) -> Position:
        found = await self.store.since(user_id, seq, stream_id)
        return Position(found.seq, found.stream, found.events)

    async def board_position(self) -> int:
        return await self.store.board_seq()
