"""Pacing: how many lines each mode dials from what the floor looks like, and the abandonment ledger."""

from __future__ import annotations

import dataclasses

from contact_center.domain.dialer.ledger import AbandonmentLedger
from contact_center.domain.dialer.pacing import (
    Floor,
    RingingLines,
    Steering,
    allowed_abandon,
    count_distribution,
    expected_excess,
    expected_free_within,
    lines_to_dial,
    poisson,
)

FLOOR = Floor(
    agents_free=2,
    busy_elapsed=(30.0, 60.0, 90.0, 120.0, 150.0, 170.0, 10.0, 5.0) * 3,  # 26 agents, 24 of them busy
    lines_ringing=1,
    answers_coming=0.3,
    live_answer_rate=0.3,
    handle_seconds=180.0,
    answer_seconds=12.0,
    abandon_rate=0.0,
    answered_live=1000,
)


def test_preview_never_dials_on_its_own_and_progressive_dials_one_line_per_free_agent() -> None:
    assert lines_to_dial("preview", FLOOR) == 0
    assert lines_to_dial("progressive", FLOOR) == 1  # two free agents, one line ringing for them already
    assert lines_to_dial("progressive", dataclasses.replace(FLOOR, lines_ringing=5)) == 0


def test_predictive_dials_ahead_for_agents_about_to_be_free_and_never_less_than_progressive() -> None:
    predictive = lines_to_dial("predictive", FLOOR)
    assert predictive > lines_to_dial("progressive", FLOOR)
    more_busy = dataclasses.replace(FLOOR, busy_elapsed=FLOOR.busy_elapsed * 3)
    assert lines_to_dial("predictive", more_busy) > predictive  # more agents finishing soon
    lower_rate = dataclasses.replace(FLOOR, live_answer_rate=0.15)
    assert lines_to_dial("predictive", lower_rate) > predictive  # fewer people answer: more lines
    coming = dataclasses.replace(FLOOR, answers_coming=5.0)
    assert lines_to_dial("predictive", coming) == lines_to_dial("progressive", coming)


def test_predictive_leans_against_the_ledger_and_backs_off_to_progressive_at_the_cap_and_while_young() -> None:
    progressive = lines_to_dial("progressive", FLOOR)
    for floor in (
        dataclasses.replace(FLOOR, abandon_rate=0.031),  # over the cap
        dataclasses.replace(FLOOR, abandon_rate=0.027),  # under it, but not surely: 4 abandons more would be
        dataclasses.replace(FLOOR, answered_live=50),  # too few answers to trust the rate
    ):
        assert allowed_abandon(floor, Steering()) == 0
        assert lines_to_dial("predictive", floor) == progressive
    shares = [allowed_abandon(dataclasses.replace(FLOOR, abandon_rate=r), Steering()) for r in (0.0, 0.02, 0.025)]
    assert shares[0] == Steering().hard_cap and shares[0] > shares[1] > shares[2] > 0  # steered, not switched
    young = allowed_abandon(dataclasses.replace(FLOOR, abandon_rate=0.02, answered_live=200), Steering())
    assert young < shares[1]  # the same rate over fewer answers is trusted less
    bold = lines_to_dial("predictive", dataclasses.replace(FLOOR, abandon_rate=0.0))
    careful = lines_to_dial("predictive", dataclasses.replace(FLOOR, abandon_rate=0.024))
    assert bold >= careful >= progressive


def test_answers_that_find_nobody_free_are_counted_from_exact_distributions() -> None:
    assert count_distribution([0.5, 0.5]) == [0.25, 0.5, 0.25]
    assert abs(sum(poisson(3.0)) - 1) < 1e-8 and abs(poisson(3.0)[2] - 0.2240) < 1e-4
    two_free = [0.0, 0.0, 1.0]
    assert expected_excess([0.0, 0.0, 0.0, 1.0], two_free) == 1  # three answers, two agents
    assert expected_excess([0.5, 0.5], two_free) == 0  # never more answers than agents
    # Three lines at 0.3 for two agents sure to be free: only all three answering leaves one waiting.
    assert abs(expected_excess(count_distribution([0.3] * 3), two_free) - 0.3**3) < 1e-12


def test_predictive_never_has_more_lines_in_flight_than_the_ceiling() -> None:
    floor = dataclasses.replace(FLOOR, agents_free=10, busy_elapsed=(), live_answer_rate=0.02, lines_ringing=0)
    assert lines_to_dial("predictive", floor, Steering(max_lines_per_agent=3.0)) == 30


def test_agents_expected_free_soon() -> None:
    assert expected_free_within((), 12.0, 180.0) == 0
    assert 0.06 < expected_free_within((10.0,), 12.0, 180.0) < 0.07  # 1 - e^(-12/180)
    assert expected_free_within((400.0,), 12.0, 180.0) > expected_free_within((10.0,), 12.0, 180.0)


def test_a_line_ringing_past_every_live_answer_seen_will_not_be_answered_by_a_person() -> None:
    lines = RingingLines()
    assert lines.expected_answers([1.0, 30.0], 0.3) == 0.6  # nothing measured yet: the plain rate
    for second in range(5, 21):
        lines.ended(float(second), live=True)
    for ended in (2.0, 4.0, 25.0, 25.0) * 5:
        lines.ended(ended, live=False)
    assert lines.expected_answers([22.0], 0.3) == 0.0
    young, old = lines.expected_answers([1.0], 0.3), lines.expected_answers([18.0], 0.3)
    assert 0.3 <= young < 0.5 and 0 < old < young


def test_the_ledger_counts_abandons_over_its_window_only() -> None:
    ledger = AbandonmentLedger(window_seconds=100.0)
    assert ledger.rate(0.0) == (0.0, 0)
    for at in range(10):
        ledger.record(float(at), abandoned=at == 0)
    assert ledger.rate(10.0) == (0.1, 10)
    assert ledger.rate(100.5) == (0.0, 9)  # the abandon at 0 s has left the window
