"""What the parts of ``FixedVoIPPhone`` (inbound and outbound calls) share: the phone's
attributes they use and the User-Agent every request and answer of ours carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from contact_center.telephony.capacity import PortPool
from contact_center.telephony.events import HangupBy
from contact_center.telephony.media import MediaEngine
from contact_center.telephony.pyvoip_fixes import FixedSIPClient, FixedVoIPCall
from contact_center.telephony.sip_timers import TimerThread

if TYPE_CHECKING:
    from contact_center.telephony.pyvoip_line import LineListener

UA = "contact-center (pyVoIP 1.6.8)"


class PhoneParts:
    """Declarations only: ``FixedVoIPPhone`` sets these up and defines the methods."""

    calls: dict[str, FixedVoIPCall]
    sip: FixedSIPClient
    timers: TimerThread
    pool: PortPool
    engine: MediaEngine
    listener: LineListener
    myIP: str
    t1: float

    if TYPE_CHECKING:

        def finish(self, call: FixedVoIPCall, by: HangupBy, code: int | None, reason: str = "") -> None: ...
        def _contact(self) -> str: ...
