"""Desk phone status from OPTIONS answers: mapped, cached, one probe per extension at a time."""

import asyncio
from typing import cast

from contact_center.telephony.phone_status import PhoneStatusCache, registered


def test_answers_map_to_registered_absent_or_unknown() -> None:
    assert [registered(c) for c in (200, 405, 501, 404, 480, 408, 503, None)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        None,
    ]


async def test_answers_are_cached_and_concurrent_questions_share_a_probe() -> None:
    now = [0.0]
    answers = {"2001": 200, "2002": 404}
    asked: list[str] = []

    async def probe(extension: str) -> int | None:
        asked.append(extension)
        await asyncio.sleep(0.01)
        return answers.get(extension)

    cache = PhoneStatusCache(probe, ttl=10, clock=lambda: now[0])
    assert cast(
        list[bool | None],
        await asyncio.gather(cache.status("2001"), cache.status("2001"), cache.status("2002"), cache.status("9999")),
    ) == [True, True, False, None]
    assert sorted(asked) == ["2001", "2002", "9999"]
    answers["2001"] = 404
    now[0] = 5.0
    assert await cache.status("2001") is True and await cache.status("9999") is None  # cached
    assert len(asked) == 4  # the unknown answer is kept for 2 s only
    now[0] = 11.0
    assert await cache.status("2001") is False
