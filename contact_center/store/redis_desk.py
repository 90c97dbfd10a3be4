"""The agents' desks shared by several nodes through Redis: one numbering per agent, replay buffers,
what each node knows of each desk, which node answers for which call, and which nodes are alive.

Keys (``p`` = prefix, e.g. ``cc:desk``):
  ``p:a:{user}``      hash: ``seq`` (the agent's last sequence number), ``stream`` (the numbering's id)
  ``p:buf:{user}``    list: the agent's last ``capacity`` events, JSON ``{"event", "data"}``
  ``p:st:{user}``     hash: ``agent`` (the last agent.state_changed), ``phone`` (the last phone.status),
                      ``part:{node}`` (the node's view of the desk: offer, call, wrap-up) with ``part:{node}:seq``
  ``p:board``         the supervisor board's sequence number
  ``p:owner:{call}``  the node that holds the call (TTL, refreshed while the call lives)
  ``p:node:{node}``   present while the node runs (TTL, refreshed)

``record`` numbers an event, keeps it for replay, writes the desk state the event leaves behind,
marks the call's owner, and publishes the socket.io message on the gateway's Redis channel, all
in one script. Scripts run one at a time, so every node's sockets receive an agent's events in
``seq`` order whichever node made them, and a state read after ``seq`` N reflects every event up
to N. The published message is what socket.io's ``AsyncRedisManager`` itself publishes for an
emit (the format its write-only managers use to emit from other processes), with a ``host_id``
no server has, so every node, the emitting one included, delivers it to its own sockets.
One Redis (or one hash slot), not a cluster: the scripts build key names.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

AGENT_TTL_MS = 7 * 24 * 3600 * 1000  # an agent idle this long starts a new numbering (their desk takes a snapshot)
EMITTER = "cc-desk-stream"  # the host_id of published events: no socket.io server has it

_RECORD = """
local stream = redis.call('HGET', KEYS[1], 'stream')
if not stream then
  stream = ARGV[1]
  redis.call('HSET', KEYS[1], 'stream', stream)
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local data = ARGV[5] .. seq .. ARGV[6] .. '"' .. stream .. '"' .. ARGV[7]
redis.call('RPUSH', KEYS[2], ARGV[10] .. data .. ARGV[11])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
if ARGV[12] ~= '' then
  if ARGV[13] == '' then
    redis.call('HDEL', KEYS[3], ARGV[12], ARGV[12] .. ':seq')
  else
    redis.call('HSET', KEYS[3], ARGV[12], ARGV[13], ARGV[12] .. ':seq', seq)
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
if ARGV[14] ~= '' then redis.call('SET', KEYS[4], ARGV[14], 'PX', ARGV[15]) end
redis.call('PUBLISH', ARGV[4], ARGV[8] .. data .. ARGV[9])
return {seq, stream}
"""

_SINCE = """
local stream = redis.call('HGET', KEYS[1], 'stream')
if not stream then
  stream = ARGV[3]
  redis.call('HSET', KEYS[1], 'stream', stream, 'seq', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local since = tonumber(ARGV[1])
if since < 0 or (ARGV[2] ~= '' and ARGV[2] ~= stream) or since > seq then return {seq, stream, 0} end
local count = seq - since
if count == 0 then return {seq, stream, 1, {}} end
if count > redis.call('LLEN', KEYS[2]) then return {seq, stream, 0} end
return {seq, stream, 1, redis.call('LRANGE', KEYS[2], -count, -1)}
"""

# A node's view written again outside an event (Redis lost it, or the event that carried it was not
# recorded): stamped with the agent's current ``seq``, which is the last event it reflects.
_RESTATE = """
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[2], ARGV[1], ARGV[1] .. ':seq')
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2], ARGV[1] .. ':seq', seq)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return seq
"""

_BOARD = """
local seq = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2] .. seq .. ARGV[3])
return seq
"""

# The desk state of one agent, leaving out the parts of nodes that are no longer alive.
_STATE = """
local all = redis.call('HGETALL', KEYS[1])
local fields = {}
for i = 1, #all, 2 do fields[all[i]] = all[i + 1] end
local out = {fields['agent'] or '', fields['phone'] or ''}
for name, value in pairs(fields) do
  local node = string.match(name, '^part:([^:]+)$')
  if node and redis.call('EXISTS', ARGV[1] .. node) == 1 then
    table.insert(out, value)
    table.insert(out, fields[name .. ':seq'] or '0')
  end
