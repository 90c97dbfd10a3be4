"""The IVR interpreter: ``step(state, input) -> (state, actions)``, pure and synchronous.

Within a step the session walks nodes that need no answer (say, set, branch, goto,
sub-flows) until it reaches one that waits for the caller (menu, collect), for the
CRM (lookup, hours) or ends the flow. Unexpected inputs are ignored; a caller
hang-up ends the session at any time. Safety stops guarantee that any input
sequence ends in a defined action: a step may visit at most ``MAX_HOPS`` nodes,
and a session accepts at most ``flow.max_inputs`` answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.actions import (
    Abandoned,
    Action,
    CalendarResult,
    CallerHungUp,
    Digits,
    FetchCalendar,
    HangUp,
    Input,
    LookUp,
    LookupFailed,
    LookupResult,
    NoInput,
    Start,
)
from contact_center.domain.ivr.asking import answer as _answer
from contact_center.domain.ivr.asking import ask as _ask
from contact_center.domain.ivr.run import Run
from contact_center.domain.ivr.state import SessionState, initial_state
from contact_center.domain.ivr.trail import TrailAnswer

MAX_HOPS = 500


def begin(flows: m.FlowSet, entry: str, start: Start) -> tuple[SessionState, tuple[Action, ...]]:
    """Start a session of flow ``entry``: the initial state stepped with ``start``."""
    return step(initial_state(flows, entry), start)


def step(state: SessionState, event: Input) -> tuple[SessionState, tuple[Action, ...]]:
    if state.end is not None:
        if isinstance(event, CallerHungUp) and not isinstance(state.end, Abandoned):
            return _left_at_the_end(state, event)
        return state, ()
    run = Run(state, event.at)
    if isinstance(event, CallerHungUp):
        run.finish(Abandoned, {})
        return run.freeze()
    waiting = state.waiting
    if waiting == "digits" and isinstance(event, (Digits, NoInput)):
        target = _answer(run, event)
    elif waiting == "lookup" and isinstance(event, (LookupResult, LookupFailed)):
        target = _looked_up(run, event)
    elif waiting == "calendar" and isinstance(event, CalendarResult):
        target = _hours(run, event)
    elif waiting == "start" and isinstance(event, Start):
        run.started_at = event.at
        variables = run.writable()
        variables.update({"caller": event.caller, "dialed": event.dialed, "language": state.flow.default_language})
        variables.update(event.variables)
        run.language_changed()
        target = state.flow.start
    else:
        return state, ()
    if target is not None:
        _advance(run, target)
    return run.freeze()


def _left_at_the_end(state: SessionState, event: CallerHungUp) -> tuple[SessionState, tuple[Action, ...]]:
    """The flow had ended (queue, transfer, ...) but the caller hung up before the driver carried the end
    out, typically during the prompts that come before it: the call ends abandoned in the IVR, with the
    whole trail it walked."""
    assert state.end is not None
    trail = state.end.trail._replace(ended_at=event.at, outcome=Abandoned.action)
    abandoned = Abandoned(trail=trail)
    return state._replace(end=abandoned), (abandoned,)


def _advance(run: Run, target: str) -> None:
    entry, path = run.state.entry, run.path
    for _ in range(MAX_HOPS):
        flow = run.flow
        node = flow.nodes.get(target)
        if node is None:
            run.finish(HangUp, {"reason": f"unknown node {target!r}"})
            return
        # Entering a node (inlined: this loop is the interpreter's hottest path).
        run.node = node.id
        run.failures = 0
        path.append(node.id if flow.name == entry else f"{flow.name}:{node.id}")
        next_target = _ENTER[type(node)](run, node)
        if next_target is None:
            return
        target = next_target
    run.finish(HangUp, {"reason": "loop"})


def _say(run: Run, node: m.Say) -> str:
    run.play(node.prompt)
    return node.next


def _lookup(run: Run, node: m.Lookup) -> str | None:
    key = run.variables.get(node.source)
    if key is None or key == "" or key is False:
        run.clear(node.into)
        run.writable()[f"{node.into}.found"] = False
        run.answers.append(TrailAnswer(node.id, node.kind, "", False))
        return node.not_found
    run.actions.append(LookUp(node=node.id, kind=node.kind, by=node.by, key=str(key)))
    run.waiting = "lookup"
    return None


def _looked_up(run: Run, event: LookupResult | LookupFailed) -> str:
    node = run.flow.nodes[run.node]
    assert isinstance(node, m.Lookup)
    key = str(run.variables.get(node.source, ""))
    run.clear(node.into)
    variables = run.writable()
    if isinstance(event, LookupFailed):
        # The CRM could not answer: nothing was found, so flows may branch on `<into>.found` as usual.
        variables[f"{node.into}.found"] = False
        run.answers.append(TrailAnswer(node.id, node.kind, key, False, {"error": event.reason}))
        return node.error
    run.answers.append(TrailAnswer(node.id, node.kind, key, event.found, dict(event.values)))
    variables[f"{node.into}.found"] = event.found
    if not event.found:
        return node.not_found
    prefix = node.into + "."
    for name, value in event.values.items():
        variables[prefix + name] = value
    return node.found


def _branch(run: Run, node: m.Branch) -> str:
    for condition, target in node.cases:
        if condition.holds(run.variables):
            return target
    return node.otherwise


def _ask_calendar(run: Run, node: m.Hours) -> None:
    run.actions.append(FetchCalendar(node=node.id, name=node.calendar))
    run.waiting = "calendar"


def _hours(run: Run, event: CalendarResult) -> str:
    node = run.flow.nodes[run.node]
    assert isinstance(node, m.Hours)
    calendar = event.calendar
    status = calendar.status(event.at) if calendar is not None else "closed"
    holiday = calendar.holiday_name(event.at) if calendar is not None and status == "holiday" else None
    run.writable().update({"hours.status": status, "hours.holiday": holiday})
    values = {"status": status, "holiday": holiday}
    run.answers.append(TrailAnswer(node.id, "hours", node.calendar, calendar is not None, values))
    return {"open": node.open, "closed": node.closed, "holiday": node.holiday}[status]


def _set(run: Run, node: m.SetVars) -> str:
    language = run.language
    variables = run.writable()
    for name, value in node.values.items():
        variables[name] = m.render_value(value, variables, language)
    run.language_changed()
    return node.next


def _goto(run: Run, node: m.Goto) -> str | None:
    if node.flow is None:
        return node.target
    if node.flow not in run.flows:
        run.finish(HangUp, {"reason": f"unknown flow {node.flow!r}"})
        return None
    run.flow = run.flows[node.flow]
    return node.target or run.flow.start


def _subflow(run: Run, node: m.SubFlow) -> str | None:
    if node.flow not in run.flows:
        run.finish(HangUp, {"reason": f"unknown flow {node.flow!r}"})
        return None
    run.stack = (*run.stack, (run.flow.name, node.next))
    run.flow = run.flows[node.flow]
    return run.flow.start


def _return(run: Run, _node: m.Return) -> str | None:
    if not run.stack:
        run.finish(HangUp, {"reason": "return"})
        return None
    flow_name, target = run.stack[-1]
    run.stack = run.stack[:-1]
    run.flow = run.flows[flow_name]
    return target


def _end(run: Run, node: m.End) -> None:
    if node.say is not None:
        run.play(node.say)
    run.end_at(node)


_ENTER: dict[type[m.Node], Callable[[Run, Any], str | None]] = {
    m.Say: _say,
    m.Menu: _ask,
    m.Collect: _ask,
    m.Lookup: _lookup,
    m.Branch: _branch,
    m.Hours: _ask_calendar,
    m.SetVars: _set,
    m.QueueCall: _end,
    m.Callback: _end,
    m.Voicemail: _end,
    m.Transfer: _end,
    m.Hangup: _end,
    m.Goto: _goto,
    m.SubFlow: _subflow,
    m.Return: _return,
}
