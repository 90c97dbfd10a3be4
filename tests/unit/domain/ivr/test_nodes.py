"""Every node type, through the pure interpreter."""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from contact_center.domain.calendar import Calendar
from contact_center.domain.ivr import actions as a
from contact_center.domain.ivr import model as m


def test_say_speaks_templated_text_then_continues(kit: ModuleType) -> None:
    flow = kit.flows(
        m.SetVars(id="start", values={"n": "4521"}, next="hello"),
        m.Say(id="hello", prompt=kit.p("Your order {n|digits} shipped."), next="bye"),
        m.Hangup(id="bye"),
    )
    state, actions = kit.run(flow)
    assert kit.spoken(actions) == ["Your order 4 5 2 1 shipped."]
    end = kit.ending(actions)
    assert isinstance(end, a.HangUp) and end.reason == "flow"
    assert state.done and end.trail.path == ("start", "hello", "bye")


def test_say_picks_the_session_language_and_falls_back_to_the_default(kit: ModuleType) -> None:
    hello = kit.p(en="Hello", es="Hola")
    flow = kit.flows(
        m.Say(id="a", prompt=hello, next="b"),
        m.SetVars(id="b", values={"language": "es"}, next="c"),
        m.Say(id="c", prompt=hello, next="d"),
        m.SetVars(id="d", values={"language": "de"}, next="e"),
        m.Say(id="e", prompt=hello, next="z"),
        m.Hangup(id="z"),
    )
    _, actions = kit.run(flow)
    plays = [x.speech for x in actions if isinstance(x, a.Play)]
    assert [(s.text, s.language) for s in plays] == [("Hello", "en"), ("Hola", "es"), ("Hello", "en")]


def test_say_can_play_an_audio_file(kit: ModuleType) -> None:
    prompt = m.Prompt({"*": m.PromptVariant(audio="welcome.wav")})
    _, actions = kit.run(kit.flows(m.Say(id="a", prompt=prompt, next="z"), m.Hangup(id="z")))
    play = actions[0]
    assert isinstance(play, a.Play) and play.speech.audio == "welcome.wav" and play.speech.text == ""


def _menu(kit: ModuleType, **kw: Any) -> m.Flow:
    menu = m.Menu(
        id="menu",
        prompt=kit.p("Press 1 or 2."),
        options={"1": "one", "2": "two"},
        fallback="fb",
        invalid=kit.p("Invalid."),
        no_input=kit.p("Nothing heard."),
        retries=2,
        **kw,
    )
    flow: m.Flow = kit.flows(
        menu, m.Hangup(id="one", reason="one"), m.Hangup(id="two", reason="two"), m.Hangup(id="fb", reason="fallback")
    )
    return flow


def test_menu_asks_for_one_key_and_follows_the_option(kit: ModuleType) -> None:
    state, actions = kit.run(_menu(kit, into="choice"))
    ask = actions[-1]
    assert isinstance(ask, a.CollectDigits)
    assert (ask.node, ask.max_digits, ask.terminator, ask.timeout) == ("menu", 1, None, 5.0)
    assert ask.prompt is not None and ask.prompt.text == "Press 1 or 2."
    state, actions = kit.run(_menu(kit, into="choice"), a.Digits(at=kit.AT, digits="2"))
    end = kit.ending(actions)
    assert isinstance(end, a.HangUp) and end.reason == "two"
    assert state.variables["choice"] == "2"


def test_menu_reprompts_after_invalid_and_missing_input_then_falls_back(kit: ModuleType) -> None:
    flow = _menu(kit)
    state, actions = kit.run(flow, a.Digits(at=kit.AT, digits="7"))
    assert kit.spoken(actions) == ["Invalid."]
    assert isinstance(actions[-1], a.CollectDigits) and state.failures == 1
    state, actions = kit.run(flow, a.Digits(at=kit.AT, digits="7"), a.NoInput(at=kit.AT))
    assert kit.spoken(actions) == ["Invalid.", "Nothing heard."] and state.failures == 2
    state, actions = kit.run(flow, a.Digits(at=kit.AT, digits="7"), a.NoInput(at=kit.AT), a.NoInput(at=kit.AT))
    end = kit.ending(actions)
    assert isinstance(end, a.HangUp) and end.reason == "fallback"
    assert [(i.kind, i.value, i.ok) for i in end.trail.inputs] == [
        ("digits", "7", False),
        ("timeout", "", False),
        ("timeout", "", False),
    ]


