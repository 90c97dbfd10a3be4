"""Prompts that speak variables no path sets are found, across sub-flows too."""

from __future__ import annotations

from types import ModuleType

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.variables import unset_variables


def _unset(*flows: m.Flow) -> dict[str, list[tuple[str | None, str]]]:
    found = unset_variables({f.name: f for f in flows})
    return {name: [(p.node, p.message.split("'")[1]) for p in ps] for name, ps in found.items()}


def test_variables_set_by_the_call_lookups_sets_menus_and_hours_are_known(kit: ModuleType) -> None:
    flow = kit.flows(
        m.Lookup(
            id="who", kind="customer", by="phone", source="caller", into="customer", found="h", not_found="h", error="h"
        ),
        m.Hours(id="h", calendar="c", open="s", closed="s", holiday="s"),
        m.SetVars(id="s", values={"topic": "x", "again": kit.t("{topic}")}, next="ask"),
        m.Menu(
            id="ask",
            prompt=kit.p("{customer.first_name}, {hours.holiday}, {caller} {language} {dialed}"),
            options={"1": "q"},
            fallback="q",
            into="choice",
        ),
        m.QueueCall(id="q", queue="general", skills=(kit.t("{choice}"),), agent=kit.t("{topic}")),
    )
    assert _unset(flow) == {}


def test_a_typo_and_a_variable_set_only_later_are_reported(kit: ModuleType) -> None:
    flow = kit.flows(
        m.Say(id="a", prompt=kit.p("{custmer.name} {later}"), next="b"),
        m.SetVars(id="b", values={"later": 1}, next="c"),
        m.Hangup(id="c", say=kit.p("{later}")),
    )
    assert _unset(flow) == {"f": [("a", "custmer.name"), ("a", "later")]}


def test_a_subflow_sees_what_its_callers_set_and_they_see_what_it_set(kit: ModuleType) -> None:
    main = kit.flows(
        m.SetVars(id="s", values={"order_number": "1"}, next="call"),
        m.SubFlow(id="call", flow="speak", next="after"),
        m.Hangup(id="after", say=kit.p("{said}")),
        name="main",
    )
    speak = kit.flows(
        m.Say(id="say", prompt=kit.p("{order_number}"), next="set"),
        m.SetVars(id="set", values={"said": True}, next="r"),
        m.Return(id="r"),
        name="speak",
    )
    assert _unset(main, speak) == {}
    assert _unset(speak) == {"speak": [("say", "order_number")]}  # on its own, nothing sets it
