"""The whole routing engine as one JSON-ready dict, and back: for a node that joins or takes over routing.

``restore(dump(acd))`` behaves exactly like ``acd``: the same commands at the same instants
give the same events (tested against random runs in test_properties.py). That needs more
than the calls and agents: the timers (with their tie-breaking sequence), the counters, the
random generator's state, events not yet handed out, and the order in which queues, waiting
calls and preferred calls are kept, since the reconciler and a few loops walk them in that
order. This module knows the engine's insides on purpose; nothing else should.

Finished calls are kept only while an agent still refers to one (wrap-up); the trail of
older finished calls is in the event log, not in the snapshot.
"""

from __future__ import annotations

import math
import random
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from contact_center.domain.acd.agents import Agent, AgentState
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.codec import event_from_dict, event_to_dict, fields_of, queue_from_dict, queue_to_dict
from contact_center.domain.acd.router import Acd

FORMAT = 1
Json = dict[str, Any]


def _agent(agent: Agent) -> Json:
    data = fields_of(agent)
    del data["_sig_cache"]
    return data


def _call(call: Call) -> Json:
    data = fields_of(call)
    del data["index_version"]  # only meaningful against the heaps, which are rebuilt
    data["trail"] = [event_to_dict(e) for e in call.trail]
    return data


def dump(acd: Acd) -> Json:
    version, internal, gauss = acd._rng.getstate()
    referenced = {a.call_id for a in acd.agents.values() if a.call_id is not None}
    return {
        "format": FORMAT,
        "clock": None if math.isinf(acd.clock) else acd.clock,
        "seqs": dict(acd.seqs),
        "rng": [version, list(internal), gauss],
        "keep_finished": acd._keep_finished,
        "queues": [queue_to_dict(q) for q in acd.queues.values()],
        "agents": [_agent(a) for a in acd.agents.values()],
        "calls": [_call(c) for c in acd.calls.values()],
        "finished": [_call(c) for c in acd.finished.values() if c.id in referenced],
        "timers": [list(t) for t in acd._timers],
        "pending": [event_to_dict(e) for e in acd._out],
        "waiting": [[queue_id, list(calls)] for queue_id, calls in acd.waiting._by_queue.items()],
        "preferred": [[agent_id, list(calls)] for agent_id, calls in acd.preferred.items()],
    }


def _restore_call(data: Mapping[str, Any]) -> Call:
    fields = dict(data)
    fields["state"] = CallState(fields["state"])
    fields["signature"] = tuple((str(s), int(level)) for s, level in fields["signature"])
    fields["trail"] = [event_from_dict(e) for e in fields["trail"]]
    return Call(**fields)


def restore(data: Mapping[str, Any]) -> Acd:
    """Raises ``ValueError`` for a snapshot of another format."""
    if data.get("format") != FORMAT:
        raise ValueError(f"routing snapshot format {data.get('format')!r}; this version reads {FORMAT}")
    acd = Acd([queue_from_dict(q) for q in data["queues"]], rng=random.Random(), keep_finished=data["keep_finished"])
    version, internal, gauss = data["rng"]
    acd._rng.setstate((version, tuple(internal), gauss))
    acd.clock = float("-inf") if data["clock"] is None else data["clock"]
    acd.seqs = dict(data["seqs"])
    for raw in data["agents"]:
        agent = Agent(**{**raw, "state": AgentState(raw["state"])})
        acd.agents[agent.id] = agent
        if agent.state is AgentState.AVAILABLE:
            acd.available.add(agent)
    acd.calls = {c.id: c for c in map(_restore_call, data["calls"])}
    acd.finished = OrderedDict((c.id, c) for c in map(_restore_call, data["finished"]))
    acd._timers = [(float(d), int(s), str(k), str(r), int(v)) for d, s, k, r, v in data["timers"]]
    acd._out = [event_from_dict(e) for e in data["pending"]]
    for queue_id, call_ids in data["waiting"]:
        acd.waiting._by_queue.setdefault(queue_id, {})  # keep the order of queues, empty ones too
        for call_id in call_ids:
            acd.waiting.add(acd.calls[call_id])
    for agent_id, call_ids in data["preferred"]:
        acd.preferred[agent_id] = {call_id: acd.calls[call_id] for call_id in call_ids}
    return acd
