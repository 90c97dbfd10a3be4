"""Retransmissions at T1, 2*T1 ... capped at T2, stopped by the answer, given up at the end;
and the timer thread itself runs what is due and stops cleanly."""

import threading
from typing import cast

from contact_center.telephony.sip_timers import Retransmit, TimerThread
from tests.unit.telephony.manual_timers import ManualTimers


def test_retransmit_doubles_up_to_t2_until_it_gives_up() -> None:
    timers = ManualTimers()
    sent: list[float] = []
    gave_up: list[float] = []
    Retransmit(
        cast(TimerThread, timers),
        lambda: sent.append(timers.now),
        until=32,
        t1=0.5,
        t2=4,
        on_timeout=lambda: gave_up.append(timers.now),
    )
    timers.advance(60)
    assert sent == [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]  # RFC 3261 timer G's schedule
    assert gave_up == [32]


def test_stopped_retransmission_sends_no_more_and_never_times_out() -> None:
    timers = ManualTimers()
    sent: list[float] = []
    gave_up: list[float] = []
    r = Retransmit(
        cast(TimerThread, timers),
        lambda: sent.append(timers.now),
        until=32,
        on_timeout=lambda: gave_up.append(timers.now),
        start=False,
    )
    assert sent == []  # not before start()
    r.start()
    timers.advance(1)
    r.stop()
    timers.advance(60)
    assert sent == [0, 0.5] and gave_up == []


def test_timer_thread_runs_callbacks_in_due_order_and_joins_on_stop() -> None:
    timers = TimerThread("test-timers")
    timers.start()
    order: list[int] = []
    done = threading.Event()

    def third() -> None:
        order.append(3)
        done.set()

    def fails() -> None:
        _ = 1 / 0

    try:
        timers.call_later(0.03, third)
        timers.call_later(0.01, lambda: order.append(1))
        timers.call_later(0.02, lambda: order.append(2)).cancel()
        timers.call_later(0.0, fails)  # a failing callback does not stop the thread
        assert done.wait(5)
    finally:
        timers.stop()
    assert order == [1, 3]
    assert not [t for t in threading.enumerate() if t.name == "test-timers"]
    assert timers.call_later(0, lambda: None).cancelled  # nothing runs on a stopped thread
