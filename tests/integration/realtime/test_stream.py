"""Sequence numbers, replay after a gap, a snapshot when the gap is unknown, and command acks."""

from __future__ import annotations

from typing import Any

from contact_center.realtime.stream import AgentStream

from .test_handshake import _until


def test_a_stream_replays_what_it_still_holds_and_nothing_it_does_not() -> None:
    stream = AgentStream("run-7", capacity=3)
    for n in range(5):
        stream.record("timeline.appended", {"n": n})
    assert [s.seq for s in stream.since(3) or []] == [4, 5]
    assert stream.since(5) == []
    assert stream.since(1) is None  # seq 2 has rolled out of the buffer
    assert stream.since(None) is None and stream.since(9) is None  # first sync, or another run's seq
    assert stream.since(4, "other-run-7") is None


async def test_missed_events_are_replayed_in_order(live: Any, make_user: Any) -> None:
    alice = await make_user("alice")
    cookie = await live.cookie("alice")
    first = await live.connect("/agent", {"Cookie": cookie})
    start = await first.call("sync", {"since_seq": None})
    assert start["mode"] == "snapshot" and start["seq"] == 0
    assert start["snapshot"]["agent"]["state"] == "offline" and start["snapshot"]["offer"] is None
    assert (await first.call("agent.set_state", {"state": "available"}))["ok"] is True
    await _until(first, "agent.state_changed")
    seen = first.named("agent.state_changed")[0]["seq"]
    await first.sio.disconnect()

    live.desk.offer(alice.user_id, "call-9")  # while nobody listens
    again = await live.connect("/agent", {"Cookie": cookie})
    replay = await again.call("sync", {"since_seq": seen, "stream": start["stream"]})
    assert replay["mode"] == "replay"
    assert [(e["event"], e["data"]["seq"]) for e in replay["events"]] == [
        ("agent.state_changed", seen + 1),
        ("call.offered", seen + 2),
    ]
    assert replay["events"][1]["data"]["call_id"] == "call-9" and replay["seq"] == seen + 2


async def test_an_unknown_gap_gets_a_snapshot_of_the_desk(live: Any, make_user: Any) -> None:
    alice = await make_user("alice")
    recorder = await live.connect("/agent", {"Cookie": await live.cookie("alice")})
    await recorder.call("agent.set_state", {"state": "available"})
    live.desk.offer(alice.user_id, "call-3")
    answer = await recorder.call("sync", {"since_seq": 1, "stream": "an-old-server-run"})
    assert answer["mode"] == "snapshot"
    assert answer["snapshot"]["offer"]["call_id"] == "call-3"
    assert answer["seq"] == live.gateway.notifier.streams.get(alice.user_id).seq


async def test_commands_answer_ok_or_a_stable_error(live: Any, make_user: Any) -> None:
    await make_user("alice")
    recorder = await live.connect("/agent", {"Cookie": await live.cookie("alice")})
    bad = await recorder.call("agent.set_state", {"state": "dancing"})
    assert bad["ok"] is False and bad["error"] == "bad_request" and "state" in bad["message"]
    both = await recorder.call("call.transfer", {"call_id": "c", "queue": "sales", "agent_id": 4})
    assert both["error"] == "bad_request" and "exactly one" in both["message"]
    refused = await recorder.call("call.hangup", {"call_id": "nope"})
    assert refused == {"ok": False, "error": "no_such_call", "message": "you are not on call nope"}
    assert (await recorder.call("call.dial", {"number": "+15550001111"}))["call_id"].startswith("out-")
