from __future__ import annotations

from contact_center.bench.ivr import SCRIPTS, run_bench
from contact_center.domain.ivr.model import FlowSet


def test_the_benchmark_runs_every_script_to_an_end(shipped: FlowSet) -> None:
    figures = run_bench(shipped, "main", len(SCRIPTS) * 2)
    assert figures["calls"] == 16 and figures["steps"] > 16 * 3
    assert sum(figures["outcomes"].values()) == 16
    assert set(figures["outcomes"]) <= {"queue", "callback", "transfer", "hangup"}
