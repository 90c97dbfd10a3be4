"""Dialling out: busy, no answer (ring timeout -> CANCEL), unknown or unregistered numbers,
a phone that answers 503, and our own 503 when the worker has no leg left. Each result
carries what the call activity needs: outcome, SIP code and reason, times."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from contact_center.telephony.events import CallHungUp, HangupBy, OriginateOutcome
from contact_center.telephony.pyvoip_fixes import FixedVoIPCall
from contact_center.telephony.sip import SipTelephony


@pytest.mark.parametrize(
    ("scenario", "ring_timeout", "outcome", "code", "by"),
    [
        ("uas_busy.xml", 5.0, OriginateOutcome.BUSY, 486, HangupBy.REMOTE),
        ("uas_ring.xml", 1.0, OriginateOutcome.NO_ANSWER, 487, HangupBy.LOCAL),
    ],
)
async def test_busy_and_no_answer(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    agent_phone: Callable[[str], Any],
    scenario: str,
    ring_timeout: float,
    outcome: OriginateOutcome,
    code: int,
    by: HangupBy,
) -> None:
    line = ports()
    phone = agent_phone(scenario)
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static={"3000": phone.port})
    tel = await telephony(proxy, port=line)
    result = await tel.originate("3000", ring_timeout=ring_timeout)
    assert (result.outcome, result.sip_code, result.call_id) == (outcome, code, None)
    assert result.detail.hung_up_by is by and result.detail.ended_at is not None
    assert result.detail.sip_codes[-1] == code and result.detail.final_code == code
    assert result.reason == {486: "Busy Here", 487: "Request Terminated"}[code]
    assert result.leg_id == result.detail.call_id and result.detail.arrived_at is not None
    assert await phone.finished() == 0  # busy: got its ACK; ring: got CANCEL, sent 487, got its ACK
    async for event in tel.events():
        assert isinstance(event, CallHungUp) and event.sip_code == code
        break
    assert tel.pool.in_use == frozenset() and tel.capacity.active == 0


async def test_unregistered_and_unknown_numbers_fail_without_crashing(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
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


async def test_an_immediate_404_is_not_lost_while_the_invite_is_still_being_sent(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
) -> None:
    """The proxy answers 404 for an unregistered agent at once. Here ``dial`` is made to
    return late (after the 404 has been handled), as it does on a busy box: the result must
    still be FAILED/404, not a ring timeout."""
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret", "2001": "agent-pw"}, workers=[line])
    tel = await telephony(proxy, port=line)
    phone = tel.lines[0]
    real_dial = phone.dial

    def slow_dial(number: str, call_id: str) -> FixedVoIPCall:
        call = real_dial(number, call_id)
        call.ended.wait(5)  # the 404 has been handled on the receive thread by now
        time.sleep(0.2)  # and posted to the loop, ahead of this thread's return
        return call

    phone.dial = slow_dial  # type: ignore[method-assign]
    result = await tel.originate("2001", ring_timeout=20)
    assert (result.outcome, result.sip_code, result.reason) == (OriginateOutcome.FAILED, 404, "Not Found")
    assert result.detail.hung_up_by is HangupBy.REMOTE and result.detail.final_code == 404
    assert tel.legs.live() == [] and tel.pool.in_use == frozenset() and tel.capacity.active == 0


async def test_503_from_the_phone_and_from_ourselves_over_capacity(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    agent_phone: Callable[[str], Any],
) -> None:
    line = ports()
    phone = agent_phone("uas_503.xml")
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static={"3000": phone.port})
    tel = await telephony(proxy, port=line, max_calls=2)
    result = await tel.originate("3000", ring_timeout=5)
    # a proxy turns a 503 from downstream into 500 (RFC 3261 16.7, Kamailio's tm does), phrase kept
    assert (result.outcome, result.sip_code, result.reason) == (OriginateOutcome.FAILED, 500, "Service Unavailable")
    assert await phone.finished() == 0  # it got the ACK for its 503
    # every leg taken: our own 503, before anything goes on the wire, with a leg id to record it by
    assert tel.capacity.try_admit(inbound=False) and tel.capacity.try_admit(inbound=False)
    local = await tel.originate("3000", ring_timeout=5)
    assert (local.outcome, local.sip_code, local.reason) == (OriginateOutcome.FAILED, 503, "over capacity")
    assert local.leg_id.startswith("local-") and local.detail.hung_up_by is HangupBy.SYSTEM
    tel.capacity.release()
    tel.capacity.release()