end
return out
"""


@dataclass(frozen=True)
class StateWrite:
    """What an event leaves behind on the desk: ``field`` set to ``value`` (JSON text), or removed (None)."""

    field: str
    value: str | None


@dataclass(frozen=True)
class Annotation:
    """What to write with an event: desk state, and the call this node answers for (call id, node id, TTL s)."""

    state: StateWrite | None = None
    owner: tuple[str, str, float] | None = None


@dataclass(frozen=True)
class DeskState:
    agent: dict[str, Any] | None
    phone: dict[str, Any] | None
    parts: list[tuple[int, dict[str, Any]]]  # (seq of the event that wrote it, the node's view), live nodes only


@dataclass(frozen=True)
class Position:
    seq: int
    stream: str
    events: list[dict[str, Any]] | None  # None: the gap is unknown (send a snapshot)


class RedisDeskStore:
    def __init__(self, client: aioredis.Redis, prefix: str, *, channel: str, capacity: int = 500) -> None:
        self.client, self.prefix, self.channel, self.capacity = client, prefix, channel, capacity
        self._record = client.register_script(_RECORD)
        self._since = client.register_script(_SINCE)
        self._board = client.register_script(_BOARD)
        self._state = client.register_script(_STATE)
        self._restate = client.register_script(_RESTATE)

    def key(self, kind: str, name: object) -> str:
        return f"{self.prefix}:{kind}:{name}"

    # -- the agents' streams ----------------------------------------------------------------
    async def record(
        self,
        user_id: int,
        event: str,
        payload: dict[str, Any],
        *,
        namespace: str,
        room: str,
        note: Annotation | None = None,
    ) -> tuple[int, str]:
        """Number and publish one event to an agent, with what ``note`` says to write beside it."""
        state, owner = (None, None) if note is None else (note.state, note.owner)
        d0, d1, d2 = _data_template(payload)
        m0, m1 = _message_template(event, namespace, room)
        e0, e1 = '{"event": ' + json.dumps(event) + ', "data": ', "}"
        field, value = ("", "") if state is None else (state.field, state.value or "")
        call_id, node, ttl = owner or ("", "", 0.0)
        keys = [self.key("a", user_id), self.key("buf", user_id), self.key("st", user_id), self.key("owner", call_id)]
        args: list[str | int] = [
            _stream_token(user_id),
            self.capacity,
            AGENT_TTL_MS,
            self.channel,
            d0,
            d1,
            d2,
            m0,
            m1,
            e0,
            e1,
            field,
            value,
            node,
            int(ttl * 1000),
        ]
        seq, stream = await self._record(keys=keys, args=args)
        return int(seq), str(stream)

    async def restate(self, user_id: int, state: StateWrite) -> None:
        """Write ``state`` again without an event, as of the agent's last ``seq``."""
        keys = [self.key("a", user_id), self.key("st", user_id)]
        await self._restate(keys=keys, args=[state.field, state.value or "", AGENT_TTL_MS])

    async def since(self, user_id: int, seq: int | None, stream: str | None) -> Position:
        """The agent's position, and the events after ``seq`` of ``stream`` when the buffer still holds them."""
        args: list[str | int] = [-1 if seq is None else seq, stream or "", _stream_token(user_id), AGENT_TTL_MS]
        raw = await self._since(keys=[self.key("a", user_id), self.key("buf", user_id)], args=args)
        events = [json.loads(item) for item in raw[3]] if int(raw[2]) == 1 else None
        return Position(int(raw[0]), str(raw[1]), events)

    async def state(self, user_id: int) -> DeskState:
        raw = await self._state(keys=[self.key("st", user_id)], args=[f"{self.prefix}:node:"])
        parts = [(int(raw[i + 1]), json.loads(raw[i])) for i in range(2, len(raw), 2)]
        return DeskState(json.loads(raw[0]) if raw[0] else None, json.loads(raw[1]) if raw[1] else None, parts)

    # -- the board ------------------------------------------------------------------------------
    async def record_board(self, event: str, payload: dict[str, Any], *, namespace: str, room: str) -> int:
        text = json.dumps(payload)
        d0, d1 = text[:-1] + (", " if payload else "") + '"seq": ', "}"
        m0, m1 = _message_template(event, namespace, room)
        return int(await self._board(keys=[f"{self.prefix}:board"], args=[self.channel, m0 + d0, d1 + m1]))

    async def board_seq(self) -> int:
        return int(await self.client.get(f"{self.prefix}:board") or 0)

    # -- owners and nodes -------------------------------------------------------------------------
    async def owner(self, call_id: str) -> str | None:
        value = await self.client.get(self.key("owner", call_id))
        return None if value is None else str(value)

    async def own(self, call_ids: list[str], node_id: str, ttl_seconds: float) -> None:
        if call_ids:
            async with self.client.pipeline(transaction=False) as pipe:
                for call_id in call_ids:
                    pipe.set(self.key("owner", call_id), node_id, px=int(ttl_seconds * 1000))
                await pipe.execute()

    async def alive(self, node_id: str, ttl_seconds: float) -> bool:
        """Mark the node alive; False when its mark was not there (first start, or Redis lost what it held)."""
        before = await self.client.set(self.key("node", node_id), "1", px=int(ttl_seconds * 1000), get=True)
        return before is not None

    async def gone(self, node_id: str) -> None:
        await self.client.delete(self.key("node", node_id))

    async def desktops(self, node_id: str, counts: dict[int, int], ttl_seconds: float) -> None:
        """The agents with a desktop connected to this node (replacing what it said before); gone with the node."""
        key = self.key("desktops", node_id)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if counts:
                pipe.hset(key, mapping={str(user): count for user, count in counts.items()})
                pipe.pexpire(key, int(ttl_seconds * 1000))
            await pipe.execute()

    async def desktop_elsewhere(self, user_id: int, node_id: str) -> bool:
        """Whether a live node other than ``node_id`` has a desktop of the agent connected."""
        for node in await self.live_nodes():
            if node != node_id and await self.client.hexists(self.key("desktops", node), str(user_id)):
                return True
        return False

    async def live_nodes(self) -> list[str]:
        start = len(self.key("node", ""))
        found = [str(k)[start:] async for k in self.client.scan_iter(match=self.key("node", "*"), count=1000)]
        return sorted(found)


def _stream_token(user_id: int) -> str:
    # Used only when the agent has no numbering yet (new, or Redis lost it): a new id tells desks to resync.
    return f"{secrets.token_hex(4)}-{user_id}"


def _data_template(payload: dict[str, Any]) -> tuple[str, str, str]:
    """``{**payload, "seq": N, "stream": S}`` as text around the two values the script fills in."""
    text = json.dumps(payload)
    return text[:-1] + (", " if payload else "") + '"seq": ', ', "stream": ', "}"


def _message_template(event: str, namespace: str, room: str) -> tuple[str, str]:
    """socket.io's pub/sub message for ``emit(event, DATA, to=room, namespace=namespace)``, around DATA."""
    head = '{"method": "emit", "event": ' + json.dumps(event) + ', "data": ['
    tail = (
        '], "binary": false, "namespace": '
        + json.dumps(namespace)
        + ', "room": '
        + json.dumps(room)
        + ', "skip_sid": null, "callback": null, "host_id": '
        + json.dumps(EMITTER)
        + "}"
    )
    return head, tail
