"""Commands routing must hear even between leaders: kept while no leader answers, told again in the order they
came, a refusal logged and passed over, nothing lost and nothing told twice."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.errors import AcdError
from contact_center.services.calls.untold import UntoldCommands
from contact_center.services.routing.replica import RoutingUnavailable


class Routing:
    """No leader for the first ``down`` tries; then it hears each command (and refuses the ``refused`` ones)."""

    def __init__(self, down: int, refused: tuple[str, ...] = ()) -> None:
        self.down, self.refused, self.tries = down, refused, 0
        self.heard: list[cmd.Command] = []

    async def handle(self, command: cmd.Command) -> list[ev.Event]:
        self.tries += 1
        if self.tries <= self.down:
            raise RoutingUnavailable("no routing leader answered")
        if getattr(command, "call_id", None) in self.refused:
            raise AcdError("no such call")
        self.heard.append(command)
        return []


async def test_commands_told_while_no_leader_answers_reach_routing_later_in_order() -> None:
    routing = Routing(down=3, refused=("c2",))
    tasks: list[asyncio.Task[None]] = []

    def spawn(coro: Coroutine[Any, Any, None], name: str) -> None:
        tasks.append(asyncio.create_task(coro, name=name))

    untold = UntoldCommands(routing.handle, spawn, first_wait=0.001, longest_wait=0.004)
    sent = [cmd.EndCall("c1"), cmd.EndCall("c2"), cmd.AgentHungUp("c3")]
    for command in sent:
        assert await untold.send(command) == []
    assert untold.waiting == 3 and len(tasks) == 1  # one teller, whatever comes behind the first
    await asyncio.wait_for(tasks[0], 5)
    assert routing.heard == [sent[0], sent[2]] and untold.waiting == 0  # c2 heard and refused, not told twice
    after = cmd.EndCall("c4")
    await untold.send(after)  # routing answers now: told at once, no teller
    assert routing.heard[-1] == after and len(tasks) == 1


async def test_a_refusal_is_logged_not_raised_and_nothing_is_kept() -> None:
    routing = Routing(down=0, refused=("c9",))
    untold = UntoldCommands(routing.handle, lambda coro, name: coro.close())
    assert await untold.send(cmd.EndCall("c9")) == [] and untold.waiting == 0 and routing.heard == []
