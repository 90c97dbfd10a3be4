"""Any sequence of keys, timeouts and look-up answers ends every shipped flow in a defined action."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from contact_center.domain.calendar import Calendar
from contact_center.domain.ivr import actions as a
from contact_center.domain.ivr.interpreter import begin, step
from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.demo import demo_calendars

AT = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)
ENDS = (a.Enqueue, a.RequestCallback, a.RecordVoicemail, a.TransferCall, a.HangUp, a.Abandoned)
KEYS = st.text(alphabet="0123456789*#", min_size=0, max_size=8)
ANSWER = st.one_of(st.none(), KEYS)  # None: a timeout
CALENDARS: dict[str, Calendar] = {c.name: c for c in demo_calendars()}
VALUES = st.dictionaries(
    st.sampled_from(["id", "status", "number", "first_name", "language", "vip", "open"]),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 99999), st.text(max_size=6)),
    max_size=5,
)


@st.composite
def crm_answer(draw: st.DrawFn, action: a.Action) -> a.Input:
    if isinstance(action, a.FetchCalendar):
        hours = draw(st.integers(0, 24 * 14))
        calendar = draw(st.sampled_from([CALENDARS.get(action.name), None]))
        return a.CalendarResult(at=AT + dt.timedelta(hours=hours), calendar=calendar)
    kind = draw(st.sampled_from(["found", "missing", "failed"]))
    if kind == "failed":
        return a.LookupFailed(at=AT, reason="boom")
    return a.LookupResult(at=AT, found=kind == "found", values=draw(VALUES) if kind == "found" else {})


def _shipped() -> FlowSet:
    from pathlib import Path

    from contact_center.flows.validator import validate_paths

    return FlowSet.of(*validate_paths([Path(__file__).parents[3] / "ivr_flows"]).flows.values())


FLOWS = _shipped()


@settings(max_examples=300, deadline=None)
@given(data=st.data(), entry=st.sampled_from(["main", "sales", "after_hours"]), keys=st.lists(ANSWER, max_size=60))
def test_random_digits_never_crash_and_always_end(data: st.DataObject, entry: str, keys: list[str | None]) -> None:
    state, actions = begin(FLOWS, entry, a.Start(at=AT, caller=data.draw(st.sampled_from(["+12125550101", ""]))))
    pending = list(keys)
    for _ in range(500):
        assert actions, f"stuck at {state.node}"
        last = actions[-1]
        assert all(isinstance(x, a.Play) for x in actions[:-1])
        if isinstance(last, ENDS):
            assert state.done and last.trail.outcome == last.action
            return
        if isinstance(last, a.CollectDigits):
            key = pending.pop(0) if pending else None
            event: a.Input = a.NoInput(at=AT) if key is None else a.Digits(at=AT, digits=key)
        else:
            assert isinstance(last, a.LookUp | a.FetchCalendar)
            event = data.draw(crm_answer(last))
        state, actions = step(state, event)
    raise AssertionError(f"no end after 500 steps, at {state.flow.name}:{state.node}")
