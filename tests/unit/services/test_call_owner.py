"""One owner per call: its steps run one at a time in the order they came, desk commands get their result
or refusal back, long steps run beside the inbox, the owner retires when nothing of the call is held, and
once a call has begun nothing but its owner's steps changes what is held of it."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from contact_center.services.calls.live import LiveCalls, OutsideTheOwner
from contact_center.services.calls.owner import CallOwners, running_call
from contact_center.services.calls.record import CallRecord


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_steps_of_one_call_never_interleave_and_keep_their_order() -> None:
    owners = CallOwners(alive=lambda call_id: True)
    trace: list[str] = []

    async def step(name: str) -> None:
        trace.append(f"{name}:start")
        await asyncio.sleep(0.001)  # a step that awaits I/O: another step must still wait its turn
        trace.append(f"{name}:end")

    owner = owners.of("c1")
    for name in ("offer", "hangup", "wrapup"):
        owner.post(step(name), name)
    await owner.ask(step("accept"), "accept")
    assert trace == [f"{n}:{e}" for n in ("offer", "hangup", "wrapup", "accept") for e in ("start", "end")]
    await owners.close()


async def test_two_calls_do_not_wait_for_each_other() -> None:
    owners = CallOwners(alive=lambda call_id: True)
    slow_started, fast_done = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        slow_started.set()
        await fast_done.wait()  # would never end if c2 waited behind c1

    async def fast() -> None:
        fast_done.set()

    owners.of("c1").post(slow(), "slow")
    await slow_started.wait()
    await asyncio.wait_for(owners.of("c2").ask(fast(), "fast"), 1)
    await owners.close()


async def test_a_desk_command_gets_its_result_or_refusal_and_the_owner_goes_on() -> None:
    owners = CallOwners(alive=lambda call_id: True)

    async def refuse() -> None:
        raise LookupError("no offer of call c1 is ringing for you")

    async def answer() -> int:
        return 42

    owner = owners.of("c1")
    with pytest.raises(LookupError, match="no offer"):
        await owner.ask(refuse(), "accept")
    assert await owner.ask(answer(), "hold") == 42
    await owners.close()


async def test_a_failed_event_step_is_logged_and_the_next_step_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    owners = CallOwners(alive=lambda call_id: True)

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> str:
        return "ok"

    owner = owners.of("c1")
    owner.post(broken(), "offer")
    assert await owner.ask(fine(), "accept") == "ok"
    assert any("c1: offer failed" in r.getMessage() for r in caplog.records)
    await owners.close()


async def test_a_step_asking_its_own_owner_runs_at_once_instead_of_waiting_on_itself() -> None:
    owners = CallOwners(alive=lambda call_id: True)
    owner = owners.of("c1")

    async def hold() -> str:
        return "held"

    async def transfer() -> str:
        return await owner.ask(hold(), "hold")  # a warm transfer puts the customer on hold first

    assert await asyncio.wait_for(owner.ask(transfer(), "transfer"), 1) == "held"
    await owners.close()


async def test_a_long_step_runs_beside_the_inbox_and_asks_its_turn_afterwards() -> None:
    owners = CallOwners(alive=lambda call_id: True)
    owner = owners.of("c1")
    ringing, answered = asyncio.Event(), asyncio.Event()
    trace: list[str] = []

    async def bridge() -> None:
        trace.append("bridge")

    async def ring_agent() -> None:
        ringing.set()
        await answered.wait()  # the agent's phone rings a while
        await owner.ask(bridge(), "agent answered")

    async def note() -> None:
        trace.append("note")

    owner.child(ring_agent(), "ring")
    await ringing.wait()
    await asyncio.wait_for(owner.ask(note(), "note"), 1)  # not held up by the ringing phone
    answered.set()
    await _settle()
    assert trace == ["note", "bridge"]
    await owners.close()


async def test_the_owner_retires_when_nothing_of_the_call_is_held_and_a_late_message_gets_a_new_one() -> None:
    held = {"c1"}
    owners = CallOwners(alive=lambda call_id: call_id in held)
    first = owners.of("c1")

    async def end_of_wrapup() -> None:
        held.discard("c1")

    await first.ask(end_of_wrapup(), "wrap-up ended")
    await _settle()
    assert first.closed and "c1" not in owners and len(owners) == 0

    async def late() -> str:
        return "late event handled"

    assert await owners.of("c1").ask(late(), "late routing event") == "late event handled"
    await _settle()
    assert "c1" not in owners  # nothing held: it retired again


async def test_an_owner_with_a_running_child_stays_until_the_child_ends() -> None:
    owners = CallOwners(alive=lambda call_id: False)
    release = asyncio.Event()

    async def ivr() -> None:
        await release.wait()

    owner = owners.of("c1")
    owner.child(ivr(), "ivr")
    await _settle()
    assert not owner.closed
    release.set()
    await _settle()
    assert owner.closed and "c1" not in owners


async def test_closing_cancels_children_and_refuses_what_comes_after() -> None:
    owners = CallOwners(alive=lambda call_id: True)
    owner = owners.of("c1")
    cancelled = asyncio.Event()

    async def ring_forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def never() -> None:
        raise AssertionError("a closed owner ran a step")

    owner.child(ring_forever(), "ring")
    await _settle()
    await owners.close()
    assert cancelled.is_set() and owner.closed
    with pytest.raises(RuntimeError, match="closed"):
        await owner.ask(never(), "accept")


async def test_a_calls_state_changes_only_in_its_owners_steps_once_the_call_has_begun() -> None:
    calls = LiveCalls()
    owners = CallOwners(alive=calls.tracks)
    at = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)

    def waiting(call_id: str) -> CallRecord:
        return CallRecord(call_id=call_id, caller_number="+14155550142", dialled="5000", arrived_at=at)

    calls.set_callback("c1", waiting("c1"))  # a call begins (nothing held of it yet): anyone may
    with pytest.raises(OutsideTheOwner):
        calls.drop_callback("c1")  # now it is the owner's
    with pytest.raises(OutsideTheOwner):
        calls.set_screen_pop("c1", {})

    async def cancel(call_id: str) -> CallRecord | None:
        return calls.drop_callback(call_id)

    assert (await owners.of("c1").ask(cancel("c1"), "callback canceled")) is not None
    calls.set_callback("c2", waiting("c2"))
    with pytest.raises(OutsideTheOwner):  # one call's owner does not change another call
        await owners.of("c1").ask(cancel("c2"), "someone else's")
    seen: list[str | None] = []

    async def beside() -> None:
        seen.append(running_call())
        with pytest.raises(OutsideTheOwner):  # a long step beside the inbox asks the owner, like anyone
            calls.drop_callback("c2")
        await owners.of("c2").ask(cancel("c2"), "asked")

    owners.of("c2").child(beside(), "ringing")
    await _settle()
    assert seen == [None] and calls.callback("c2") is None
    await owners.close()
