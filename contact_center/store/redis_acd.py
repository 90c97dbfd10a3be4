"""Shared routing state in Redis: waiting calls, agent states and atomic assignment across nodes.

Used when ``CC_REDIS_URL`` is set. Every state change is one Lua script, so Redis runs
it atomically: a call is reserved only if it is still waiting, an agent only if still
available, both in the same step. Hence a call is never offered to two agents and an
agent never holds two offers, however many nodes assign at once. Each script can also
append to an audit list (``{prefix}:audit``) in the same atomic step, so the order of
offers and releases across nodes can be checked afterwards.

Keys (``p`` = prefix):
  ``p:call:{id}``   hash: state (queued|offered|connected), queue, score, agent
  ``p:q:{queue}``   sorted set of waiting call ids; score = (1000 - priority) * 2**42 + enqueue ms
  ``p:agent:{id}``  hash: state (available|reserved|busy|away), call, queues (space separated)
  ``p:avail:{q}``   sorted set of available agents of queue q by idle-since ms (longest idle first)
  ``p:lease``       the routing writer lease (node id, with a TTL)
Keys are built inside the scripts, so this targets a single Redis (or one hash slot), not a cluster.

``RedisRoutingLog`` is the other way to share routing, the one the server uses
(``services/routing/shared.py``): one node holds the lease and runs the engine; its inputs and
their events go to a stream every node replays. Keys (``p`` = prefix):
  ``p:lease``       node id of the routing leader, with a TTL (renewed by the leader)
  ``p:log``         stream of the leader's inputs with their events, in the engine's order
  ``p:requests``    stream of commands from the other nodes, for the leader to run
  ``p:snapshot``    the engine as JSON with the log entry it includes, for nodes that join
  ``p:db_written``  the last log entry whose events are in the ``acd_events`` table
  ``p:legs:{node}`` each node's live call legs (JSON, with a TTL), for the reconciler
Every write only the leader may make is a script that first checks ``p:lease``: a node that
lost the lease (paused, partitioned) cannot append, so the log has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis

MAX_PRIORITY = 1000
_PRIO_SHIFT = 2**42

_COMMON = """
local p = ARGV[1]
local audit = ARGV[2] == '1'
local function log(entry) if audit then redis.call('RPUSH', p .. ':audit', entry) end end
local function unavail(agent)
  local qs = redis.call('HGET', p .. ':agent:' .. agent, 'queues') or ''
  for q in string.gmatch(qs, '%S+') do redis.call('ZREM', p .. ':avail:' .. q, agent) end
end
local function avail(agent, idle)
  local key = p .. ':agent:' .. agent
  redis.call('HSET', key, 'state', 'available', 'call', '')
  local qs = redis.call('HGET', key, 'queues') or ''
  for q in string.gmatch(qs, '%S+') do redis.call('ZADD', p .. ':avail:' .. q, idle, agent) end
end
local function reserve(call, agent, queue)
  redis.call('ZREM', p .. ':q:' .. queue, call)
  redis.call('HSET', p .. ':call:' .. call, 'state', 'offered', 'agent', agent)
  unavail(agent)
  redis.call('HSET', p .. ':agent:' .. agent, 'state', 'reserved', 'call', call)
  log('offer ' .. call .. ' ' .. agent)
end
"""

_ENQUEUE = (
    _COMMON
    + """
local call, queue, score = ARGV[3], ARGV[4], ARGV[5]
local key = p .. ':call:' .. call
if redis.call('EXISTS', key) == 1 then return 0 end
redis.call('HSET', key, 'state', 'queued', 'queue', queue, 'score', score, 'agent', '')
redis.call('ZADD', p .. ':q:' .. queue, score, call)
return 1
"""
)

_AGENT_READY = (
    _COMMON
    + """
local agent, queues, idle = ARGV[3], ARGV[4], ARGV[5]
local key = p .. ':agent:' .. agent
local state = redis.call('HGET', key, 'state')
if state == 'reserved' or state == 'busy' then return 0 end
unavail(agent)
redis.call('HSET', key, 'queues', queues)
avail(agent, idle)
return 1
"""
)

_RESERVE = (
    _COMMON
    + """
