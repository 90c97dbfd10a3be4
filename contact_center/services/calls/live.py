"""What this node holds of the calls it works, and of the agents' desks: the call center's only state.

Per call (``LiveCall``): the conversation (a caller on the line, or a customer we call), a callback
waiting in routing, a warm transfer under way, what its offer showed, and the agents' parts of it that
wait for their wrap-up. A call's owner lives while its ``LiveCall`` holds anything; only steps of that
owner change it (``OutsideTheOwner`` otherwise), once the call has begun. The telephony legs that lead to a call are indexed here too, with the part each plays.

Per agent (``AgentDesk``): the offer ringing on their desk, the call they work, their wrap-up, and calls
whose wrap-up ran out before a disposition was saved.

Per person (``People``): what the CRM says of users (extension, name, username) and whether their phone
is registered; refreshed from the CRM now and then.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from contact_center.services.calls.owner import running_call
from contact_center.services.calls.record import CallRecord
from contact_center.telephony.port import MonitorMode

if TYPE_CHECKING:
    from contact_center.services.calls.session import Conversation
    from contact_center.services.calls.transfers import Consult


class OutsideTheOwner(RuntimeError):
    """A call's state was changed outside its owner's steps: two changes of one call could interleave."""


LegRole = Literal["customer", "agent", "consult", "monitor"]


@dataclass
class Monitor:
    """A supervisor on a call: their phone ringing (``leg`` None), then listening, whispering or barging."""

    supervisor_id: int
    agent_id: int
    agent_leg: str
    mode: MonitorMode
    leg: str | None = None


@dataclass
class LiveCall:
    call_id: str
    conversation: Conversation | None = None
    callback: CallRecord | None = None  # waiting in routing for an agent; nobody is on the line
    consult: Consult | None = None
    screen_pop: dict[str, Any] | None = None
    segments: dict[int, CallRecord] = field(default_factory=dict)  # agent user id -> their part, to wrap up
    monitors: dict[int, Monitor] = field(default_factory=dict)  # supervisor user id -> their phone on the call

    @property
    def record(self) -> CallRecord | None:
        """The call's record: its conversation's, or the waiting callback's."""
        return self.conversation.record if self.conversation is not None else self.callback

    def holds_anything(self) -> bool:
        """A screen-pop alone is not the call: it goes with the last of these."""
        return bool(self.conversation or self.callback or self.consult or self.segments or self.monitors)


