"""Where a record stands after an attempt and after the agent's disposition."""

from __future__ import annotations

import datetime as dt

from contact_center.domain.dialer.outcomes import Standing, after_attempt, after_disposition, retry_delay, retry_outcome

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_an_attempt_that_reached_nobody_is_tried_again_until_the_attempts_are_used() -> None:
    for result in ("busy", "no_answer", "failed", "answering_machine"):
        assert after_attempt(result, attempts=1, max_attempts=3, retry_after=HOUR, now=NOW) == Standing(
            "retry", NOW + HOUR
        )
        assert after_attempt(result, attempts=3, max_attempts=3, retry_after=HOUR, now=NOW) == Standing("done")


def test_an_answered_attempt_is_done_and_an_unreachable_agent_costs_the_record_nothing() -> None:
    assert after_attempt("answered", attempts=1, max_attempts=3, retry_after=HOUR, now=NOW) == Standing("done")
    assert after_attempt("agent_unreachable", attempts=3, max_attempts=3, retry_after=HOUR, now=NOW) == Standing(
        "retry", NOW
    )


def test_the_disposition_has_the_last_word() -> None:
    def standing(code: str, category: str | None = "sales", attempts: int = 1) -> Standing:
        return after_disposition(code, category, attempts=attempts, max_attempts=2, retry_after=HOUR, now=NOW)

    assert standing("do_not_call") == Standing("dnc", do_not_call=True)
    assert standing("stop_calling_me", "dnc") == Standing("dnc", do_not_call=True)  # any code of the dnc category
    assert standing("wrong_number") == Standing("failed")
    assert standing("callback_scheduled") == Standing("retry", NOW + HOUR)
    assert standing("no_answer", attempts=2) == Standing("done")
    assert standing("sale") == Standing("done")


def test_each_outcome_may_wait_its_own_delay() -> None:
    rules = {"busy": 10, "answering_machine": 240, "callback_requested": 1440}
    assert retry_delay("busy", 60, rules) == dt.timedelta(minutes=10)
    assert retry_delay("answering_machine", 60, rules) == dt.timedelta(minutes=240)
    assert retry_delay("voicemail_left", 60, rules) == dt.timedelta(minutes=240)  # a disposition of the same kind
    assert retry_delay("callback_scheduled", 60, rules) == dt.timedelta(days=1)
    assert retry_delay("no_answer", 60, rules) == dt.timedelta(minutes=60)  # no rule of its own: the default
    assert retry_delay("sale", 60, rules) == dt.timedelta(minutes=60)
    assert retry_outcome("follow_up") == "callback_requested" and retry_outcome("sale") is None
