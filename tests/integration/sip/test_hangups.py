"""The caller hangs up: during a prompt, on hold, and while it still rings (CANCEL).

Each must end the leg cleanly: CallHungUp(by=REMOTE), the waiting command raises
CallEnded, and no RTP port, media stream or per-call thread is left while the line runs.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest

from contact_center.telephony.events import CallArrived, CallHungUp, HangupBy
from contact_center.telephony.port import CallEnded, Speech
from contact_center.telephony.sip import SipTelephony

LONG = Speech(
    "This is a long announcement that keeps going for several seconds while the caller "
    "thinks about hanging up, and then, eventually, does hang up."
)
MUSIC = Speech("la la la la la la la la")


async def next_of(tel: SipTelephony, kind: type) -> Any:
    async for event in tel.events():
        if isinstance(event, kind):
            return event
    raise AssertionError(f"no {kind.__name__}")


def assert_nothing_left(tel: SipTelephony) -> None:
    assert tel.pool.in_use == frozenset()
    assert tel.engine.stream_count == 0
    assert tel.capacity.active == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("sip-call-")]


@pytest.fixture
async def line(
    kamailio: Callable[..., Any], telephony: Callable[..., Awaitable[SipTelephony]], ports: Callable[..., int]
) -> tuple[Any, SipTelephony]:
    port = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[port])
    return proxy, await telephony(proxy, port=port)


async def test_hang_up_during_a_prompt(line: tuple[Any, SipTelephony], sipp: Callable[..., Any]) -> None:
    proxy, tel = line
    await tel.prompts.load(LONG)  # rendered before the call, so the prompt is playing at the BYE

    async def session() -> tuple[CallArrived, BaseException | None, CallHungUp]:
        arrived = await next_of(tel, CallArrived)
        await tel.answer(arrived.call_id)
        try:
            await tel.play(arrived.call_id, LONG)
            error = None
        except CallEnded as exc:
            error = exc
        return arrived, error, await next_of(tel, CallHungUp)

    task = asyncio.create_task(session())
    result = await sipp("uac_bye_early.xml", proxy)
    arrived, error, hung_up = await asyncio.wait_for(task, 10)
    assert result.returncode == 0, result.log
    assert isinstance(error, CallEnded)
    assert (hung_up.call_id, hung_up.by, hung_up.sip_code) == (arrived.call_id, HangupBy.REMOTE, 200)
    detail = tel.detail(arrived.call_id)
    assert detail.hung_up_by is HangupBy.REMOTE and detail.ended_at is not None
    assert_nothing_left(tel)


async def test_hang_up_on_hold(line: tuple[Any, SipTelephony], sipp: Callable[..., Any]) -> None:
    proxy, tel = line
    announcements: list[int] = []

    def announce() -> Speech:
        announcements.append(len(announcements) + 1)
        return Speech(f"You are number {len(announcements)} in the queue.")

    async def session() -> CallArrived:
        arrived: CallArrived = await next_of(tel, CallArrived)
        await tel.answer(arrived.call_id)
        tel.mark_queued(arrived.call_id)
        await tel.start_hold(arrived.call_id, MUSIC, announce=announce, every=0.2)
        await next_of(tel, CallHungUp)
        return arrived

    task = asyncio.create_task(session())
    result = await sipp("uac_bye_early.xml", proxy)
    arrived = await asyncio.wait_for(task, 10)
    assert result.returncode == 0, result.log
    assert announcements  # at least one announcement was due before the caller left
    detail = tel.detail(arrived.call_id)
    assert detail.queued_at is not None and detail.hold_started_at is not None
    assert detail.hold_seconds > 0 and detail.hung_up_by is HangupBy.REMOTE
    assert (
        tel.legs.get(arrived.call_id).hold_task is None
        or cast("asyncio.Task[None]", tel.legs.get(arrived.call_id).hold_task).done()
    )
    await asyncio.sleep(0.3)
    count = len(announcements)
    await asyncio.sleep(0.5)
    assert len(announcements) == count  # the hold loop stopped with the call
    assert_nothing_left(tel)


async def test_cancel_while_ringing(line: tuple[Any, SipTelephony], sipp: Callable[..., Any]) -> None:
    proxy, tel = line

    async def session() -> tuple[CallArrived, CallHungUp]:
        arrived = await next_of(tel, CallArrived)  # not answered: it keeps ringing
        return arrived, await next_of(tel, CallHungUp)

    task = asyncio.create_task(session())
    result = await sipp("uac_cancel.xml", proxy)
    arrived, hung_up = await asyncio.wait_for(task, 10)
    assert result.returncode == 0, result.log  # the caller got 200 for its CANCEL and 487 for its INVITE
    assert (hung_up.by, hung_up.sip_code) == (HangupBy.REMOTE, 487)
    with pytest.raises(CallEnded):
        await tel.answer(arrived.call_id)
    detail = tel.detail(arrived.call_id)
    assert detail.answered_at is None and detail.sip_codes == (180, 487)
    assert_nothing_left(tel)
