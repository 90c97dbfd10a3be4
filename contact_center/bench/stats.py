"""The figures every benchmark prints for a list of timings."""

from __future__ import annotations

import statistics


def percentiles(samples: list[float], digits: int = 2) -> dict[str, float]:
    """p50, p99, max and mean (rounded to ``digits``) and how many samples there were."""
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50": round(q[49], digits),
        "p99": round(q[98], digits),
        "max": round(ordered[-1], digits),
        "mean": round(statistics.fmean(ordered), digits),
        "n": len(ordered),
    }
