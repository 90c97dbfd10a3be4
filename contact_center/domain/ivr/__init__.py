"""IVR flows, pure: the flow model, templates, conditions, graph checks and the interpreter.

Drive a call with ``begin(flows, entry, Start(...))`` then ``step(state, input)``;
see ``actions`` for what the driver must do with each action.
"""

from contact_center.domain.ivr.actions import (
    Abandoned,
    Action,
    CalendarResult,
    CallerHungUp,
    CollectDigits,
    Digits,
    Enqueue,
    FetchCalendar,
    FlowEnd,
    HangUp,
    Input,
    LookUp,
    LookupFailed,
    LookupResult,
    NoInput,
    Play,
    RecordVoicemail,
    RequestCallback,
    Speech,
    Start,
    TransferCall,
)
from contact_center.domain.ivr.interpreter import begin, step
from contact_center.domain.ivr.model import Flow, FlowSet
from contact_center.domain.ivr.state import SessionState, initial_state
from contact_center.domain.ivr.trail import IvrTrail, TrailAnswer, TrailInput

__all__ = [
    "Abandoned",
    "Action",
    "CalendarResult",
    "CallerHungUp",
    "CollectDigits",
    "Digits",
    "Enqueue",
    "FetchCalendar",
    "Flow",
    "FlowEnd",
    "FlowSet",
    "HangUp",
    "Input",
    "IvrTrail",
    "LookUp",
    "LookupFailed",
    "LookupResult",
    "NoInput",
    "Play",
    "RecordVoicemail",
    "RequestCallback",
    "SessionState",
    "Speech",
    "Start",
    "TrailAnswer",
    "TrailInput",
    "TransferCall",
    "begin",
    "initial_state",
    "step",
]
