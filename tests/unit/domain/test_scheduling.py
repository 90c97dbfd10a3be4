"""Field appointments: slots from working hours (across a DST change, around holidays and bookings), skill
and territory, and the checks a booking passes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contact_center.domain.calendar import Calendar
from contact_center.domain.service.scheduling import (
    Booked,
    BookingRefused,
    SlotQuery,
    Technician,
    check_booking,
    free_slots,
    quarters,
)

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS_8_TO_16 = {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def berlin(day: str, hm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=BERLIN)


def tech(
    tid: int = 1, *, skills: tuple[str, ...] = ("boiler",), territories: tuple[str, ...] = (), **cal: object
) -> Technician:
    calendar = Calendar.from_config(f"t{tid}", "Europe/Berlin", WEEKDAYS_8_TO_16, **cal)  # type: ignore[arg-type]
    return Technician(tid, f"Tech {tid}", frozenset(skills), territories, calendar)


def query(start: dt.datetime, until: dt.datetime, minutes: int = 120, **kw: object) -> SlotQuery:
    return SlotQuery(skill="boiler", length=dt.timedelta(minutes=minutes), earliest=start, until=until, **kw)  # type: ignore[arg-type]


def local_starts(slots: list) -> list[str]:  # type: ignore[type-arg]
    return [s.start.astimezone(BERLIN).strftime("%a %H:%M") for s in slots]


def test_a_day_is_packed_with_the_job_back_to_back_inside_each_stretch_of_working_time() -> None:
    slots = free_slots([tech()], [], query(berlin("2026-03-02", "00:00"), berlin("2026-03-03", "00:00")))
    assert local_starts(slots) == ["Mon 08:00", "Mon 10:00", "Mon 13:00", "Mon 15:00"]
    assert all(s.end - s.start == dt.timedelta(hours=2) for s in slots)


def test_local_hours_hold_across_the_change_to_summer_time() -> None:
    # Sunday 29 March 2026 Berlin moves from UTC+1 to UTC+2: Friday's 08:00 is 07:00 UTC, Monday's 06:00 UTC.
    slots = free_slots([tech()], [], query(berlin("2026-03-27", "00:00"), berlin("2026-03-31", "00:00"), minutes=240))
    assert local_starts(slots) == ["Fri 08:00", "Fri 13:00", "Mon 08:00", "Mon 13:00"]
    assert [s.start.astimezone(dt.UTC).hour for s in slots] == [7, 12, 6, 11]


def test_bookings_holidays_and_notice_take_their_time_out() -> None:
    t = tech(holidays={"2026-03-03": "Staff day"})
    booked = [Booked(1, berlin("2026-03-02", "09:00"), berlin("2026-03-02", "10:30"))]
    start = berlin("2026-03-02", "07:50")  # now plus notice: 07:50, rounded up to the quarter
    slots = free_slots([t], booked, query(start, berlin("2026-03-04", "10:00"), minutes=60))
    assert local_starts(slots) == [
        "Mon 08:00",
        "Mon 10:30",  # right after the booking that was in the way (11:30 would run into lunch)
        "Mon 13:00",
        "Mon 14:00",
        "Mon 15:00",
        "Mon 16:00",
        "Wed 08:00",  # Tuesday is a holiday; Wednesday stops at the query's end
        "Wed 09:00",
    ]


def test_skill_and_territory_choose_the_technicians_and_the_least_booked_takes_a_shared_time() -> None:
    north = tech(1, territories=("20", "Hamburg"))
    south = tech(2, territories=("80",))
    plumber = tech(3, skills=("plumbing",))
    monday = query(berlin("2026-03-02", "00:00"), berlin("2026-03-03", "00:00"), address={"postal_code": "20 095"})
    assert {s.technician_id for s in free_slots([north, south, plumber], [], monday)} == {1}
    by_city = query(berlin("2026-03-02", "00:00"), berlin("2026-03-03", "00:00"), address={"city": "hamburg"})
    assert {s.technician_id for s in free_slots([north, south], [], by_city)} == {1}
    nowhere = query(berlin("2026-03-02", "00:00"), berlin("2026-03-03", "00:00"), address={"postal_code": "50667"})
    assert free_slots([north, south], [], nowhere) == []
    anywhere_a, anywhere_b = tech(4), tech(5)
    busy_a = [Booked(4, berlin("2026-03-02", "13:00"), berlin("2026-03-02", "15:00"))]
    slots = free_slots(
        [anywhere_a, anywhere_b], busy_a, query(berlin("2026-03-02", "00:00"), berlin("2026-03-03", "00:00"))
    )
    assert [(s.technician_id) for s in slots[:2]] == [5, 5]  # 08:00 and 10:00: tech 5 has less booked that day


def test_a_booking_is_checked_for_grid_past_skill_territory_hours_and_overlap() -> None:
    t = tech(territories=("20",))
    address = {"postal_code": "20095"}
    now = berlin("2026-03-02", "07:00")
    two_hours = dt.timedelta(hours=2)
    ok = check_booking(t, berlin("2026-03-02", "10:00"), two_hours, skill="boiler", address=address, booked=[], now=now)
    assert ok == berlin("2026-03-02", "12:00")
    cases: list[tuple[dt.datetime, dict[str, object], str, str]] = [
        (berlin("2026-03-02", "10:05"), {}, "starts_at", "quarter hour"),
        (berlin("2026-03-02", "06:00"), {}, "starts_at", "in the past"),
        (berlin("2026-03-02", "11:00"), {}, "starts_at", "does not work the whole"),  # runs into lunch
        (berlin("2026-03-07", "10:00"), {}, "starts_at", "does not work the whole"),  # Saturday
        (berlin("2026-03-02", "10:00"), {"skill": "solar"}, "skill", "does not do 'solar'"),
        (berlin("2026-03-02", "10:00"), {"address": {"postal_code": "80331"}}, "technician_id", "territories"),
    ]
    for start, change, field, reason in cases:
        kw: dict[str, object] = {"skill": "boiler", "address": address, "booked": [], "now": now} | change
        with pytest.raises(BookingRefused) as refused:
            check_booking(t, start, two_hours, **kw)  # type: ignore[arg-type]
        assert refused.value.field == field and reason in refused.value.reason
    existing = Booked(1, berlin("2026-03-02", "09:00"), berlin("2026-03-02", "10:30"))
    with pytest.raises(BookingRefused, match="is booked from"):
        check_booking(
            t, berlin("2026-03-02", "10:00"), two_hours, skill="boiler", address=address, booked=[existing], now=now
        )
    # Moving that booking half an hour later: it does not stand in its own way.
    moved = check_booking(
        t, berlin("2026-03-02", "09:30"), dt.timedelta(minutes=90), skill="boiler", address=address,
        booked=[existing], now=now, ignore=existing,
    )  # fmt: skip
    assert moved == berlin("2026-03-02", "11:00")
    with pytest.raises(BookingRefused, match="quarter hours"):
        check_booking(
            t,
            berlin("2026-03-02", "10:00"),
            dt.timedelta(minutes=50),
            skill="boiler",
            address=address,
            booked=[],
            now=now,
        )


def test_an_appointment_covers_whole_quarters_in_utc() -> None:
    cells = quarters(berlin("2026-03-02", "10:00"), berlin("2026-03-02", "11:00"))
    assert [c.strftime("%H:%M") for c in cells] == ["09:00", "09:15", "09:30", "09:45"]
    assert all(c.tzinfo == dt.UTC for c in cells)
