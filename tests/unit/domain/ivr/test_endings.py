"""End nodes, flow changes, safety stops and the trail."""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import ModuleType

from contact_center.domain.ivr import actions as a
from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.interpreter import MAX_HOPS, begin, step


def test_queue_renders_priority_skills_agent_and_data_after_its_say(kit: ModuleType) -> None:
    flow = kit.flows(
        m.SetVars(id="s", values={"p": "7", "lang": "spanish", "mgr": "maria"}, next="q"),
        m.QueueCall(
            id="q",
            queue="billing",
            priority=kit.t("{p}"),
            agent=kit.t("{mgr}"),
            skills=(kit.t("billing"), kit.t("{lang}"), kit.t("{missing}"), kit.t("billing")),
            data={"topic": "billing", "who": kit.t("{caller}")},
            say=kit.p("Please hold."),
        ),
    )
    _, actions = kit.run(flow, caller="+15")
    assert kit.spoken(actions) == ["Please hold."]
    end = kit.ending(actions)
    assert isinstance(end, a.Enqueue)
    assert end.to_result() == {
        "action": "queue",
        "queue": "billing",
        "priority": 7,
        "skills": ["billing", "spanish"],
        "agent": "maria",
        "data": {"topic": "billing", "who": "+15"},
    }
    assert end.trail.outcome == "queue"


def test_a_priority_that_is_not_a_number_becomes_zero(kit: ModuleType) -> None:
    flow = kit.flows(m.QueueCall(id="q", queue="general", priority=kit.t("{nothing}")))
    end = kit.ending(kit.run(flow)[1])
    assert isinstance(end, a.Enqueue) and end.priority == 0 and end.agent is None


def test_callback_defaults_to_the_callers_number(kit: ModuleType) -> None:
    flow = kit.flows(m.Callback(id="cb", queue="billing", number=kit.t("{caller}"), priority=3, skills=(kit.t("x"),)))
    end = kit.ending(kit.run(flow, caller="+12125550101")[1])
    assert end.to_result() == {
        "action": "callback",
        "queue": "billing",
        "number": "+12125550101",
        "priority": 3,
        "skills": ["x"],
    }


def test_voicemail_carries_its_prompt_and_length(kit: ModuleType) -> None:
    flow = kit.flows(m.Voicemail(id="vm", mailbox="general", prompt=kit.p("After the tone."), max_seconds=90))
    end = kit.ending(kit.run(flow)[1])
    assert isinstance(end, a.RecordVoicemail)
    assert end.prompt is not None and end.prompt.text == "After the tone."
    assert end.to_result() == {"action": "voicemail", "mailbox": "general", "max_seconds": 90}
    assert "After the tone." in end.trail.prompts


def test_transfer_goes_to_an_external_number(kit: ModuleType) -> None:
    flow = kit.flows(m.Transfer(id="t", number=kit.t("+18005550199"), say=kit.p("Transferring.")))
    _, actions = kit.run(flow)
    assert kit.spoken(actions) == ["Transferring."]
    assert kit.ending(actions).to_result() == {"action": "transfer", "number": "+18005550199"}


def test_hangup_says_goodbye_first(kit: ModuleType) -> None:
    _, actions = kit.run(kit.flows(m.Hangup(id="h", say=kit.p("Goodbye."))))
    assert kit.spoken(actions) == ["Goodbye."] and isinstance(actions[-1], a.HangUp)


def test_goto_jumps_within_a_flow_and_into_another_flow(kit: ModuleType) -> None:
    main = kit.flows(m.Goto(id="g", target="x"), m.Goto(id="x", target=None, flow="other"), name="main")
    other = kit.flows(m.Say(id="hi", prompt=kit.p("Other."), next="z"), m.Hangup(id="z", reason="other"), name="other")
    _, actions = kit.run(m.FlowSet.of(main, other), entry="main")
    end = kit.ending(actions)
    assert end.to_result()["reason"] == "other"
    assert end.trail.path == ("g", "x", "other:hi", "other:z")
    assert end.trail.flow == "main" and end.trail.version == "v-main"


def test_subflow_runs_until_return_then_continues(kit: ModuleType) -> None:
    main = kit.flows(
        m.SubFlow(id="call", flow="sub", next="after"),
        m.Say(id="after", prompt=kit.p("Back."), next="z"),
        m.Hangup(id="z"),
        name="main",
    )
    sub = kit.flows(m.Say(id="in", prompt=kit.p("Inside."), next="ret"), m.Return(id="ret"), name="sub")
    _, actions = kit.run(m.FlowSet.of(main, sub), entry="main")
    assert kit.spoken(actions) == ["Inside.", "Back."]
    assert kit.ending(actions).trail.path == ("call", "sub:in", "sub:ret", "after", "z")


def test_return_from_the_entry_flow_hangs_up(kit: ModuleType) -> None:
    end = kit.ending(kit.run(kit.flows(m.Return(id="r")))[1])
    assert end.to_result() == {"action": "hangup", "reason": "return"}


def test_a_loop_that_takes_no_input_is_stopped(kit: ModuleType) -> None:
    flow = kit.flows(m.Goto(id="a", target="b"), m.Goto(id="b", target="a"))
    state, actions = kit.run(flow)
    assert kit.ending(actions).to_result() == {"action": "hangup", "reason": "loop"}
    assert len(state.path) == MAX_HOPS


def test_too_many_inputs_end_the_call(kit: ModuleType) -> None:
    flow = kit.flows(m.Menu(id="m", prompt=kit.p("?"), options={"1": "m"}, fallback="m"), max_inputs=3)
    state, actions = kit.run(flow, *[a.Digits(at=kit.AT, digits="1")] * 5)
    assert kit.ending(actions).to_result() == {"action": "hangup", "reason": "too_many_inputs"}
    assert state.inputs == 4


