"""Log lines an outsider can cause, at most one per key and window, with a count of what was held back.

A flood of malformed SIP datagrams or broken HTTP request lines must not become a flood of log lines:
the first of a kind is logged, the rest are counted and the count goes out with the next one logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class ThrottledLog:
    """``log(key, level, msg, *args)``: at most one line per ``key`` every ``window`` seconds.

    Thread-safe: the SIP receiver logs from its own thread.
    """

    def __init__(
        self, logger: logging.Logger, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.logger = logger
        self.window = window
        self.clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def log(self, key: str, level: int, msg: str, *args: object) -> None:
        now = self.clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.window:
                self._held[key] = self._held.get(key, 0) + 1
                return
            self._last[key] = now
            held = self._held.pop(key, 0)
        if held:
            msg += f" (and {held} more like it in the last {self.window:.0f} s, not logged)"
        self.logger.log(level, msg, *args)
