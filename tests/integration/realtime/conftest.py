"""A live app with the realtime gateway on a fake desk, and logged-in socket.io clients."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import socketio
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.config import Settings
from contact_center.realtime import Gateway

from ...fake_desk import FakeDesk


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """SQLite only: the gateway does one session look-up per handshake, the same on both backends."""
    path = tmp_path / "cc.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def fake_desk(clock: FixedClock) -> FakeDesk:
    return FakeDesk(clock)


@dataclass
class Live:
    http: Any
    gateway: Gateway
    desk: FakeDesk
    sockets: list[socketio.AsyncClient] = field(default_factory=list)

    def url(self) -> str:
        return str(self.http.make_url("/")).rstrip("/")

    async def cookie(self, username: str, password: str = "correct horse battery") -> str:
        response = await self.http.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status == 200, await response.text()
        return f"cc_session={response.cookies['cc_session'].value}"

    async def connect(
        self, namespace: str = "/agent", headers: dict[str, str] | None = None, auth: dict[str, Any] | None = None
    ) -> Recorder:
        recorder = Recorder(namespace)
        self.sockets.append(recorder.sio)
        try:
            await recorder.sio.connect(
                self.url(),
                namespaces=[namespace],
                headers=headers or {},
                auth=auth,
                transports=["websocket"],
                wait_timeout=5,
            )
        except socketio.exceptions.ConnectionError as exc:
            raise HandshakeRefused(recorder.refusal) from exc
        return recorder


class HandshakeRefused(Exception):
    """The server refused the namespace; ``args[0]`` is what it said (``{"message": code}``)."""


class Recorder:
    """A socket.io client that keeps every event it receives, in order."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.refusal: Any = None

        async def refused(data: Any = None) -> None:
            self.refusal = data

        self.sio.on("connect_error", refused, namespace=namespace)

        async def anything(event: str, data: Any = None) -> None:
            self.events.append((event, data))

        self.sio.on("*", anything, namespace=namespace)

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data, namespace=self.namespace, timeout=5)

    def named(self, event: str) -> list[dict[str, Any]]:
        return [data for name, data in self.events if name == event]


@pytest.fixture
async def live(
    engine: AsyncEngine, aiohttp_client: Any, settings: Settings, clock: FixedClock, fake_desk: FakeDesk
) -> AsyncIterator[Live]:
    from contact_center.app import create_app
    from contact_center.web.keys import GATEWAY

    app = create_app(settings, clock=clock, engine=engine, desk=fake_desk)
    gateway = app[GATEWAY]
    live = Live(await aiohttp_client(app), gateway, fake_desk)
    yield live
    for sio in live.sockets:
        if sio.connected:
            await sio.disconnect()
