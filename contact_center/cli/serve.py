"""`contact-center serve`: migrate, seed demo data on first start, and serve HTTP and websockets."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from typing import Any

from aiohttp import web

from contact_center.app import create_app
from contact_center.cli._common import Progress, load_settings, ready_engine
from contact_center.clock import SystemClock
from contact_center.config import Settings, SettingsError
from contact_center.seed.demo import FIRST_START_CUSTOMERS, first_start, print_logins


class CannotListen(Exception):
    """The HTTP address cannot be bound (in use, not on this machine, not allowed)."""


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="run the server")
    parser.add_argument("--host", help="override CC_HTTP_HOST")
    parser.add_argument("--port", type=int, help="override CC_HTTP_PORT")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings().with_secret()
    host, port = args.host or settings.http_host, args.port or settings.http_port
    try:
        asyncio.run(_serve(settings, host, port))
    except (CannotListen, SettingsError) as exc:  # a setting that only shows its fault at start-up
        print(f"contact-center serve: {exc}", file=sys.stderr)
        return 2
    return 0


async def _serve(settings: Settings, host: str, port: int) -> None:
    engine = await ready_engine(settings)
    url = f"http://{host}:{port}"
    if settings.seed_demo:
        await first_start(
            engine,
            SystemClock().now(),
            lambda logins: print_logins(logins, url),
            announce=lambda n: print(f"First start: seeding {n:,} demo customers …", flush=True),
            progress=Progress("demo customers", FIRST_START_CUSTOMERS).update,
        )
    app = create_app(settings, engine=engine)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        # asyncio's message repeats the address; the errno's own text is the reason.
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise CannotListen(
            f"cannot listen on {host}:{port}: {reason.lower()} (set CC_HTTP_HOST / CC_HTTP_PORT, or --host / --port)"
        ) from None
    print(f"Listening on {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
