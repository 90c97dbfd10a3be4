"""Is an agent's desk phone registered? The answer to an OPTIONS probe, cached briefly.

The SIP adapter sends OPTIONS to the extension through the proxy, which answers 404 itself
for an extension nobody has registered, 408 when the registered phone does not answer,
and otherwise relays the phone's own answer (200, or 405/501 from a phone that does not do
OPTIONS: it is there all the same). The desks poll this for every agent, so answers are
kept ``ttl`` seconds and concurrent questions about one extension share one probe.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

# Answers meaning "no phone there": not registered (404/410/480/604), not answering (408),
# unreachable from the proxy (477/478/500/503).
ABSENT = frozenset({404, 408, 410, 477, 478, 480, 500, 503, 604})
UNKNOWN_TTL = 2.0


def registered(code: int | None) -> bool | None:
    if code is None:
        return None
    if 200 <= code < 300:
        return True
    return code not in ABSENT


class PhoneStatusCache:
    def __init__(
        self,
        probe: Callable[[str], Awaitable[int | None]],
        *,
        ttl: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.probe, self.ttl, self.clock = probe, ttl, clock
        self._known: dict[str, tuple[float, bool | None]] = {}  # extension -> (good until, status)
        self._asking: dict[str, asyncio.Task[bool | None]] = {}
        self.probes_sent = 0

    async def status(self, extension: str) -> bool | None:
        known = self._known.get(extension)
        if known is not None and known[0] > self.clock():
            return known[1]
        task = self._asking.get(extension)
        if task is None:
            task = asyncio.ensure_future(self._ask(extension))
            self._asking[extension] = task
            task.add_done_callback(lambda _t: self._asking.pop(extension, None))
        return await asyncio.shield(task)

    async def _ask(self, extension: str) -> bool | None:
        self.probes_sent += 1
        status = registered(await self.probe(extension))
        self._known[extension] = (self.clock() + (self.ttl if status is not None else UNKNOWN_TTL), status)
        if len(self._known) > 10_000:  # a worker polled for many extensions over months: keep it bounded
            now = self.clock()
            self._known = {k: v for k, v in self._known.items() if v[0] > now}
        return status

    def forget(self, extension: str) -> None:
        self._known.pop(extension, None)