def test_menu_with_no_retries_falls_back_at_the_first_failure(kit: ModuleType) -> None:
    flow = kit.flows(
        m.Menu(id="m", prompt=kit.p("?"), options={"1": "z"}, retries=0, fallback="fb"),
        m.Hangup(id="z"),
        m.Hangup(id="fb", reason="fb"),
    )
    _, actions = kit.run(flow, a.NoInput(at=kit.AT))
    assert kit.ending(actions).to_result() == {"action": "hangup", "reason": "fb"}


def _collect(kit: ModuleType, **kw: Any) -> m.Flow:
    node = m.Collect(
        id="c",
        prompt=kit.p("Enter your order number."),
        into="order_number",
        min_length=4,
        max_length=6,
        terminator="#",
        inter_digit_timeout=2.5,
        retries=1,
        fallback="fb",
        invalid=kit.p("Not valid."),
        next="ok",
        **kw,
    )
    flow: m.Flow = kit.flows(node, m.Hangup(id="ok", reason="ok"), m.Hangup(id="fb", reason="fb"))
    return flow


def test_collect_asks_with_lengths_terminator_and_timeouts(kit: ModuleType) -> None:
    _, actions = kit.run(_collect(kit))
    ask = actions[-1]
    assert isinstance(ask, a.CollectDigits)
    assert (ask.min_digits, ask.max_digits, ask.terminator, ask.inter_digit_timeout) == (4, 6, "#", 2.5)


def test_collect_strips_the_terminator_and_stores_the_digits(kit: ModuleType) -> None:
    state, actions = kit.run(_collect(kit), a.Digits(at=kit.AT, digits="4521#"))
    assert state.variables["order_number"] == "4521"
    assert kit.ending(actions).to_result()["reason"] == "ok"


def test_collect_rejects_wrong_lengths_and_non_digits(kit: ModuleType) -> None:
    for typed in ("12#", "1234567#", "12*4#"):
        state, actions = kit.run(_collect(kit), a.Digits(at=kit.AT, digits=typed))
        assert kit.spoken(actions) == ["Not valid."], typed
        assert "order_number" not in state.variables


def test_collect_checks_the_pattern_and_falls_back_when_retries_run_out(kit: ModuleType) -> None:
    flow = _collect(kit, pattern=re.compile("10[0-9]+"))
    _, actions = kit.run(flow, a.Digits(at=kit.AT, digits="2045#"))
    assert kit.spoken(actions) == ["Not valid."]
    _, actions = kit.run(flow, a.Digits(at=kit.AT, digits="2045#"), a.Digits(at=kit.AT, digits="9999#"))
    assert kit.ending(actions).to_result()["reason"] == "fb"
    state, _ = kit.run(flow, a.Digits(at=kit.AT, digits="2045#"), a.Digits(at=kit.AT, digits="1045#"))
    assert state.variables["order_number"] == "1045"


def _lookup_flow(kit: ModuleType) -> m.Flow:
    flow: m.Flow = kit.flows(
        m.Lookup(
            id="find",
            kind="order",
            by="number",
            source="order_number",
            into="order",
            found="yes",
            not_found="no",
            error="err",
        ),
        m.Hangup(id="yes", reason="yes"),
        m.Hangup(id="no", reason="no"),
        m.Hangup(id="err", reason="err"),
    )
    return flow


def test_lookup_asks_the_driver_and_sets_variables_from_the_answer(kit: ModuleType) -> None:
    flow = _lookup_flow(kit)
    fs = m.FlowSet.of(flow)
    from contact_center.domain.ivr.interpreter import begin, step

    state, actions = begin(fs, "f", a.Start(at=kit.AT, caller="+1", variables={"order_number": "104521"}))
    assert actions == (a.LookUp(node="find", kind="order", by="number", key="104521"),)
    state, actions = step(state, a.LookupResult(at=kit.AT, found=True, values={"status": "shipped"}))
    assert state.variables["order.status"] == "shipped" and state.variables["order.found"] is True
    end = kit.ending(list(actions))
    assert end.to_result()["reason"] == "yes"
    assert [(x.kind, x.key, x.found, dict(x.values)) for x in end.trail.answers] == [
        ("order", "104521", True, {"status": "shipped"})
    ]


def test_lookup_not_found_failed_and_without_a_key(kit: ModuleType) -> None:
    from contact_center.domain.ivr.interpreter import begin, step

    fs = m.FlowSet.of(_lookup_flow(kit))
    state, _ = begin(fs, "f", a.Start(at=kit.AT, caller="+1", variables={"order_number": "1"}))
    _, actions = step(state, a.LookupResult(at=kit.AT, found=False))
    assert kit.ending(list(actions)).to_result()["reason"] == "no"
    failed, actions = step(state, a.LookupFailed(at=kit.AT, reason="database down"))
    assert kit.ending(list(actions)).to_result()["reason"] == "err"
    assert failed.variables["order.found"] is False  # so a flow can branch on it after an error too
    _, actions = begin(fs, "f", a.Start(at=kit.AT, caller="+1"))  # no order_number: no question asked
    assert not any(isinstance(x, a.LookUp) for x in actions)
    assert kit.ending(list(actions)).to_result()["reason"] == "no"


