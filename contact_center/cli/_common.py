"""What CLI commands share: settings, a migrated database, running a coroutine, progress lines."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings, SettingsError
from contact_center.store import migrate
from contact_center.store.engine import create_engine

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise SystemExit(f"contact-center: bad setting: {exc}") from None


def run(make: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await make()

    return asyncio.run(main())


async def ready_engine(settings: Settings) -> AsyncEngine:
    """An engine on a database migrated to the current schema."""
    engine = create_engine(settings)
    try:
        await migrate.upgrade(engine)
    except Exception as exc:
        await engine.dispose()
        raise SystemExit(f"contact-center: cannot migrate {settings.database_url}: {exc}") from None
    return engine


class Progress:
    """One line that updates in place on a terminal, and a line per step in a log."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.started = label, total, time.monotonic()
        self._last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if done < self.total and now - self._last < 0.5:
            return
        self._last = now
        rate = done / max(now - self.started, 1e-9)
        line = f"{self.label}: {done:,}/{self.total:,} ({100 * done / max(self.total, 1):.0f} %, {rate:,.0f}/s)"
        if sys.stderr.isatty():
            print("\r" + line, end="" if done < self.total else "\n", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)
