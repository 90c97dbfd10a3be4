"""The abandonment ledger: of the people who answered a dialled call, how many no agent was free for.

Kept per campaign over a sliding window (24 hours and 30 days are what the rules name). Pure: the time
is an argument."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

DAY = 86_400.0


@dataclass
class AbandonmentLedger:
    window_seconds: float = DAY
    _answers: deque[tuple[float, bool]] = field(default_factory=deque)
    _abandoned: int = 0

    def record(self, at: float, *, abandoned: bool) -> None:
        """A live answer at ``at``: connected to an agent, or abandoned (the caller heard the message)."""
        self._answers.append((at, abandoned))
        self._abandoned += abandoned

    def rate(self, now: float) -> tuple[float, int]:
        """(abandoned / answered live, answered live) over the window ending at ``now``; (0, 0) when empty."""
        while self._answers and self._answers[0][0] <= now - self.window_seconds:
            _, abandoned = self._answers.popleft()
            self._abandoned -= abandoned
        answered = len(self._answers)
        return (self._abandoned / answered if answered else 0.0), answered
