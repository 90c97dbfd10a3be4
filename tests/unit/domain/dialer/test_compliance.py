"""Dial-time compliance: do-not-call, attempts, 72 h after an abandoned call, 08:00-21:00 on the called
person's clock (across a DST change), the campaign's narrower hours and its holidays."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from contact_center.domain.calendar import Calendar
from contact_center.domain.dialer.compliance import DialCheck, next_allowed, refusal

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
CHECK = DialCheck(zone=NEW_YORK)


def ny(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


def test_the_called_persons_clock_decides_across_a_dst_change() -> None:
    # 2026-03-08: New York moves from UTC-5 to UTC-4 at 02:00.
    assert refusal(CHECK, ny(7, 7, 59)) == "outside_calling_hours"
    assert refusal(CHECK, ny(8, 8, 0)) is None  # 12:00 UTC after the change
    # The same UTC time of day: 07:30 EST on the 7th (too early), 08:30 EDT on the 8th (fine).
    assert refusal(CHECK, dt.datetime(2026, 3, 7, 12, 30, tzinfo=UTC)) == "outside_calling_hours"
    assert refusal(CHECK, dt.datetime(2026, 3, 8, 12, 30, tzinfo=UTC)) is None
    assert refusal(CHECK, ny(8, 20, 59)) is None and refusal(CHECK, ny(8, 21, 0)) == "outside_calling_hours"
    assert next_allowed(CHECK, ny(7, 22, 0)) == ny(8, 8, 0)  # the next morning, on the new offset


def test_do_not_call_attempts_and_an_abandoned_call_come_first() -> None:
    noon = ny(10, 12)
    assert refusal(dataclasses.replace(CHECK, do_not_call=True), noon) == "do_not_call"
    assert next_allowed(dataclasses.replace(CHECK, do_not_call=True), noon) is None
    assert refusal(dataclasses.replace(CHECK, attempts=3), noon) == "attempts_used"
    abandoned = dataclasses.replace(CHECK, last_abandoned_at=noon - dt.timedelta(hours=71))
    assert refusal(abandoned, noon) == "abandoned_within_72h"
    assert next_allowed(abandoned, noon) == noon + dt.timedelta(hours=1)
    assert refusal(dataclasses.replace(CHECK, last_abandoned_at=noon - dt.timedelta(hours=73)), noon) is None


def test_a_campaign_may_narrow_the_hours_but_never_widen_them_and_keeps_its_holidays() -> None:
    narrow = dataclasses.replace(CHECK, hours=(dt.time(10), dt.time(23)))  # 23:00 is past the law's 21:00
    assert refusal(narrow, ny(10, 9, 30)) == "outside_calling_hours"
    assert refusal(narrow, ny(10, 21, 30)) == "outside_calling_hours"
    assert next_allowed(narrow, ny(10, 9, 30)) == ny(10, 10, 0)
    weekdays = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    calendar = Calendar.from_config("campaign", "America/New_York", weekdays, {"2026-03-10": "Local holiday"})
    with_days = dataclasses.replace(CHECK, calendar=calendar)
    assert refusal(with_days, ny(10, 12)) == "holiday"
    assert refusal(with_days, ny(14, 12)) == "campaign_closed"  # a Saturday
    assert next_allowed(with_days, ny(10, 12)) == ny(11, 8, 0)
    assert next_allowed(with_days, ny(13, 22)) == ny(16, 8, 0)  # Friday night -> Monday morning
