"""The waiting index keeps its heaps proportional to what waits: stale entries are compacted away."""

from __future__ import annotations

from contact_center.domain.acd.agents import Agent
from contact_center.domain.acd.calls import Call
from contact_center.domain.acd.queues import COMPACT_MIN, WaitingIndex


def _call(i: int) -> Call:
    return Call(
        id=f"c{i}",
        queue_id="q",
        priority=0,
        signature=(),
        enqueued_at=float(i),
        queued_at=float(i),
        entered_queue_at=float(i),
        seq=i,
        pools=["q", "overflow"],
    )


def test_stale_entries_are_compacted_when_they_outnumber_live_ones() -> None:
    index = WaitingIndex()
    calls = [_call(i) for i in range(100)]
    for call in calls:
        index.add(call)
    for round_ in range(50):  # every re-prioritisation leaves the old entries behind
        for call in calls:
            index.remove(call)
            call.priority = round_
            index.add(call)
        assert index.entries <= max(COMPACT_MIN, 2 * index.live) + 2 * len(calls)
    assert index.compactions > 0
    assert index.live == 200  # 100 calls, two pools each
    agent = Agent("a", tiers={"q": 1})
    assert index.best_for(agent, 0.0) is calls[0]  # order intact: same priority, earliest first


def test_removed_calls_release_their_entries() -> None:
    index = WaitingIndex()
    calls = [_call(i) for i in range(COMPACT_MIN)]
    for call in calls:
        index.add(call)
    for call in calls:
        index.remove(call)
    assert index.live == 0 and index.entries <= COMPACT_MIN
    assert index.best_for(Agent("a", tiers={"q": 1}), 0.0) is None