class LiveCalls:
    def __init__(self) -> None:
        self._calls: dict[str, LiveCall] = {}
        self._legs: dict[str, tuple[str, LegRole]] = {}

    def get(self, call_id: str) -> LiveCall | None:
        return self._calls.get(call_id)

    def _changing(self, call_id: str) -> None:
        """Only the call's owner changes what is held of it, in one of its steps; anyone may begin a call that
        holds nothing here yet (a caller arrives, we dial), and its owner is made for what they set."""
        if running_call() != call_id and self.tracks(call_id):
            raise OutsideTheOwner(f"call {call_id}: its state may change only in a step of its owner")

    def of(self, call_id: str) -> LiveCall:
        """The call's state, made when first needed."""
        call = self._calls.get(call_id)
        if call is None:
            call = self._calls[call_id] = LiveCall(call_id)
        return call

    def settle(self, call_id: str) -> None:
        """Forget a call that holds nothing any more."""
        call = self._calls.get(call_id)
        if call is not None and not call.holds_anything():
            del self._calls[call_id]

    def __iter__(self) -> Iterator[LiveCall]:
        return iter(list(self._calls.values()))

    # --- what one call holds ------------------------------------------------------------------

    def conversation(self, call_id: str) -> Conversation | None:
        call = self._calls.get(call_id)
        return call.conversation if call is not None else None

    def set_conversation(self, call_id: str, conversation: Conversation) -> None:
        self._changing(call_id)
        self.of(call_id).conversation = conversation

    def drop_conversation(self, call_id: str) -> Conversation | None:
        """The conversation is over here: it, its screen-pop and its customer's leg are let go."""
        self._changing(call_id)
        call = self._calls.get(call_id)
        if call is None:
            return None
        gone, call.conversation, call.screen_pop = call.conversation, None, None
        if gone is not None and gone.leg is not None:
            self.drop_leg(gone.leg)
        self.settle(call_id)
        return gone

    def callback(self, call_id: str) -> CallRecord | None:
        call = self._calls.get(call_id)
        return call.callback if call is not None else None

    def set_callback(self, call_id: str, record: CallRecord) -> None:
        self._changing(call_id)
        self.of(call_id).callback = record

    def drop_callback(self, call_id: str) -> CallRecord | None:
        self._changing(call_id)
        call = self._calls.get(call_id)
        if call is None:
            return None
        gone, call.callback = call.callback, None
        self.settle(call_id)
        return gone

    def record(self, call_id: str) -> CallRecord | None:
        call = self._calls.get(call_id)
        return call.record if call is not None else None

    def consult(self, call_id: str) -> Consult | None:
        call = self._calls.get(call_id)
        return call.consult if call is not None else None

    def set_consult(self, call_id: str, consult: Consult) -> None:
        self._changing(call_id)
        self.of(call_id).consult = consult

    def drop_consult(self, call_id: str) -> Consult | None:
        self._changing(call_id)
        call = self._calls.get(call_id)
        if call is None:
            return None
        gone, call.consult = call.consult, None
        self.settle(call_id)
        return gone

    def screen_pop(self, call_id: str) -> dict[str, Any] | None:
        call = self._calls.get(call_id)
        return call.screen_pop if call is not None else None

    def set_screen_pop(self, call_id: str, pop: dict[str, Any]) -> None:
        self._changing(call_id)
        self.of(call_id).screen_pop = pop

    def segment(self, user_id: int, call_id: str) -> CallRecord | None:
        call = self._calls.get(call_id)
        return call.segments.get(user_id) if call is not None else None

    def set_segment(self, user_id: int, call_id: str, segment: CallRecord) -> None:
        self._changing(call_id)
        self.of(call_id).segments[user_id] = segment

    def drop_segment(self, user_id: int, call_id: str) -> CallRecord | None:
        self._changing(call_id)
        call = self._calls.get(call_id)
        if call is None:
            return None
        segment = call.segments.pop(user_id, None)
        self.settle(call_id)
        return segment

    # --- across calls ---------------------------------------------------------------------------

    def conversations(self) -> list[Conversation]:
        return [c.conversation for c in self._calls.values() if c.conversation is not None]

    def callbacks(self) -> list[CallRecord]:
        return [c.callback for c in self._calls.values() if c.callback is not None]

    def holds(self, call_id: str) -> bool:
        """Whether this node has the call: its caller's leg, a callback waiting, or an agent's part to wrap up."""
        call = self._calls.get(call_id)
        return call is not None and bool(call.conversation or call.callback or call.segments)

    def held(self) -> list[str]:
        return sorted(c.call_id for c in self._calls.values() if c.conversation or c.callback or c.segments)

    def tracks(self, call_id: str) -> bool:
        """Whether anything of the call is held here (its owner lives until nothing is)."""
        call = self._calls.get(call_id)
        return call is not None and call.holds_anything()

    # --- the telephony legs that lead to a call ---------------------------------------------------

    def add_leg(self, leg: str, call_id: str, role: LegRole) -> None:
        self._legs[leg] = (call_id, role)

    def leg(self, leg: str) -> tuple[str, LegRole] | None:
        return self._legs.get(leg)

    def drop_leg(self, leg: str) -> None:
        self._legs.pop(leg, None)

    def session_of_leg(self, leg: str) -> Conversation | None:
        """The conversation a customer's leg belongs to (an inbound caller's leg is its own call id)."""
        found = self._legs.get(leg)
        call_id = found[0] if found is not None and found[1] == "customer" else leg
        return self.conversation(call_id)


@dataclass
class Unfinished:
    """A call whose wrap-up ran out before a disposition was saved: logged (``activity_id``) and shown to
    its agent as "disposition pending" (``view``) until they save one, which completes the row."""

    record: CallRecord
    activity_id: int
    view: dict[str, Any]


STANDING_RINGING = "ringing"  # AgentDesk.standing while the agent's phone is rung to stand by


@dataclass
class AgentDesk:
    offer: dict[str, Any] | None = None  # the call.offered payload ringing now
    call_id: str | None = None  # the call on the line or in wrap-up
    wrapup: dict[str, Any] | None = None
    unfinished: dict[str, Unfinished] = field(default_factory=dict)  # call id -> its disposition pending
    preview: dict[str, Any] | None = None  # a campaign record the agent may call or skip (preview dialling)
    # Predictive dialling: the agent's phone stays connected between calls (their standing line: the leg),
    # or is being rung to be ("ringing"), so an answered customer is bridged at once.
    standing: str | None = None

    def empty(self) -> bool:
        return (
            self.offer is None
            and self.call_id is None
            and self.wrapup is None
            and not self.unfinished
            and self.preview is None
            and self.standing is None
        )


