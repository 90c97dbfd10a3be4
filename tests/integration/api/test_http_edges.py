"""What the HTTP server says about itself, and how it answers requests it cannot parse."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest


async def test_the_server_header_names_no_versions(app_client: Any) -> None:
    answer = await app_client.get("/healthz")
    assert answer.headers["Server"] == "contact-center"


async def test_a_method_not_allowed_says_which_are(app_client: Any, agent: Any) -> None:
    answer = await app_client.request("TRACE", "/api/v1/customers", headers=agent.headers())
    assert answer.status == 405 and "GET" in answer.headers["Allow"]


async def test_an_over_long_request_line_is_one_quiet_line_not_a_traceback(
    app_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    host, port = app_client.server.host, app_client.server.port
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            await writer.drain()
            status = await reader.readline()
            writer.close()
            assert status.split()[1] == b"400", status
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]
    refused = [r for r in caplog.records if "malformed HTTP request" in r.getMessage()]
    # At most one: the line is throttled per process, and an earlier test may have had it this minute.
    assert len(refused) <= 1 and all(r.exc_info is None for r in refused)
