import dataclasses
import datetime as dt

import pytest

from contact_center.domain.calendar import Calendar, CalendarError, Override, always_open

UTC = dt.UTC
OFFICE = Calendar.from_config(
    "office",
    "Europe/Berlin",
    {d: [["09:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays={"2026-12-25": "Christmas"},
    exceptions={"2026-12-24": [["09:00", "12:00"]], "2026-12-31": []},
)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_status_uses_local_time_lunch_breaks_holidays_and_exceptions() -> None:
    assert OFFICE.status(at(21, 8)) == "open"  # 09:00 Berlin on a Monday
    assert OFFICE.status(at(21, 7, 59)) == "closed"
    assert OFFICE.status(at(21, 11, 30)) == "closed"  # lunch
    assert OFFICE.status(at(25, 10)) == "holiday"
    assert OFFICE.holiday_name(at(25, 10)) == "Christmas"
    assert OFFICE.status(at(24, 10)) == "open" and OFFICE.status(at(24, 12)) == "closed"  # short day
    assert OFFICE.status(at(31, 10)) == "closed"
    assert OFFICE.status(at(26, 10)) == "closed"  # Saturday


def test_dst_change_is_respected() -> None:
    # Berlin moves to summer time on 2026-03-29: 09:00 local is 08:00 UTC before and 07:00 UTC after.
    assert OFFICE.is_open(dt.datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    assert OFFICE.is_open(dt.datetime(2026, 3, 30, 7, 0, tzinfo=UTC))
    assert not OFFICE.is_open(dt.datetime(2026, 3, 27, 7, 30, tzinfo=UTC))


def test_business_time_arithmetic() -> None:
    start = at(23, 15)  # Wednesday 16:00 Berlin: one hour left today
    assert OFFICE.add_business_time(start, dt.timedelta(hours=1)) == at(23, 16)
    # Thursday 24th is a short day (3 h), Friday 25th a holiday, so 5 h lands on Monday 28th 10:00 Berlin.
    assert OFFICE.add_business_time(start, dt.timedelta(hours=5)) == at(28, 9)
    assert OFFICE.business_time_between(start, at(28, 9)) == dt.timedelta(hours=5)
    assert OFFICE.next_open(at(25, 10)) == at(28, 8)


def test_always_open_and_midnight_spans() -> None:
    cal = always_open("Asia/Tokyo")
    assert cal.is_open(at(25, 0))
    assert cal.add_business_time(at(1, 0), dt.timedelta(days=3)) == at(4, 0)


@pytest.mark.parametrize(
    ("weekly", "tz", "message"),
    [
        ({"mon": [["17:00", "09:00"]]}, "UTC", "ends before it starts"),
        ({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, "UTC", "overlap"),
        ({"mon": [["9am", "5pm"]]}, "UTC", "not a time"),
        ({"funday": [["09:00", "10:00"]]}, "UTC", "unknown weekday"),
        ({}, "Mars/Base", "unknown time zone"),
    ],
)
def test_bad_definitions_are_refused_with_a_reason(weekly: dict[str, list[list[str]]], tz: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        Calendar.from_config("x", tz, weekly)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        OFFICE.status(dt.datetime(2026, 12, 21, 10))


def test_an_open_override_opens_a_closed_evening_and_everything_follows_it() -> None:
    saturday = at(26, 18)  # 19:00 Berlin on a Saturday: closed by the hours
    opened = dataclasses.replace(OFFICE, override=Override("open", saturday, at(26, 21), "year-end push"))
    assert OFFICE.status(saturday) == "closed" and opened.status(saturday) == "open"
    assert opened.status(at(26, 21)) == "closed"  # until is exclusive: the hours again
    assert opened.next_open(at(26, 17)) == saturday  # the override starts here
    assert next(opened.open_intervals(at(26, 19))) == (at(26, 19), at(26, 21))
    assert opened.business_time_between(at(26, 17), at(28, 9)) == dt.timedelta(hours=3 + 1)  # Monday opens 08 UTC
    assert opened.add_business_time(saturday, dt.timedelta(hours=4)) == at(28, 9)  # 3 h on Saturday, 1 h Monday


def test_a_closed_override_closes_open_hours_until_it_ends() -> None:
    monday = at(21, 9)  # 10:00 Berlin, open by the hours
    closed = dataclasses.replace(OFFICE, override=Override("closed", monday, at(21, 13), "fire drill"))
    assert closed.status(monday) == "closed" and closed.status(at(21, 13)) == "open"
    assert closed.next_open(monday) == at(21, 13)
    assert closed.business_time_between(at(21, 8), at(21, 16)) == dt.timedelta(hours=1 + 3)  # 08-09, 13-16 UTC
    assert closed.status(at(20, 9)) == OFFICE.status(at(20, 9))  # before it was set: the hours


def test_an_override_that_ended_changes_nothing() -> None:
    past = dataclasses.replace(OFFICE, override=Override("closed", at(1, 9), at(1, 10)))
    assert list(past.open_intervals(at(21, 0), days=3)) == list(OFFICE.open_intervals(at(21, 0), days=3))
