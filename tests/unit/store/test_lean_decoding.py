"""The lean reader's direct decoding of stored text gives what SQLAlchemy's processors give, and refuses what
they refuse."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from contact_center.store.lean_reads import _instant, _json
from contact_center.store.types import json_value


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-07 08:15:03.250000",  # as the engine writes it
        "2026-12-07 08:15:03.000000",  # a whole second: no fraction shown
        "2026-12-07 08:15:03.000001",
        "2026-12-07 08:15:03",  # written by SQL of our own
        "2026-12-07T08:15:03",
        "2026-12-07 09:15:03+01:00",  # an offset: converted to UTC
    ],
)
def test_an_instant_reads_as_the_engine_shows_it(stored: str) -> None:
    at = dt.datetime.fromisoformat(stored)
    utc = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    assert _instant(stored) == json_value(utc)


def test_a_broken_instant_is_an_error_not_passed_through() -> None:
    with pytest.raises(ValueError):
        _instant("2026-12-07 08:15:0x")


@pytest.mark.parametrize(
    "stored", ['["a@example.com"]', '{"city": "Lyon", "n": [1, 2.5, null, true]}', "[]", "3", '"x"']
)
def test_json_reads_as_json_loads_reads_it(stored: str) -> None:
    assert _json(stored) == json.loads(stored)


@pytest.mark.parametrize("stored", [" []", "[] ", "[1] 2", "{", ""])
def test_json_with_blanks_around_or_broken_is_left_to_json_loads(stored: str) -> None:
    try:
        expected = json.loads(stored)
    except ValueError as refused:
        with pytest.raises(type(refused)):
            _json(stored)
    else:
        assert _json(stored) == expected
