"""Outsider-caused log lines: one per kind and window, the rest counted into the next line."""

from __future__ import annotations

import logging

import pytest

from contact_center.log_limits import ThrottledLog


def test_one_line_per_window_then_the_count_of_what_was_held_back(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    throttled = ThrottledLog(logging.getLogger("t"), window=60, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, "t"):
        for _ in range(1000):
            throttled.log("malformed", logging.WARNING, "malformed SIP dropped (%s)", "x")
        throttled.log("other", logging.WARNING, "another kind")
        now[0] = 61
        throttled.log("malformed", logging.WARNING, "malformed SIP dropped (%s)", "y")
    assert [r.getMessage() for r in caplog.records] == [
        "malformed SIP dropped (x)",
        "another kind",
        "malformed SIP dropped (y) (and 999 more like it in the last 60 s, not logged)",
    ]
