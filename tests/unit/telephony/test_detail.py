from pathlib import Path

from contact_center.telephony.detail import new_leg
from contact_center.telephony.events import HangupBy, LegKind


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_leg_records_times_codes_hold_and_end_once() -> None:
    clock = Clock()
    leg = new_leg("c1", LegKind.INBOUND, "+15551234567", "100", clock)
    clock.now = 1001.0
    leg.answered()
    leg.code(200)
    clock.now = 1005.0
    leg.queued()
    leg.hold(True)
    clock.now = 1035.0
    leg.hold(False)
    leg.connected("agent-1")
    leg.digit("1")
    leg.recording(Path("rec/c1.wav"))
    clock.now = 1095.0
    assert leg.ended(HangupBy.REMOTE, 200)
    assert not leg.ended(HangupBy.LOCAL)  # the first end wins
    d = leg.snapshot()
    assert (d.arrived_at, d.answered_at, d.queued_at, d.hold_started_at) == (1000.0, 1001.0, 1005.0, 1005.0)
    assert d.hold_seconds == 30.0
    assert (d.connected_at, d.ended_at, d.talk_seconds) == (1035.0, 1095.0, 60.0)
    assert d.hung_up_by is HangupBy.REMOTE
    assert d.sip_codes == (200, 200)
    assert (d.bridged_with, d.digits, d.recording) == ("agent-1", "1", Path("rec/c1.wav"))


def test_hold_still_running_at_the_end_is_counted() -> None:
    clock = Clock()
    leg = new_leg("c2", LegKind.INBOUND, "a", "b", clock)
    leg.hold(True)
    clock.now += 12
    leg.ended(HangupBy.REMOTE)
    assert leg.snapshot().hold_seconds == 12


def test_a_dialled_leg_keeps_ringing_time_final_code_and_reason() -> None:
    clock = Clock()
    leg = new_leg("out-1", LegKind.AGENT, "ivr", "2001", clock)
    leg.code(100)
    clock.now = 1000.5
    leg.code(180)
    clock.now = 1012.0
    leg.code(486)
    leg.ended(HangupBy.REMOTE, None, "Busy Here")
    detail = leg.snapshot()
    assert (detail.ringing_at, detail.final_code, detail.end_reason) == (1000.5, 486, "Busy Here")
    assert detail.ring_seconds == 12.0 and detail.answered_at is None
