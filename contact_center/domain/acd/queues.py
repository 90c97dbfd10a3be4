"""Indexes that keep routing decisions cheap with 10,000 calls waiting and 1,000 agents.

``WaitingIndex``: for every pool (a queue whose agents may answer) and every distinct
skill signature, a heap of waiting calls keyed by (-priority, enqueue time, seq).
Deletion is lazy: a heap entry is valid only while its version equals the call's
``index_version``; once stale entries outnumber live ones (and there are more than
``COMPACT_MIN``), the heaps are rebuilt, so memory stays proportional to what waits.
An agent who frees up peeks the heads of the heaps of its queues whose signature it
satisfies: a few dozen peeks instead of a scan of every call.

``AvailableIndex``: for every queue and tier, the available agents (dicts keep a
deterministic order, so a seeded run replays exactly).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from contact_center.domain.acd.agents import Agent
from contact_center.domain.acd.calls import Call, CallState, Signature

Entry = tuple[int, float, int, int, Call]
COMPACT_MIN = 1024  # below this many heap entries, stale ones cost less than a rebuild


class WaitingIndex:
    def __init__(self) -> None:
        self._heaps: dict[str, dict[Signature, list[Entry]]] = {}
        self._by_queue: dict[str, dict[str, Call]] = {}
        self._width: dict[str, int] = {}  # call id -> heap entries it has (one per pool)
        self.entries = 0  # heap entries, live or stale
        self.live = 0
        self.compactions = 0

    def add(self, call: Call) -> None:
        if call.id in self._width:
            self.remove(call)
        call.index_version += 1
        entry: Entry = (-call.priority, call.enqueued_at, call.seq, call.index_version, call)
        for pool in call.pools:
            heapq.heappush(self._heaps.setdefault(pool, {}).setdefault(call.signature, []), entry)
        self._by_queue.setdefault(call.queue_id, {})[call.id] = call
        self._width[call.id] = len(call.pools)
        self.entries += len(call.pools)
        self.live += len(call.pools)

    def remove(self, call: Call) -> None:
        call.index_version += 1
        waiting = self._by_queue.get(call.queue_id)
        if waiting is not None:
            waiting.pop(call.id, None)
        self.live -= self._width.pop(call.id, 0)
        if self.entries > COMPACT_MIN and self.entries - self.live > self.live:
            self.compact()

    def length(self, queue_id: str) -> int:
        return len(self._by_queue.get(queue_id, ()))

    def waiting(self, queue_id: str) -> list[Call]:
        """The queue's waiting calls in routing order."""
        return sorted(self._by_queue.get(queue_id, {}).values(), key=lambda c: c.key)

    def calls_in(self, queue_id: str) -> Iterable[Call]:
        """The queue's waiting calls, unordered (cheap)."""
        return self._by_queue.get(queue_id, {}).values()

    def all_waiting(self) -> Iterator[Call]:
        for calls in self._by_queue.values():
            yield from calls.values()

    def best_for(self, agent: Agent, now: float) -> Call | None:
        """The oldest eligible call (by priority, then enqueue time) over every queue the agent serves."""
        best: Entry | None = None
        for queue_id in agent.tiers:
            buckets = self._heaps.get(queue_id)
            if not buckets:
                continue
            for signature, heap in buckets.items():
                if not agent.has_skills(signature):
                    continue
                entry = self._head(heap, agent.id, now)
                if entry is not None and (best is None or entry[:3] < best[:3]):
                    best = entry
        return None if best is None else best[4]

    def _head(self, heap: list[Entry], agent_id: str, now: float) -> Entry | None:
        while heap and not _valid(heap[0]):
            heapq.heappop(heap)
            self.entries -= 1
        if not heap:
            return None
        if not heap[0][4].is_excluded(agent_id, now):
            return heap[0]
        # Rare: the head was just rejected or missed by this agent; look past it.
        skipped: list[Entry] = []
        found: Entry | None = None
        while heap:
            entry = heapq.heappop(heap)
            if not _valid(entry):
                self.entries -= 1
                continue
            skipped.append(entry)
            if not entry[4].is_excluded(agent_id, now):
                found = entry
                break
        for entry in skipped:
            heapq.heappush(heap, entry)
        return found

    def compact(self) -> None:
        """Drop stale entries (``remove`` does it when they outnumber the live ones)."""
        self.compactions += 1
        total = 0
        for buckets in self._heaps.values():
            for signature, heap in list(buckets.items()):
                live = [e for e in heap if _valid(e)]
                if live:
                    heapq.heapify(live)
                    buckets[signature] = live
                    total += len(live)
                else:
                    del buckets[signature]
        self.entries = total


def _valid(entry: Entry) -> bool:
    call = entry[4]
    return entry[3] == call.index_version and call.state is CallState.QUEUED


class AvailableIndex:
    def __init__(self) -> None:
        self._by_queue: dict[str, dict[int, dict[str, Agent]]] = {}

    def add(self, agent: Agent) -> None:
        for queue_id, tier in agent.tiers.items():
            self._by_queue.setdefault(queue_id, {}).setdefault(tier, {})[agent.id] = agent

    def remove(self, agent: Agent) -> None:
        for queue_id, tier in agent.tiers.items():
            tiers = self._by_queue.get(queue_id)
            if tiers is not None and tier in tiers:
                tiers[tier].pop(agent.id, None)

    def tiers(self, queue_id: str) -> list[list[Agent]]:
        """Available agents of a queue grouped by tier, best tier first (empty tiers left out)."""
        tiers = self._by_queue.get(queue_id, {})
        return [list(tiers[t].values()) for t in sorted(tiers) if tiers[t]]

    def count(self, queue_id: str) -> int:
        return sum(len(agents) for agents in self._by_queue.get(queue_id, {}).values())
