"""Dialling out: busy, no answer (ring timeout -> CANCEL), unknown or unregistered numbers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from contact_center.telephony.events import CallHungUp, HangupBy, OriginateOutcome
from contact_center.telephony.sip import SipTelephony


@pytest.mark.parametrize(
    ("scenario", "ring_timeout", "outcome", "code", "by"),
    [("uas_busy.xml", 5.0, OriginateOutcome.BUSY, 486, HangupBy.REMOTE),
     ("uas_ring.xml", 1.0, OriginateOutcome.NO_ANSWER, 487, HangupBy.LOCAL)],
)
async def test_busy_and_no_answer(
    kamailio: Callable[..., Any], telephony: Callable[..., Awaitable[SipTelephony]], ports: Callable[..., int],
    agent_phone: Callable[[str], Any], scenario: str, ring_timeout: float, outcome: OriginateOutcome, code: int,
    by: HangupBy,
) -> None:
    line = ports()
    phone = agent_phone(scenario)
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static={"3000": phone.port})
    tel = await telephony(proxy, port=line)
    result = await tel.originate("3000", ring_timeout=ring_timeout)
    assert (result.outcome, result.sip_code, result.call_id) == (outcome, code, None)
    assert result.detail.hung_up_by is by and result.detail.ended_at is not None
    assert result.detail.sip_codes[-1] == code
    assert await phone.finished() == 0  # busy: got its ACK; ring: got CANCEL, sent 487, got its ACK
    async for event in tel.events():
        assert isinstance(event, CallHungUp) and event.sip_code == code
        break
    assert tel.pool.in_use == frozenset() and tel.capacity.active == 0


async def test_unregistered_and_unknown_numbers_fail_without_crashing(
    kamailio: Callable[..., Any], telephony: Callable[..., Awaitable[SipTelephony]], ports: Callable[..., int],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret", "2001": "agent-pw"}, workers=[line])
    tel = await telephony(proxy, port=line)
    for number in ("2001", "5555"):  # a known agent that is not registered now; a number nobody has
        result = await tel.originate(number, ring_timeout=5)
        assert (result.outcome, result.sip_code) == (OriginateOutcome.FAILED, 404)
    assert tel.pool.in_use == frozenset() and tel.capacity.active == 0
    assert len(tel.lines) == 1 and tel.lines[0].calls == {}
    # and the line still works afterwards
    assert (await tel.originate("5556", ring_timeout=5)).sip_code == 404