local call, agent = ARGV[3], ARGV[4]
local ckey = p .. ':call:' .. call
if redis.call('HGET', ckey, 'state') ~= 'queued' then return 0 end
if redis.call('HGET', p .. ':agent:' .. agent, 'state') ~= 'available' then return 0 end
reserve(call, agent, redis.call('HGET', ckey, 'queue'))
return 1
"""
)

_ASSIGN_NEXT = (
    _COMMON
    + """
-- The oldest waiting call (by priority, then enqueue time) among the queues that have a free agent,
-- given to that queue's longest-idle agent.
local best_call, best_score, best_agent, best_queue
for i = 3, #ARGV do
  local q = ARGV[i]
  local head = redis.call('ZRANGE', p .. ':q:' .. q, 0, 0, 'WITHSCORES')
  if head[1] and (best_score == nil or tonumber(head[2]) < best_score) then
    local free = redis.call('ZRANGE', p .. ':avail:' .. q, 0, 0)
    if free[1] then best_call, best_score, best_agent, best_queue = head[1], tonumber(head[2]), free[1], q end
  end
end
if not best_call then return false end
reserve(best_call, best_agent, best_queue)
return {best_call, best_agent}
"""
)

_ACCEPT = (
    _COMMON
    + """
local agent, call = ARGV[3], ARGV[4]
local akey = p .. ':agent:' .. agent
if redis.call('HGET', akey, 'state') ~= 'reserved' or redis.call('HGET', akey, 'call') ~= call then return 0 end
redis.call('HSET', akey, 'state', 'busy')
redis.call('HSET', p .. ':call:' .. call, 'state', 'connected')
log('accept ' .. call .. ' ' .. agent)
return 1
"""
)

_REJECT = (
    _COMMON
    + """
local agent, call, idle = ARGV[3], ARGV[4], ARGV[5]
local akey = p .. ':agent:' .. agent
if redis.call('HGET', akey, 'state') ~= 'reserved' or redis.call('HGET', akey, 'call') ~= call then return 0 end
local ckey = p .. ':call:' .. call
redis.call('HSET', ckey, 'state', 'queued', 'agent', '')
redis.call('ZADD', p .. ':q:' .. redis.call('HGET', ckey, 'queue'), redis.call('HGET', ckey, 'score'), call)
log('release ' .. agent .. ' ' .. call)
avail(agent, idle)
return 1
"""
)

_FINISH = (
    _COMMON
    + """
-- The agent's call is over (or the agent goes away): forget the call, free or park the agent.
local agent, idle, ready = ARGV[3], ARGV[4], ARGV[5] == '1'
local akey = p .. ':agent:' .. agent
local state = redis.call('HGET', akey, 'state')
if state ~= 'busy' and state ~= 'reserved' then return 0 end
local call = redis.call('HGET', akey, 'call')
if state == 'reserved' then
  local ckey = p .. ':call:' .. call
  redis.call('HSET', ckey, 'state', 'queued', 'agent', '')
  redis.call('ZADD', p .. ':q:' .. redis.call('HGET', ckey, 'queue'), redis.call('HGET', ckey, 'score'), call)
else
  redis.call('DEL', p .. ':call:' .. call)
