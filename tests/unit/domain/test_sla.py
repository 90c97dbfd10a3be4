import datetime as dt

from contact_center.domain import sla
from contact_center.domain.calendar import Calendar, always_open

T0 = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)  # Monday 09:00 New York
NY = Calendar.from_config(
    "ny", "America/New_York", {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
)


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


def test_clock_runs_only_in_business_hours() -> None:
    clock = sla.start(hours(10), T0)
    assert clock.due_at(NY) == T0 + dt.timedelta(days=1, hours=2)  # 8 h Monday + 2 h Tuesday
    assert not clock.breached(NY, T0 + hours(9))
    assert clock.breached(NY, T0 + dt.timedelta(days=1, hours=2))


def test_pause_and_resume_keep_used_time() -> None:
    clock = sla.start(hours(4), T0)
    paused = sla.on_status(clock, "pending_customer", NY, T0 + hours(3))
    assert paused.running_since is None and paused.used == hours(3)
    assert paused.due_at(NY) is None
    assert not paused.breached(NY, T0 + dt.timedelta(days=30))
    resumed = sla.on_status(paused, "open", NY, T0 + dt.timedelta(days=1))
    assert resumed.due_at(NY) == T0 + dt.timedelta(days=1, hours=1)
    stopped = sla.on_status(resumed, "resolved", NY, T0 + dt.timedelta(days=1, minutes=30))
    assert stopped.used == hours(3.5) and stopped.running_since is None


def test_escalation_levels_step_every_half_target() -> None:
    clock = sla.start(hours(2), T0)
    cal = always_open()
    assert clock.escalation_level(cal, T0 + hours(1.9)) == 0
    assert clock.escalation_level(cal, T0 + hours(2)) == 1
    assert clock.escalation_level(cal, T0 + hours(2.99)) == 1
    assert clock.escalation_level(cal, T0 + hours(3)) == 2
    assert clock.escalation_level(cal, T0 + hours(100)) == sla.MAX_ESCALATION_LEVEL


def test_status_changes_between_running_states_do_not_reset_the_clock() -> None:
    clock = sla.start(hours(2), T0)
    again = sla.on_status(clock, "open", NY, T0 + hours(1))
    assert again == clock