class AgentDesks:
    def __init__(self) -> None:
        self._desks: dict[int, AgentDesk] = {}

    def get(self, user_id: int) -> AgentDesk | None:
        return self._desks.get(user_id)

    def of(self, user_id: int) -> AgentDesk:
        desk = self._desks.get(user_id)
        if desk is None:
            desk = self._desks[user_id] = AgentDesk()
        return desk

    def settle(self, user_id: int) -> None:
        desk = self._desks.get(user_id)
        if desk is not None and desk.empty():
            del self._desks[user_id]

    def offer(self, user_id: int) -> dict[str, Any] | None:
        desk = self._desks.get(user_id)
        return desk.offer if desk is not None else None

    def set_offer(self, user_id: int, offer: dict[str, Any] | None) -> None:
        self.of(user_id).offer = offer
        self.settle(user_id)

    def withdraw_offer(self, user_id: int, call_id: str) -> bool:
        """The offer of ``call_id`` no longer rings for this agent (True if it did)."""
        offer = self.offer(user_id)
        if offer is None or offer["call_id"] != call_id:
            return False
        self.set_offer(user_id, None)
        return True

    def offers_of(self, call_id: str) -> list[int]:
        """The agents the call is offered to now."""
        return [u for u, d in self._desks.items() if d.offer is not None and d.offer["call_id"] == call_id]

    def active(self, user_id: int) -> str | None:
        desk = self._desks.get(user_id)
        return desk.call_id if desk is not None else None

    def set_active(self, user_id: int, call_id: str | None) -> None:
        self.of(user_id).call_id = call_id
        self.settle(user_id)

    def release(self, user_id: int, call_id: str | None = None) -> str | None:
        """The agent no longer works a call (or no longer ``call_id``): the call they had, if any."""
        had = self.active(user_id)
        if had is None or (call_id is not None and had != call_id):
            return None
        self.set_active(user_id, None)
        return had

    def working(self) -> dict[int, str]:
        """Agent user id -> the call they work, for every agent working one."""
        return {u: d.call_id for u, d in self._desks.items() if d.call_id is not None}

    def wrapup(self, user_id: int) -> dict[str, Any] | None:
        desk = self._desks.get(user_id)
        return desk.wrapup if desk is not None else None

    def set_wrapup(self, user_id: int, wrapup: dict[str, Any] | None) -> None:
        self.of(user_id).wrapup = wrapup
        self.settle(user_id)

    def preview(self, user_id: int) -> dict[str, Any] | None:
        desk = self._desks.get(user_id)
        return desk.preview if desk is not None else None

    def set_preview(self, user_id: int, preview: dict[str, Any] | None) -> None:
        self.of(user_id).preview = preview
        self.settle(user_id)

    def previews(self) -> dict[int, dict[str, Any]]:
        return {u: d.preview for u, d in self._desks.items() if d.preview is not None}

    def standing(self, user_id: int) -> str | None:
        """The agent's standing line: its leg, "ringing" while it is rung, None without one."""
        desk = self._desks.get(user_id)
        return desk.standing if desk is not None else None

    def set_standing(self, user_id: int, leg: str | None) -> None:
        self.of(user_id).standing = leg
        self.settle(user_id)

    def standing_lines(self) -> dict[int, str]:
        """Agent user id -> their standing line's leg (connected ones only)."""
        return {u: d.standing for u, d in self._desks.items() if d.standing not in (None, STANDING_RINGING)}

    def standing_agents(self) -> list[int]:
        """Agents with a standing line, connected or being rung."""
        return [u for u, d in self._desks.items() if d.standing is not None]

    def standing_owner(self, leg: str) -> int | None:
        """The agent whose standing line ``leg`` is."""
        return next((u for u, d in self._desks.items() if d.standing == leg), None)

    def wrapping(self) -> Sequence[tuple[int, dict[str, Any]]]:
        return [(u, d.wrapup) for u, d in self._desks.items() if d.wrapup is not None]

    def unfinished(self, user_id: int, call_id: str) -> Unfinished | None:
        desk = self._desks.get(user_id)
        return desk.unfinished.get(call_id) if desk is not None else None

    def first_unfinished(self, user_id: int) -> Unfinished | None:
        desk = self._desks.get(user_id)
        return next(iter(desk.unfinished.values()), None) if desk is not None else None

    def set_unfinished(self, user_id: int, call_id: str, unfinished: Unfinished | None) -> None:
        if unfinished is None:
            desk = self._desks.get(user_id)
            if desk is not None:
                desk.unfinished.pop(call_id, None)
                self.settle(user_id)
            return
        self.of(user_id).unfinished[call_id] = unfinished


class People:
    """What the CRM says of the users, and whether each one's phone is registered."""

    def __init__(self) -> None:
        self.extensions: dict[int, str | None] = {}
        self.names: dict[int, str] = {}  # what the board and transfer lists call a user
        self.usernames: dict[str, int] = {}
        self.phones: dict[int, bool | None] = {}  # None: telephony could not tell

    def refresh(self, rows: Sequence[tuple[int, str | None, str, str | None]]) -> None:
        """From (user id, extension, username, display name) rows of every user."""
        self.extensions = {user_id: ext for user_id, ext, _, _ in rows}
        self.names = {user_id: display or username for user_id, _, username, display in rows}
        self.usernames = {username: user_id for user_id, _, username, _ in rows}

    def name(self, user_id: int | None) -> str | None:
        return None if user_id is None else self.names.get(user_id)

    def extension(self, user_id: int) -> str | None:
        return self.extensions.get(user_id)
