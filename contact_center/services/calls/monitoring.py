"""Supervisors on live calls: listen (silent), whisper (the agent hears them: coaching) and barge (both do).

The supervisor's own phone is rung; once they answer, the media layer mixes their leg into the call
(``TelephonyPort.monitor``). A supervisor follows the agent, not the call: when the agent's leg or the
customer's ends (a hang-up, a transfer), their phone is hung up. The agent's desk is told when they are
being coached or barged (``call.coaching``), never when a supervisor only listens; the board hears every
change (``call.monitor``). Every step is a message to the call's owner, like the agents' own commands.

This part is composed into the call center like the others: it holds nothing itself, its state is
the call's ``monitors`` in ``LiveCalls``, and it reaches the rest only through what it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from contact_center.services.calls.live import LiveCalls, Monitor, People
from contact_center.services.calls.owner import CallOwners
from contact_center.services.desk import Audience, DeskError
from contact_center.telephony.events import LegKind, OriginateOutcome
from contact_center.telephony.port import MONITOR_MODES, CallEnded, MonitorMode, TelephonyPort

log = logging.getLogger(__name__)
SUPERVISOR_RING_SECONDS = 20.0
SUPERVISORS: Audience = ("supervisors", None)
COACHED: frozenset[str] = frozenset({"whisper", "barge"})  # the modes the agent hears (and is told of)


class Monitoring:
    def __init__(
        self,
        *,
        port: TelephonyPort,
        calls: LiveCalls,
        people: People,
        owners: CallOwners,
        tell: Callable[[Audience, str, dict[str, Any]], None],
    ) -> None:
        self.port, self.calls, self.people, self.owners, self._tell = port, calls, people, owners, tell

    # --- what a supervisor asks ----------------------------------------------------------------

    async def monitor(self, supervisor_id: int, call_id: str, mode: str) -> dict[str, Any]:
        """Join the call in ``mode``, or change the mode if on it already. Joining rings the supervisor's
        phone and answers at once (``state`` ringing); the board hears ``call.monitor`` when they are on
        (connected) or not (ended, with the reason)."""
        if mode not in MONITOR_MODES:
            raise DeskError("bad_mode", f"mode must be one of {', '.join(MONITOR_MODES)}")
        owner = self.owners.of(call_id)
        view = await owner.ask(self._begin(supervisor_id, call_id, mode), "monitor")
        if view["state"] == "ringing":
            owner.child(self._ring(supervisor_id, call_id), "monitor: ring the supervisor")
        return view

    async def _ring(self, supervisor_id: int, call_id: str) -> None:
        owner = self.owners.of(call_id)
        extension = self.people.extension(supervisor_id) or ""
        result = await self.port.originate(extension, ring_timeout=SUPERVISOR_RING_SECONDS, kind=LegKind.SUPERVISOR)
        if result.outcome is not OriginateOutcome.ANSWERED or result.call_id is None:
            why = f"your phone ({extension}) did not answer ({result.outcome})"
            await owner.ask(self._unring(supervisor_id, call_id, why), "monitor: the supervisor's phone did not answer")
            return
        await owner.ask(self._join(supervisor_id, call_id, result.call_id), "monitor: the supervisor answered")

    async def stop(self, supervisor_id: int, call_id: str) -> None:
        await self.owners.of(call_id).ask(self._stop(supervisor_id, call_id), "stop monitoring")

    # --- what telephony says ---------------------------------------------------------------------

    def leg_ended(self, call_id: str, leg: str, *, customer: bool = False) -> None:
        """A leg of the call ended: the supervisor's own (they hung up), the agent's, or the customer's."""
        live = self.calls.get(call_id)
        if live is not None and live.monitors:
            self.owners.of(call_id).post(self._leg_ended(call_id, leg, customer), "monitor: a leg ended")

    # --- steps of the call's owner ---------------------------------------------------------------

    async def _begin(self, supervisor_id: int, call_id: str, mode: MonitorMode) -> dict[str, Any]:
        live = self.calls.get(call_id)
        conversation = live.conversation if live is not None else None
        record = conversation.record if conversation is not None else None
        if (
            live is None
            or conversation is None
            or record is None
            or conversation.finished.is_set()
            or record.agent_leg is None
            or record.agent_user_id is None
            or conversation.leg is None
        ):
            raise DeskError("not_connected", f"call {call_id} is not connected to an agent here")
        if record.agent_user_id == supervisor_id:
            raise DeskError("own_call", "you are the agent on this call")
        current = live.monitors.get(supervisor_id)
        if current is not None:
            if current.leg is None:
                raise DeskError("ringing", "your phone is ringing for this call already")
            await self._set_mode(call_id, current, mode)
            return self.view(call_id, current)
        if self.people.extension(supervisor_id) is None:
            raise DeskError("no_phone", "you have no extension to listen with: set one on your user")
        monitor = Monitor(supervisor_id, record.agent_user_id, record.agent_leg, mode)
        live.monitors[supervisor_id] = monitor
        view = self.view(call_id, monitor)
        self._tell(SUPERVISORS, "call.monitor", view)
        return view

    async def _unring(self, supervisor_id: int, call_id: str, reason: str) -> None:
        live = self.calls.get(call_id)
        if live is not None and (gone := live.monitors.pop(supervisor_id, None)) is not None:
            self._tell(SUPERVISORS, "call.monitor", {**self.view(call_id, gone), "state": "ended", "reason": reason})
            self.calls.settle(call_id)

    async def _join(self, supervisor_id: int, call_id: str, leg: str) -> None:
        live = self.calls.get(call_id)
        monitor = live.monitors.get(supervisor_id) if live is not None else None
        record = self.calls.record(call_id)
        if monitor is None or record is None or record.agent_leg != monitor.agent_leg:
            await self.port.hangup(leg)  # the agent's part ended while the supervisor's phone rang
            await self._unring(supervisor_id, call_id, "the call ended before your phone answered")
            return
        monitor.leg = leg
        self.calls.add_leg(leg, call_id, "monitor")
        try:
            await self._set_mode(call_id, monitor, monitor.mode, joining=True)
        except (CallEnded, ValueError):
            await self.port.hangup(leg)  # its CallHungUp lets the monitor go

    async def _set_mode(self, call_id: str, monitor: Monitor, mode: MonitorMode, *, joining: bool = False) -> None:
        assert monitor.leg is not None
        before = None if joining else monitor.mode
        await self.port.monitor(monitor.leg, monitor.agent_leg, mode)
        monitor.mode = mode
        if before != mode and (before in COACHED or mode in COACHED):  # what the agent hears changed
            self._coaching(call_id, monitor, mode if mode in COACHED else None)
        self._tell(SUPERVISORS, "call.monitor", {**self.view(call_id, monitor), "state": "connected"})

    async def _stop(self, supervisor_id: int, call_id: str) -> None:
        live = self.calls.get(call_id)
        monitor = live.monitors.get(supervisor_id) if live is not None else None
        if monitor is None:
            raise DeskError("not_monitoring", f"you are not on call {call_id}")
        if monitor.leg is None:
            raise DeskError("ringing", "your phone is still ringing: let it ring out or decline it")
        await self.port.hangup(monitor.leg)  # its CallHungUp ends the monitor, as if they put the phone down

    async def _leg_ended(self, call_id: str, leg: str, customer_left: bool) -> None:
        live = self.calls.get(call_id)
        if live is None:
            return
        for supervisor_id, monitor in list(live.monitors.items()):
            if monitor.leg == leg:  # the supervisor put their phone down
                del live.monitors[supervisor_id]
                self.calls.drop_leg(leg)
                if monitor.mode in COACHED:
                    self._coaching(call_id, monitor, None)
                self._tell(
                    SUPERVISORS, "call.monitor", {**self.view(call_id, monitor), "state": "ended", "reason": "hung up"}
                )
            elif monitor.leg is not None and (customer_left or monitor.agent_leg == leg):
                await self.port.hangup(monitor.leg)  # the call they listen to is over: so is their part
        self.calls.settle(call_id)

    # --- what desks and the board are told --------------------------------------------------------

    def _coaching(self, call_id: str, monitor: Monitor, mode: str | None) -> None:
        self._tell(
            ("agent", monitor.agent_id),
            "call.coaching",
            {
                "call_id": call_id,
                "mode": mode,
                "supervisor_id": monitor.supervisor_id,
                "supervisor": self.people.name(monitor.supervisor_id),
            },
        )

    def view(self, call_id: str, monitor: Monitor) -> dict[str, Any]:
        return {
            "call_id": call_id,
            "mode": monitor.mode,
            "supervisor_id": monitor.supervisor_id,
            "supervisor": self.people.name(monitor.supervisor_id),
            "agent_id": monitor.agent_id,
            "agent": self.people.name(monitor.agent_id),
            "state": "connected" if monitor.leg is not None else "ringing",
        }

    def coaching_of(self, call_id: str, agent_id: int) -> dict[str, Any] | None:
        """Who coaches or barges the agent on this call now (what their desk shows after a reload)."""
        live = self.calls.get(call_id)
        for monitor in live.monitors.values() if live is not None else ():
            if monitor.agent_id == agent_id and monitor.leg is not None and monitor.mode in COACHED:
                return {
                    "mode": monitor.mode,
                    "supervisor_id": monitor.supervisor_id,
                    "supervisor": self.people.name(monitor.supervisor_id),
                }
        return None

    def on_calls(self) -> list[dict[str, Any]]:
        """Every supervisor on a call here (the board's list)."""
        return [self.view(live.call_id, m) for live in self.calls for m in live.monitors.values()]
