"""Checks across flows: jumps into flows with no way out, loops with no input through gotos and sub-flows."""

from __future__ import annotations

from types import ModuleType

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.flow_graph import check_flows


def _found(*flows: m.Flow) -> dict[str, list[tuple[str | None, str]]]:
    return {name: [(p.node, p.message) for p in ps] for name, ps in check_flows({f.name: f for f in flows}).items()}


def test_a_goto_into_a_flow_that_ends_the_call_is_fine(kit: ModuleType) -> None:
    main = kit.flows(m.Goto(id="g", target=None, flow="other"), name="main")
    other = kit.flows(m.Say(id="s", prompt=kit.p("Bye."), next="h"), m.Hangup(id="h"), name="other")
    assert _found(main, other) == {}


def test_a_goto_into_a_flow_with_no_way_out_is_not_a_way_out(kit: ModuleType) -> None:
    ask = m.Menu(id="ask", prompt=kit.p("?"), options={"1": "go"}, fallback="go")
    one = kit.flows(ask, m.Goto(id="go", target=None, flow="two"), name="one")
    two = kit.flows(ask, m.Goto(id="go", target="ask", flow="one"), name="two")
    found = _found(one, two)
    assert found["one"] == [("go", "no way out: no path from flow 'two' (node 'ask') ends the call")]
    assert found["two"] == [("go", "no way out: no path from flow 'one' (node 'ask') ends the call")]


def test_a_flow_calling_itself_as_a_subflow_loops_without_input(kit: ModuleType) -> None:
    flow = kit.flows(m.SubFlow(id="again", flow="self", next="done"), m.Hangup(id="done"), name="self")
    assert ("again", "loop that takes no input: self:again -> self:again") in _found(flow)["self"]


def test_a_subflow_that_returns_silently_closes_a_silent_loop(kit: ModuleType) -> None:
    main = kit.flows(m.SubFlow(id="call", flow="quick", next="call"), name="main")
    quick = kit.flows(m.Say(id="s", prompt=kit.p("Hi."), next="r"), m.Return(id="r"), name="quick")
    # quick returns without asking anything, so `call` comes straight back to itself
    assert ("call", "loop that takes no input: main:call -> main:call") in _found(main, quick)["main"]


def test_a_subflow_that_asks_the_caller_breaks_the_loop(kit: ModuleType) -> None:
    ask = m.Menu(id="ask", prompt=kit.p("?"), options={"1": "r"}, fallback="r")
    main = kit.flows(m.SubFlow(id="call", flow="asks", next="call"), m.Hangup(id="z"), name="main")
    asks = kit.flows(ask, m.Return(id="r"), name="asks")
    assert not any("loop" in message for found in _found(main, asks).values() for _, message in found)
