"""`contact-center serve`: migrate, seed demo data on first start, and serve HTTP and websockets."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from aiohttp import web

from contact_center.app import create_app
from contact_center.cli._common import load_settings, ready_engine
from contact_center.clock import SystemClock
from contact_center.seed.demo import FIRST_START_CUSTOMERS, ensure_reference, print_logins, seed


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="run the server")
    parser.add_argument("--host", help="override CC_HTTP_HOST")
    parser.add_argument("--port", type=int, help="override CC_HTTP_PORT")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings().with_secret()
    host, port = args.host or settings.http_host, args.port or settings.http_port
    asyncio.run(_serve(settings, host, port))
    return 0


async def _serve(settings: Any, host: str, port: int) -> None:
    engine = await ready_engine(settings)
    url = f"http://{host}:{port}"
    if settings.seed_demo:
        logins = await ensure_reference(engine)
        if logins:
            print(f"First start: seeding {FIRST_START_CUSTOMERS:,} demo customers …", flush=True)
            await seed(engine, FIRST_START_CUSTOMERS, SystemClock().now())
            print_logins(logins, url)
    app = create_app(settings, engine=engine)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(f"Listening on {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
