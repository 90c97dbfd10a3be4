"""Calls an agent places: on the phone (no offers meanwhile), wrap-up, then back to where they dialled from;
not a queue visit."""

from __future__ import annotations

from typing import Any

import pytest

from contact_center.domain.acd import commands as c
from contact_center.domain.acd.core import OUTBOUND_WRAPUP_SECONDS
from contact_center.domain.acd.errors import DuplicateCall, InvalidTransition, NoSuchQueue
from contact_center.domain.acd.events import CallOffered, OutboundCallStarted, WrapUpStarted
from contact_center.domain.metrics.live import LiveMetrics


def test_a_ready_agent_who_dials_out_gets_no_offer_and_is_ready_again_after_wrap_up(desk: Any) -> None:
    desk.agent("a")
    started = desk.do(c.StartOutboundCall("a", "out-1"), at=10)
    assert [type(e) for e in started if isinstance(e, OutboundCallStarted)] == [OutboundCallStarted]
    assert desk.state("a") == "on_call"
    desk.call("in-1", at=20)
    assert not [e for e in desk.log if isinstance(e, CallOffered)]  # busy on the phone
    ended = desk.do(c.EndCall("out-1"), at=70)
    [wrap] = [e for e in ended if isinstance(e, WrapUpStarted)]
    assert wrap.deadline == 70 + OUTBOUND_WRAPUP_SECONDS and desk.state("a") == "wrap_up"
    desk.do(c.FinishWrapUp("a"), at=80)
    assert desk.offered_to("in-1") == "a"  # ready again: the waiting caller is theirs


def test_an_agent_on_a_break_goes_back_to_it(desk: Any) -> None:
    desk.agent("a", ready=False)
    desk.do(c.MakeNotReady("a", "lunch"), at=1)
    desk.do(c.StartOutboundCall("a", "out-1"), at=5)
    desk.do(c.HoldCall("out-1"), at=10)
    desk.do(c.ResumeCall("out-1"), at=20)
    desk.do(c.EndCall("out-1"), at=30)
    desk.do(c.FinishWrapUp("a"), at=40)
    assert desk.state("a") == "not_ready:lunch"


def test_dialling_out_is_refused_when_busy_offline_or_twice(desk: Any) -> None:
    desk.agent("a")
    desk.call("in-1")
    with pytest.raises(InvalidTransition):  # an offer is ringing for them
        desk.do(c.StartOutboundCall("a", "out-1"))
    desk.do(c.ConfigureAgent("b", tiers={"q": 1}))
    with pytest.raises(InvalidTransition):  # logged out
        desk.do(c.StartOutboundCall("b", "out-2"))
    desk.do(c.LogIn("b", ready=False))
    with pytest.raises(DuplicateCall):
        desk.do(c.StartOutboundCall("b", "in-1"))
    with pytest.raises(NoSuchQueue):
        desk.do(c.StartOutboundCall("b", "out-3", queue_id="nowhere"))


def test_a_call_placed_in_a_queue_wraps_up_by_that_queue_and_counts_in_no_queue_figures(make_desk: Any) -> None:
    from contact_center.domain.acd import QueueConfig

    desk = make_desk(QueueConfig("sales", wrapup_seconds=15))
    desk.agent("a", tiers={"sales": 1})
    metrics = LiveMetrics()
    desk.do(c.StartOutboundCall("a", "out-1", queue_id="sales"), at=0)
    ended = desk.do(c.EndCall("out-1"), at=100)
    assert [e.deadline for e in ended if isinstance(e, WrapUpStarted)] == [115]
    metrics.apply_all(desk.log)
    report = metrics.window(200, 3600, "queue")
    assert report.groups.get("sales") is None or report.groups["sales"].offered == 0
