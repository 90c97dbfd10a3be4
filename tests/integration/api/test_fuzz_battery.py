"""The outside battery, kept in CI: schemathesis reads ``/api/openapi.json`` of a running server (the
demo's data, an admin's token) and sends it thousands of generated requests, valid and not, to every
operation but DELETE (deleting would leave the rest nothing to work on).

What must hold on every one of them: no server error; no status, content type or header the document
does not declare; every response body as its schema says; a request that breaks the document refused; a
request the document allows accepted. Where only the server's data can say what is valid (a real phone
number, a record that exists, an interval in order), ``battery_hooks.py`` makes a request generated as
valid one the server can accept; the operations ``schemathesis.toml`` lists, each with its reason,
are left out of "accepted".
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ...tools import require_tool

SETTINGS = Path(__file__).with_name("schemathesis.toml")  # every check; the exemptions, each with its reason


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "contact_center.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real server on the embedded default with the demo's data: (base URL, an admin's API token)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    env |= {
        "CC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/battery.db",
        "CC_VAR_DIR": str(tmp_path / "var"),
        "CC_HTTP_PORT": str(port),
        "CC_SEED_DEMO": "false",
    }
    _cli(env, "seed", "--customers", "50")
    token = _cli(env, "token", "create", "admin").strip().splitlines()[-1]
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "contact_center.cli", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/openapi.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{(tmp_path / 'serve.log').read_text()}")
                time.sleep(0.2)
        yield base, token
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_generated_requests_never_break_the_server_or_its_documented_contract(
    server: tuple[str, str], tmp_path: Path
) -> None:
    st = Path(sys.executable).parent / "st"
    require_tool(str(st))
    base, token = server
    run = subprocess.run(
        [
            str(st), "--config-file", str(SETTINGS), "run", f"{base}/api/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--exclude-method", "DELETE",
            "--max-examples", "5", "--seed", "1", "--no-color",
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=_with_hooks(),
    )  # fmt: skip
    failures = run.stdout.find("= FAILURES =")
    said = run.stdout[failures : failures + 20_000] if failures >= 0 else run.stdout[-20_000:]
    assert run.returncode == 0, said + run.stderr[-5_000:]
    assert "Tested:" in run.stdout  # it reached the operations (not a run that stopped at the schema)


def _with_hooks() -> dict[str, str]:
    """schemathesis loads battery_hooks.py (a module of this repository) by its import path."""
    root = str(Path(__file__).resolve().parents[3])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "SCHEMATHESIS_HOOKS": "tests.integration.api.battery_hooks", "PYTHONPATH": path}
