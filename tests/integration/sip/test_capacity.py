"""Scale-out and overload: the proxy spreads calls over two telephony workers (each its own
line); when every worker is full the caller gets a clean 503 with Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from contact_center.telephony.events import CallArrived, OriginateOutcome
from contact_center.telephony.port import CallEnded, Speech
from contact_center.telephony.sip import SipTelephony


async def answer_everything(tel: SipTelephony, arrived: list[str], answered: asyncio.Queue[str]) -> None:
    async for event in tel.events():
        if isinstance(event, CallArrived):
            arrived.append(event.call_id)
            try:
                await tel.answer(event.call_id)
                await tel.start_hold(event.call_id, Speech("please hold"), every=60)
                answered.put_nowait(event.call_id)
            except CallEnded:
                pass


async def test_calls_spread_over_workers_and_overflow_gets_503(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    sipp: Callable[..., Any],
) -> None:
    first, second = ports(), ports()
    proxy = kamailio(users={"ivr1": "one", "ivr2": "two"}, workers=[first, second])
    workers = [
        await telephony(proxy, port=first, user="ivr1", password="one", max_calls=1),
        await telephony(proxy, port=second, user="ivr2", password="two", max_calls=1),
    ]
    arrived: list[list[str]] = [[], []]
    answered: asyncio.Queue[str] = asyncio.Queue()
    sessions = [
        asyncio.create_task(answer_everything(w, seen, answered)) for w, seen in zip(workers, arrived, strict=True)
    ]

    talking = asyncio.create_task(sipp("uac_talk.xml", proxy, calls=2, rate=20))
    for _ in range(2):  # both workers are now full
        await asyncio.wait_for(answered.get(), 10)
    rejected = await sipp("uac_503.xml", proxy)
    talked = await talking

    assert talked.returncode == 0, talked.log
    assert rejected.returncode == 0, rejected.log  # 503 carrying Retry-After
    assert [len(a) for a in arrived] == [1, 1]  # one call on each worker
    assert sum(w.capacity.rejected for w in workers) >= 1
    for task in sessions:
        task.cancel()


async def test_a_full_queue_still_leaves_legs_for_connecting_agents(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    sipp: Callable[..., Any],
    agent_phone: Callable[[str], Any],
) -> None:
    """Callers on hold must not take the legs agents need: with 4 legs and the default reserve
    (2), a third caller gets 503 while the agent's phone can still be dialled."""
    line = ports()
    agent = agent_phone("uas_answer.xml")
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static={"3000": agent.port})
    tel = await telephony(proxy, port=line, max_calls=4)
    assert (tel.capacity.reserve, tel.capacity.inbound_limit) == (2, 2)
    answered: asyncio.Queue[str] = asyncio.Queue()
    session = asyncio.create_task(answer_everything(tel, [], answered))

    talking = asyncio.create_task(sipp("uac_talk.xml", proxy, calls=2, rate=20))
    callers = [await asyncio.wait_for(answered.get(), 10) for _ in range(2)]
    rejected = await sipp("uac_503.xml", proxy)
    assert rejected.returncode == 0, rejected.log  # the queue is full for callers...
    result = await tel.originate("3000", ring_timeout=5)  # ...but not for the agent who takes one of them
    assert result.outcome is OriginateOutcome.ANSWERED and result.call_id is not None
    await tel.bridge(callers[0], result.call_id)
    assert tel.capacity.active == 3
    await tel.hangup(result.call_id)
    assert await agent.finished() == 0
    assert (await talking).returncode == 0
    session.cancel()
