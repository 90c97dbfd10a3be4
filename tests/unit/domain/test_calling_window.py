"""When a callback may be placed: the customer's 8:00-21:00 and the queue's opening hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from contact_center.domain.calendar import Calendar
from contact_center.domain.calling_window import customer_zone, next_call_time, within_customer_hours

LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def weekdays_9_to_17_new_york() -> Calendar:
    week = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    return Calendar.from_config("ny-office", "America/New_York", week)


def test_a_time_inside_the_customers_day_stays() -> None:
    at = utc(2026, 11, 23, 18, 0)  # 10:00 in Los Angeles
    assert within_customer_hours(at, LA) == at


def test_too_early_or_too_late_for_the_customer_moves_to_their_next_morning() -> None:
    assert within_customer_hours(utc(2026, 11, 23, 14, 0), LA) == utc(2026, 11, 23, 16, 0)  # 6:00 → 8:00 LA
    assert within_customer_hours(utc(2026, 11, 24, 6, 0), LA) == utc(2026, 11, 24, 16, 0)  # 22:00 → 8:00 next day


def test_both_the_customer_and_the_queue_must_allow_it() -> None:
    queue = weekdays_9_to_17_new_york()
    # Friday 16:30 New York is 13:30 in LA: fine for both.
    assert next_call_time(utc(2026, 11, 27, 21, 30), LA, queue) == utc(2026, 11, 27, 21, 30)
    # Friday 18:00 New York: the queue has closed; Monday 9:00 New York is 6:00 in LA, too early there,
    # so the first moment both allow is Monday 8:00 LA (11:00 New York).
    assert next_call_time(utc(2026, 11, 27, 23, 0), LA, queue) == utc(2026, 11, 30, 16, 0)
    # A New York customer on Saturday waits for Monday 9:00.
    assert next_call_time(utc(2026, 11, 28, 15, 0), NY, queue) == utc(2026, 11, 30, 14, 0)


def test_a_queue_that_never_opens_gives_no_time() -> None:
    closed = Calendar.from_config("never", "UTC", {})
    assert next_call_time(utc(2026, 11, 23, 12, 0), NY, closed) is None


def test_an_unknown_zone_falls_back() -> None:
    assert customer_zone("Mars/Olympus", NY) is NY and customer_zone(None, NY) is NY
    assert customer_zone("Europe/Berlin", NY) == ZoneInfo("Europe/Berlin")
