from __future__ import annotations

from types import ModuleType

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.graph import check_graph


def _messages(start: str, *nodes: m.Node) -> list[tuple[str | None, str]]:
    return [(p.node, p.message) for p in check_graph(start, {n.id: n for n in nodes})]


def test_a_sound_graph_has_no_problems(kit: ModuleType) -> None:
    assert _messages("a", m.Say(id="a", prompt=kit.p("x"), next="b"), m.Hangup(id="b")) == []


def test_unknown_start_and_targets_are_reported(kit: ModuleType) -> None:
    found = _messages("nope", m.Say(id="a", prompt=kit.p("x"), next="ghost"))
    assert (None, "start node 'nope' is not defined") in found
    assert ("a", "node 'a' goes to unknown node 'ghost'") in found


def test_unreachable_nodes_are_reported(kit: ModuleType) -> None:
    found = _messages("a", m.Hangup(id="a"), m.Hangup(id="orphan"))
    assert found == [("orphan", "node 'orphan' is unreachable from the start node 'a'")]


def test_nodes_with_no_way_out_are_reported(kit: ModuleType) -> None:
    menu = m.Menu(id="m", prompt=kit.p("?"), options={"1": "n"}, fallback="n")
    other = m.Menu(id="n", prompt=kit.p("?"), options={"1": "m"}, fallback="m")
    found = _messages("m", menu, other)
    assert ("m", "node 'm' has no way out: no path from it ends the call") in found
    assert ("n", "node 'n' has no way out: no path from it ends the call") in found


def test_loops_through_menus_are_fine_but_silent_loops_are_not(kit: ModuleType) -> None:
    menu = m.Menu(id="m", prompt=kit.p("?"), options={"1": "s", "2": "z"}, fallback="z")
    say = m.Say(id="s", prompt=kit.p("again"), next="m")
    assert _messages("m", menu, say, m.Hangup(id="z")) == []
    silent = _messages(
        "a", m.Say(id="a", prompt=kit.p("x"), next="b"), m.SetVars(id="b", values={}, next="a"), m.Hangup(id="z")
    )
    assert ("a", "loop that takes no input: a -> b -> a") in silent


def test_a_jump_to_another_flow_counts_as_a_way_out() -> None:
    assert _messages("g", m.Goto(id="g", target=None, flow="other")) == []