end
log('release ' .. agent .. ' ' .. call)
if ready then avail(agent, idle) else redis.call('HSET', akey, 'state', 'away', 'call', '') end
return 1
"""
)

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


def score(priority: int, enqueued_at: float) -> int:
    """Sort key as one integer exact in a double: higher priority first, then earlier enqueue time."""
    prio = min(max(priority, 0), MAX_PRIORITY)
    return (MAX_PRIORITY - prio) * _PRIO_SHIFT + int(enqueued_at * 1000) % _PRIO_SHIFT


class RedisAcdStore:
    """Waiting calls and agent states shared by every node; all changes are atomic scripts."""

    def __init__(self, client: aioredis.Redis, prefix: str = "cc:acd", *, audit: bool = False) -> None:
        self.client = client
        self.prefix = prefix
        self._audit = "1" if audit else "0"
        self._scripts = {
            name: client.register_script(source)
            for name, source in {
                "enqueue": _ENQUEUE,
                "ready": _AGENT_READY,
                "reserve": _RESERVE,
                "assign": _ASSIGN_NEXT,
                "accept": _ACCEPT,
                "reject": _REJECT,
                "finish": _FINISH,
                "renew": _RENEW,
            }.items()
        }

    @classmethod
    def from_url(cls, url: str, prefix: str = "cc:acd", *, audit: bool = False) -> RedisAcdStore:
        return cls(aioredis.from_url(url, decode_responses=True), prefix, audit=audit)

    async def close(self) -> None:
        await self.client.aclose()

    async def _run(self, name: str, *args: Any) -> Any:
        return await self._scripts[name](keys=[], args=[self.prefix, self._audit, *args])

    async def enqueue(self, call_id: str, queue_id: str, priority: int, enqueued_at: float) -> bool:
        """False if the call is already known (waiting, offered or connected)."""
        return bool(await self._run("enqueue", call_id, queue_id, score(priority, enqueued_at)))

    async def agent_ready(self, agent_id: str, queue_ids: Sequence[str], now: float) -> bool:
        """Available for these queues; False (nothing changed) if the agent holds an offer or a call."""
        return bool(await self._run("ready", agent_id, " ".join(queue_ids), int(now * 1000)))

    async def reserve(self, call_id: str, agent_id: str) -> bool:
        """Offer this call to this agent if the call still waits and the agent is still free (else False)."""
        return bool(await self._run("reserve", call_id, agent_id))

    async def assign_next(self, queue_ids: Sequence[str]) -> tuple[str, str] | None:
        """Atomically reserve the oldest waiting call of these queues and its queue's longest-idle agent."""
        got = await self._run("assign", *queue_ids)
        return (str(got[0]), str(got[1])) if got else None

    async def accept(self, agent_id: str, call_id: str) -> bool:
        return bool(await self._run("accept", agent_id, call_id))

    async def reject(self, agent_id: str, call_id: str, now: float) -> bool:
        """The call goes back to its place; the agent is free again."""
        return bool(await self._run("reject", agent_id, call_id, int(now * 1000)))

    async def finish(self, agent_id: str, now: float, *, ready: bool = True) -> bool:
        """End the agent's call (an unanswered offer goes back to the queue); free the agent or park them."""
        return bool(await self._run("finish", agent_id, int(now * 1000), "1" if ready else "0"))

    async def waiting(self, queue_id: str) -> list[str]:
        return [str(c) for c in await self.client.zrange(f"{self.prefix}:q:{queue_id}", 0, -1)]

    async def agent_state(self, agent_id: str) -> dict[str, str]:
        raw = await self.client.hgetall(f"{self.prefix}:agent:{agent_id}")
        return {str(k): str(v) for k, v in raw.items()}

    async def audit_log(self) -> list[str]:
        return [str(e) for e in await self.client.lrange(f"{self.prefix}:audit", 0, -1)]

    # -- the single-writer lease (one node runs the in-process router; the others follow) --
    async def acquire_lease(self, node_id: str, ttl_seconds: float) -> bool:
        return bool(await self.client.set(f"{self.prefix}:lease", node_id, nx=True, px=int(ttl_seconds * 1000)))

    async def renew_lease(self, node_id: str, ttl_seconds: float) -> bool:
        renew = self._scripts["renew"]
        return bool(await renew(keys=[f"{self.prefix}:lease"], args=[node_id, int(ttl_seconds * 1000)]))

    async def delete_all(self) -> int:
        """Remove every key under the prefix (tests, benchmarks)."""
        deleted = 0
        async for key in self.client.scan_iter(match=f"{self.prefix}:*", count=1000):
            deleted += int(await self.client.delete(key))
        return deleted


