"""Servers as separate processes (``python -m contact_center.cli serve``), for tests that kill one with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import aiohttp
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(settings: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server with exactly these ``CC_*`` settings (none inherited from this process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_")} | dict(settings)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "contact_center.cli", "serve"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def ready(base: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60.0) -> None:
    """Wait until the server answers ``/healthz`` (503 counts: no SIP line registered is not asked here)."""
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"{base}/healthz") as answer:
                    if answer.status in (200, 503):
                        return
            except aiohttp.ClientError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{tail(log)}")
            await asyncio.sleep(0.2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)