def test_a_second_lookup_forgets_what_the_first_found(kit: ModuleType) -> None:
    from contact_center.domain.ivr.interpreter import begin, step

    flow = kit.flows(
        m.Lookup(
            id="one", kind="order", by="number", source="n", into="order", found="two", not_found="two", error="two"
        ),
        m.Lookup(id="two", kind="order", by="number", source="n", into="order", found="z", not_found="z", error="z"),
        m.Hangup(id="z"),
    )
    state, _ = begin(m.FlowSet.of(flow), "f", a.Start(at=kit.AT, caller="+1", variables={"n": "1"}))
    state, _ = step(state, a.LookupResult(at=kit.AT, found=True, values={"carrier": "UPS"}))
    state, _ = step(state, a.LookupResult(at=kit.AT, found=False))
    assert "order.carrier" not in state.variables and state.variables["order.found"] is False


def test_branch_takes_the_first_true_case_else_the_default(kit: ModuleType) -> None:
    from contact_center.domain.ivr.conditions import parse_condition

    def flow(vip: bool, tier: int) -> m.Flow:
        made: m.Flow = kit.flows(
            m.SetVars(id="s", values={"vip": vip, "tier": tier}, next="b"),
            m.Branch(id="b", cases=((parse_condition("vip"), "v"), (parse_condition("tier >= 2"), "t")), otherwise="o"),
            m.Hangup(id="v", reason="v"),
            m.Hangup(id="t", reason="t"),
            m.Hangup(id="o", reason="o"),
        )
        return made

    reasons = [kit.ending(kit.run(flow(v, t))[1]).to_result()["reason"] for v, t in [(True, 3), (False, 3), (False, 1)]]
    assert reasons == ["v", "t", "o"]


def _hours_flow(kit: ModuleType) -> m.Flow:
    flow: m.Flow = kit.flows(
        m.Hours(id="h", calendar="support", open="o", closed="c", holiday="hol"),
        m.Hangup(id="o", reason="open"),
        m.Hangup(id="c", reason="closed"),
        m.Hangup(id="hol", reason="holiday"),
    )
    return flow


CALENDAR = Calendar.from_config(
    "support", "America/New_York", {"mon": [["08:00", "20:00"]]}, holidays={"2026-03-16": "Founders Day"}
)


def test_hours_fetches_the_named_calendar_and_routes_by_its_status_at_that_instant(kit: ModuleType) -> None:
    import datetime as dt

    from contact_center.domain.ivr.interpreter import begin, step

    state, actions = begin(m.FlowSet.of(_hours_flow(kit)), "f", a.Start(at=kit.AT, caller="+1"))
    assert actions == (a.FetchCalendar(node="h", name="support"),)
    cases = [(kit.AT, "open"), (kit.AT + dt.timedelta(hours=12), "closed"), (kit.AT + dt.timedelta(days=7), "holiday")]
    for at, expected in cases:
        after, actions = step(state, a.CalendarResult(at=at, calendar=CALENDAR))
        assert kit.ending(list(actions)).to_result()["reason"] == expected
        assert after.variables["hours.status"] == expected
    after, _ = step(state, a.CalendarResult(at=kit.AT + dt.timedelta(days=7), calendar=CALENDAR))
    assert after.variables["hours.holiday"] == "Founders Day"


def test_hours_with_an_unknown_calendar_counts_as_closed(kit: ModuleType) -> None:
    from contact_center.domain.ivr.interpreter import begin, step

    state, _ = begin(m.FlowSet.of(_hours_flow(kit)), "f", a.Start(at=kit.AT, caller="+1"))
    _, actions = step(state, a.CalendarResult(at=kit.AT, calendar=None))
    end = kit.ending(list(actions))
    assert end.to_result()["reason"] == "closed" and end.trail.answers[0].found is False


def test_set_renders_templates_and_keeps_literal_values(kit: ModuleType) -> None:
    flow = kit.flows(
        m.SetVars(id="s", values={"a": 1, "b": kit.t("x{caller}"), "c": None, "d": True}, next="z"), m.Hangup(id="z")
    )
    state, _ = kit.run(flow, caller="+15")
    assert {k: state.variables[k] for k in "abcd"} == {"a": 1, "b": "x+15", "c": None, "d": True}