_FENCED_XADD = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
"""
_FENCED_SET = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
Entry = tuple[str, dict[str, str]]
LOG_MAXLEN = 1_000_000  # a safety cap; snapshots trim the log long before


class RedisRoutingLog:
    """The routing leader's lease, its log of inputs and events, the followers' requests, snapshots."""

    def __init__(self, client: aioredis.Redis, node_id: str, prefix: str = "cc:acd") -> None:
        self.client = client
        self.node_id = node_id
        self.prefix = prefix
        self.keys = {name: f"{prefix}:{name}" for name in ("lease", "log", "requests", "snapshot", "db_written")}
        self._xadd = client.register_script(_FENCED_XADD)
        self._set = client.register_script(_FENCED_SET)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, node_id: str, prefix: str = "cc:acd") -> RedisRoutingLog:
        return cls(aioredis.from_url(url, decode_responses=True), node_id, prefix)

    async def close(self) -> None:
        await self.client.aclose()

    # -- the lease ---------------------------------------------------------------------
    async def acquire(self, ttl_seconds: float) -> bool:
        return bool(await self.client.set(self.keys["lease"], self.node_id, nx=True, px=int(ttl_seconds * 1000)))

    async def renew(self, ttl_seconds: float) -> bool:
        return bool(await self._renew(keys=[self.keys["lease"]], args=[self.node_id, int(ttl_seconds * 1000)]))

    async def release(self) -> None:
        await self._release(keys=[self.keys["lease"]], args=[self.node_id])

    async def leader(self) -> str | None:
        value = await self.client.get(self.keys["lease"])
        return None if value is None else str(value)

    # -- the log -----------------------------------------------------------------------
    async def append(self, fields: dict[str, str]) -> str | None:
        """Add an entry if this node holds the lease; None (nothing written) if it does not."""
        flat = [item for pair in fields.items() for item in pair]
        got = await self._xadd(keys=[self.keys["lease"], self.keys["log"]], args=[self.node_id, LOG_MAXLEN, *flat])
        return None if got is None else str(got)

    async def read(self, after: str, *, count: int = 500, block_ms: int | None = None) -> list[Entry]:
        """Entries after ``after``, oldest first; with ``block_ms``, waits that long for one to come."""
        if block_ms is None:
            return _items(await self.client.xrange(self.keys["log"], min=f"({after}", count=count))
        return _streams(await self.client.xread({self.keys["log"]: after}, count=count, block=block_ms))

    async def last_id(self) -> str:
        raw = await self.client.xrevrange(self.keys["log"], count=1)
        return str(raw[0][0]) if raw else "0-0"

    async def trim(self, log_min_id: str, requests_min_id: str) -> None:
        await self.client.xtrim(self.keys["log"], minid=log_min_id, approximate=False)
        await self.client.xtrim(self.keys["requests"], minid=requests_min_id, approximate=False)

    # -- requests from the followers ---------------------------------------------------
    async def submit(self, fields: dict[str, str]) -> str:
        data: Any = fields
        return str(await self.client.xadd(self.keys["requests"], data, maxlen=100_000, approximate=True))

    async def requests(self, after: str, *, count: int = 100, block_ms: int = 500) -> list[Entry]:
        return _streams(await self.client.xread({self.keys["requests"]: after}, count=count, block=block_ms))

    # -- snapshot, the database mark, live legs ----------------------------------------
    async def fenced_set(self, name: str, value: str) -> bool:
        return bool(await self._set(keys=[self.keys["lease"], self.keys[name]], args=[self.node_id, value]))

    async def get(self, name: str) -> str | None:
        value = await self.client.get(self.keys[name])
        return None if value is None else str(value)

    async def publish_legs(self, payload: str, ttl_seconds: float) -> None:
        await self.client.set(f"{self.prefix}:legs:{self.node_id}", payload, px=int(ttl_seconds * 1000))

    async def all_legs(self) -> list[str]:
        keys = [k async for k in self.client.scan_iter(match=f"{self.prefix}:legs:*", count=1000)]
        values = await self.client.mget(keys) if keys else []
        return [str(v) for v in values if v is not None]

    async def delete_all(self) -> int:
        """Remove every key under the prefix (tests)."""
        deleted = 0
        async for key in self.client.scan_iter(match=f"{self.prefix}:*", count=1000):
            deleted += int(await self.client.delete(key))
        return deleted


def _items(raw: Any) -> list[Entry]:
    return [(str(i), {str(k): str(v) for k, v in f.items()}) for i, f in raw or []]


def _streams(raw: Any) -> list[Entry]:
    """XREAD's answer (a list of [stream, items], or a dict under RESP3) as the entries of one stream."""
    groups = raw.values() if isinstance(raw, dict) else [items for _, items in raw or []]
    return [entry for items in groups for entry in _items(items)]
