"""Send-interval statistics for RTP streams, cheap enough to run on every packet.

Intervals go into 0.1 ms buckets up to 500 ms, so percentiles cost nothing per packet
and a benchmark can read p50/p99/max at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

BUCKET_MS = 0.1
BUCKETS = 5000


@dataclass(frozen=True)
class IntervalSummary:
    count: int
    mean_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    send_errors: int
    resyncs: int


class SendStats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._buckets = [0] * (BUCKETS + 1)
        self._count = 0
        self._total = 0.0
        self._max = 0.0
        self.send_errors = 0
        self.resyncs = 0

    def add_interval(self, seconds: float) -> None:
        ms = seconds * 1000.0
        self._buckets[min(BUCKETS, int(ms / BUCKET_MS))] += 1
        self._count += 1
        self._total += ms
        if ms > self._max:
            self._max = ms

    def percentile(self, fraction: float) -> float:
        if self._count == 0:
            return 0.0
        wanted = fraction * self._count
        seen = 0
        for index, count in enumerate(self._buckets):
            seen += count
            if seen >= wanted:
                return (index + 1) * BUCKET_MS
        return self._max

    def summary(self) -> IntervalSummary:
        mean = self._total / self._count if self._count else 0.0
        return IntervalSummary(
            self._count,
            round(mean, 2),
            round(self.percentile(0.5), 2),
            round(self.percentile(0.99), 2),
            round(self._max, 2),
            self.send_errors,
            self.resyncs,
        )
