"""The analytics arithmetic against hand-worked cases: the funnel from where deals stand, quarter-hours of UTC
summed into the centre's days across a daylight-saving change, and contacts put into days of unequal length."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contact_center.domain.analytics import buckets
from contact_center.domain.analytics.funnel import funnel
from contact_center.domain.metrics.contacts import Contact
from contact_center.domain.metrics.stats import window_buckets

NEW_YORK = ZoneInfo("America/New_York")


def test_a_deal_reached_every_stage_before_its_own_and_a_lost_one_only_the_first() -> None:
    found = funnel({"prospecting": (4, 400), "proposal": (2, 1000), "won": (2, 3000), "lost": (2, 70)})
    assert [(r.stage, r.deals, r.reached) for r in found.rows] == [
        ("prospecting", 4, 10),
        ("qualification", 0, 4),
        ("proposal", 2, 4),
        ("negotiation", 0, 2),
        ("won", 2, 2),
    ]
    assert [r.conversion for r in found.rows] == [0.4, 1.0, 0.5, 1.0, None]
    assert (found.lost, found.lost_amount_cents, found.win_rate) == (2, 70, 0.5)


def test_an_empty_funnel_has_no_rates() -> None:
    found = funnel({})
    assert all(r.reached == 0 and r.conversion is None for r in found.rows) and found.win_rate is None


def test_local_bounds_days_and_months() -> None:
    start, end = buckets.bounds(dt.date(2026, 11, 1), dt.date(2026, 11, 1), NEW_YORK)
    assert (start.isoformat(), end.isoformat()) == ("2026-11-01T04:00:00+00:00", "2026-11-02T05:00:00+00:00")
    assert buckets.months_between(dt.date(2026, 11, 30), dt.date(2027, 1, 1)) == ["2026-11", "2026-12", "2027-01"]
    assert len(buckets.days_between(dt.date(2026, 2, 27), dt.date(2026, 3, 2))) == 4


def contact(outcome_at: float | None, handled_at: float | None) -> Contact:
    return Contact("c", 1, "q", 0.0, "answered", outcome_at, 1.0, "a", handled_at=handled_at)


def test_contacts_go_to_the_window_of_their_outcome_and_of_their_handling() -> None:
    edges = [0.0, 100.0, 250.0, 300.0]
    answered_then_ended_later = contact(50.0, 260.0)
    inside_one = contact(120.0, 130.0)
    before, after = contact(-5.0, None), contact(300.0, None)
    found = window_buckets([answered_then_ended_later, inside_one, before, after], edges)
    assert found == [[answered_then_ended_later], [inside_one], [answered_then_ended_later]]


@pytest.mark.parametrize("edges", [[0.0], []])
def test_no_window_no_bucket(edges: list[float]) -> None:
    assert window_buckets([contact(1.0, None)], edges) == []


NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def test_the_churn_rule_adds_its_points_and_says_why() -> None:
    from contact_center.domain.analytics.churn import History, risk

    lapsed = NOW - dt.timedelta(days=200)
    worst = risk(History(cases=3, past_sla=1, abandoned_calls=2, escalated_calls=1, last_order_at=lapsed), NOW)
    assert worst.score == 30 + 25 + 15 + 10 + 20 and worst.level == "high"
    assert worst.reasons == (
        "3 cases in 90 days",
        "1 past its SLA",
        "abandoned 2 call(s) in the queue",
        "1 call(s) escalated",
        "no order since 2026-05-07",
    )
    two_cases = risk(History(2, 0, 1, 0, NOW - dt.timedelta(days=10)), NOW)
    assert (two_cases.score, two_cases.level) == (35, "medium")  # a recent order is no lapse
    assert risk(History(1, 0, 0, 0, None), NOW) == risk(History(1, 0, 0, 0, None), NOW)
    assert risk(History(1, 0, 0, 0, None), NOW).level == "low"
