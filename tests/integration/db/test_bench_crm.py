"""`contact-center bench crm` seeds a customer base and prints the call path's look-up beside the bare query."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_bench_crm_prints_the_call_paths_look_up_beside_the_bare_query(tmp_path: Path) -> None:
    database = tmp_path / "crm.db"
    command = [sys.executable, "-m", "contact_center.cli", "bench", "crm", "--customers", "300", "--samples", "60"]
    command += ["--warm-up", "40", "--database", str(database), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["customers"] == 300 and database.exists()
    for measure in ("call_lookup_ms", "bare_lookup_ms", "api_lookup_ms"):
        assert result[measure]["n"] > 0 and 0 < result[measure]["p50"] <= result[measure]["p99"], measure
    assert result["call_vs_bare"]["p50"] == round(result["call_lookup_ms"]["p50"] / result["bare_lookup_ms"]["p50"], 2)
    assert result["customer_360_ms"]["call_path"]["n"] > 0
