"""Telephony: the port the call sessions use, and its adapters.

- ``port``: ``TelephonyPort`` (the Protocol), prompts (``PromptFile``, ``Speech``), ``CallEnded``.
- ``events``: ``CallArrived``, ``DigitReceived``, ``CallHungUp``, ``BridgeEnded``, ``LineStatusChanged``.
- ``detail``: per-leg ``CallDetail`` (times, who hung up, SIP codes, recording).
- ``sip``: ``SipTelephony``, the pyVoIP adapter (the only code that knows pyVoIP).
- ``simulated``: ``SimulatedTelephony`` with the same port.
- ``prompts``: WAV and espeak-ng prompts, 8 kHz, cached on disk.

Import the SIP adapter from ``contact_center.telephony.sip`` so that using the simulated
one does not load pyVoIP.
"""

from contact_center.telephony.detail import CallDetail
from contact_center.telephony.events import (
    BridgeEnded,
    CallArrived,
    CallHungUp,
    DigitReceived,
    HangupBy,
    LegKind,
    LineStatus,
    LineStatusChanged,
    OriginateOutcome,
    TelephonyEvent,
)
from contact_center.telephony.port import CallEnded, OriginateResult, Prompt, PromptFile, Speech, TelephonyPort

__all__ = [
    "BridgeEnded",
    "CallArrived",
    "CallDetail",
    "CallEnded",
    "CallHungUp",
    "DigitReceived",
    "HangupBy",
    "LegKind",
    "LineStatus",
    "LineStatusChanged",
    "OriginateOutcome",
    "OriginateResult",
    "Prompt",
    "PromptFile",
    "Speech",
    "TelephonyEvent",
    "TelephonyPort",
]
