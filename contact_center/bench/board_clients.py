"""Board clients for ``bench board``, run in their own process: N python-socketio clients on ``/supervisor``.

``python -m contact_center.bench.board_clients URL N [TOKEN]`` connects N clients (websocket transport, the
bearer token in the handshake when given), prints ``ready`` once all are connected, and records when each
``board.updated`` reaches each client (``time.time()``, the clock the server stamps ``built_at`` with: one
machine). A line ``stop`` on stdin ends it: one JSON line with, per update, how long it took to reach the
first and the last client, and every single delivery's delay.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import socketio

CONNECT_BATCH = 25  # handshakes at once: the server sees a realistic trickle, not 500 in one instant


async def _client(url: str, token: str | None, received: dict[float, list[float]]) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)

    async def board_updated(data: dict[str, Any]) -> None:
        arrived = time.time()
        built = data.get("built_at")
        if isinstance(built, float | int):
            received.setdefault(float(built), []).append(arrived)

    client.on("board.updated", board_updated, namespace="/supervisor")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    await client.connect(url, headers=headers, namespaces=["/supervisor"], transports=["websocket"], wait_timeout=30)
    return client


async def main(url: str, count: int, token: str | None) -> None:
    received: dict[float, list[float]] = {}
    clients: list[socketio.AsyncClient] = []
    for start in range(0, count, CONNECT_BATCH):
        batch = range(start, min(count, start + CONNECT_BATCH))
        clients += await asyncio.gather(*(_client(url, token, received) for _ in batch))
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)  # "stop"
    updates = []
    delays = []
    for built, arrivals in sorted(received.items()):
        updates.append(
            {
                "first_ms": (min(arrivals) - built) * 1000,
                "last_ms": (max(arrivals) - built) * 1000,
                "clients": len(arrivals),
            }
        )
        delays += [(a - built) * 1000 for a in arrivals]
    print(json.dumps({"updates": updates, "delays_ms": delays}), flush=True)
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None))