def test_the_caller_can_hang_up_at_any_time(kit: ModuleType) -> None:
    flow = kit.flows(m.Menu(id="m", prompt=kit.p("?"), options={"1": "z"}, fallback="z"), m.Hangup(id="z"))
    state, actions = kit.run(flow, a.CallerHungUp(at=kit.AT))
    end = kit.ending(actions)
    assert isinstance(end, a.Abandoned) and end.trail.outcome == "abandoned" and state.done


def test_inputs_the_session_is_not_waiting_for_are_ignored(kit: ModuleType) -> None:
    flow = kit.flows(m.Menu(id="m", prompt=kit.p("?"), options={"1": "z"}, fallback="z"), m.Hangup(id="z"))
    state, _ = kit.run(flow)
    for stray in (
        a.LookupResult(at=kit.AT, found=True),
        a.CalendarResult(at=kit.AT, calendar=None),
        a.Start(at=kit.AT, caller="+1"),
    ):
        assert step(state, stray) == (state, ())


def test_a_finished_session_does_nothing_more(kit: ModuleType) -> None:
    state, _ = kit.run(kit.flows(m.Hangup(id="z")))
    assert step(state, a.Digits(at=kit.AT, digits="1")) == (state, ())


def test_a_session_keeps_the_flow_set_it_started_with(kit: ModuleType) -> None:
    old = kit.flows(m.Menu(id="m", prompt=kit.p("?"), options={"1": "z"}, fallback="z"), m.Hangup(id="z", reason="old"))
    state, _ = begin(m.FlowSet.of(old), "f", a.Start(at=kit.AT, caller="+1"))
    new = kit.flows(m.Menu(id="m", prompt=kit.p("?"), options={"1": "z"}, fallback="z"), m.Hangup(id="z", reason="new"))
    new = dataclasses.replace(new, version="v-2")
    assert m.FlowSet.of(new).version != state.flows.version  # a reload made a new set ...
    _, actions = step(state, a.Digits(at=kit.AT, digits="1"))
    assert kit.ending(list(actions)).to_result()["reason"] == "old"  # ... that this call never sees


def test_the_trail_records_path_inputs_answers_and_exports_an_activity(kit: ModuleType) -> None:
    flow = kit.flows(
        m.Lookup(
            id="who",
            kind="customer",
            by="phone",
            source="caller",
            into="customer",
            found="menu",
            not_found="menu",
            error="menu",
        ),
        m.Menu(id="menu", prompt=kit.p("Press 1."), options={"1": "q"}, fallback="q"),
        m.QueueCall(id="q", queue="general"),
    )
    later = kit.AT.replace(minute=2)
    state, _ = begin(m.FlowSet.of(flow), "f", a.Start(at=kit.AT, caller="+12125550101"))
    state, _ = step(state, a.LookupResult(at=kit.AT, found=True, values={"id": 42, "first_name": "Ana"}))
    state, _ = step(state, a.Digits(at=later, digits="5"))
    _, actions = step(state, a.Digits(at=later, digits="1"))
    trail = kit.ending(list(actions)).trail
    assert trail.customer_id == 42 and trail.duration_seconds == 120
    assert trail.path == ("who", "menu", "q")
    data = trail.to_dict()
    assert data["inputs"] == [
        {"node": "menu", "kind": "digits", "value": "5", "ok": False},
        {"node": "menu", "kind": "digits", "value": "1", "ok": True},
    ]
    assert data["answers"][0]["values"] == {"id": 42, "first_name": "Ana"}
    assert data["outcome"] == "queue" and data["started_at"] == kit.AT.isoformat()
    activity = trail.to_activity()
    assert activity["type"] == "ivr" and activity["customer_id"] == 42 and activity["outcome"] == "queue"
    assert activity["details"]["path"] == ["who", "menu", "q"]


def test_a_caller_who_hangs_up_during_the_last_prompts_is_abandoned_with_the_whole_trail(kit: ModuleType) -> None:
    """The flow ended (queue) but the driver was still playing "Please hold." when the caller left."""
    flow = kit.flows(m.QueueCall(id="q", queue="billing", say=kit.p("Please hold.")))
    state, actions = kit.run(flow, caller="+15")
    queued = kit.ending(actions)
    left_at = queued.trail.ended_at + dt.timedelta(seconds=2)
    state, actions = step(state, a.CallerHungUp(at=left_at))
    [abandoned] = actions
    assert isinstance(abandoned, a.Abandoned)
    assert abandoned.trail.outcome == "abandoned" and abandoned.trail.ended_at == left_at
    assert abandoned.trail.path == queued.trail.path and "Please hold." in abandoned.trail.prompts
    assert step(state, a.CallerHungUp(at=left_at)) == (state, ())  # once abandoned, nothing more happens


def test_the_trail_names_each_labelled_node_on_the_path_in_any_flow(kit: ModuleType) -> None:
    main = kit.flows(m.Goto(id="g", target="x", label="Start"), m.Goto(id="x", target=None, flow="other"), name="main")
    other = kit.flows(
        m.Say(id="hi", prompt=kit.p("Other."), next="z", label="Greeting"), m.Hangup(id="z"), name="other"
    )
    _, actions = kit.run(m.FlowSet.of(main, other), entry="main")
    trail = kit.ending(actions).trail
    assert trail.labels == {"g": "Start", "other:hi": "Greeting"}  # unlabelled nodes keep their ids
    assert trail.to_dict()["labels"] == {"g": "Start", "other:hi": "Greeting"}
