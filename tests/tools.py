"""The one skip policy for the Debian tools tests drive (kamailio, sipp, baresip, espeak-ng, ...)."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(tool: str, reason: str | None = None) -> None:
    """The one skip policy for Debian tools: a developer without ``tool`` skips the test (reported by -rs);
    CI, where scripts/dev installs every tool, fails it instead, so a missing install step cannot pass."""
    if shutil.which(tool) is not None:
        return
    why = reason or f"{tool} is not installed (scripts/dev test installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"{why}; in CI every tool must be there")
    pytest.skip(why)
