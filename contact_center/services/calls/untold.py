"""Commands for routing that must reach it even when, for a while, no routing leader answers (several nodes,
between one leader and the next): a call that ended must end in routing too, or its agent stays on the call
and never gets a wrap-up. Such a command is kept and sent again, in order with every command sent this way
after it, until a leader answers; a refusal (the state moved on meanwhile) is logged, as always."""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.errors import AcdError
from contact_center.services.routing.replica import RoutingUnavailable

log = logging.getLogger(__name__)
Handle = Callable[[cmd.Command], Awaitable[list[ev.Event]]]
Spawn = Callable[[Coroutine[Any, Any, None], str], None]


class UntoldCommands:
    def __init__(self, handle: Handle, spawn: Spawn, *, first_wait: float = 0.5, longest_wait: float = 5.0) -> None:
        self.handle, self.spawn = handle, spawn
        self.first_wait, self.longest_wait = first_wait, longest_wait
        self._waiting: collections.deque[cmd.Command] = collections.deque()
        self._telling = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def send(self, command: cmd.Command) -> list[ev.Event]:
        """Routing's events for ``command``; none when it refused it, or when no leader answered (it is then told
        again later)."""
        if self._waiting:
            self._keep(command)  # behind those still waiting: routing hears them in the order they came
            return []
        try:
            return await self.handle(command)
        except RoutingUnavailable as exc:
            log.warning("routing did not hear %r (%s); telling it again until a leader answers", command, exc)
            self._keep(command)
        except AcdError as exc:
            log.info("routing refused %r: %s", command, exc)
        return []

    def _keep(self, command: cmd.Command) -> None:
        self._waiting.append(command)
        if not self._telling:
            self._telling = True
            self.spawn(self._tell(), "routing-untold")

    async def _tell(self) -> None:
        wait = self.first_wait
        try:
            while self._waiting:
                command = self._waiting[0]
                try:
                    await self.handle(command)
                except RoutingUnavailable:
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, self.longest_wait)
                    continue
                except AcdError as exc:  # heard, and refused: the state moved on meanwhile
                    log.info("routing refused %r: %s", command, exc)
                except Exception:
                    log.exception("telling routing %r again failed; going on with the next", command)
                self._waiting.popleft()
                wait = self.first_wait
        finally:
            self._telling = False
