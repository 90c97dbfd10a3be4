"""What a desktop may send on ``/agent``: one validated body per event, and the desk call it becomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contact_center.crm.follow_ups import KINDS as FOLLOW_UP_KINDS
from contact_center.services.desk import Desk

CallId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SetState(Body):
    state: Literal["available", "not_ready", "offline"]
    reason: Annotated[str, StringConstraints(max_length=64)] | None = None


class CallRef(Body):
    call_id: CallId


class Transfer(CallRef):
    queue: Short | None = None
    agent_id: int | None = Field(default=None, gt=0)
    warm: bool = False

    @model_validator(mode="after")
    def one_target(self) -> Transfer:
        if (self.queue is None) == (self.agent_id is None):
            raise ValueError("name exactly one of queue or agent_id")
        return self


class Note(CallRef):
    text: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class Wrapup(CallRef):
    disposition: Short
    notes: Annotated[str, StringConstraints(max_length=20_000)] = ""
    follow_ups: list[dict[str, Any]] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def typed_follow_ups(self) -> Wrapup:
        for item in self.follow_ups:
            if item.get("type") not in FOLLOW_UP_KINDS:
                raise ValueError(f"each follow-up needs a type: {', '.join(FOLLOW_UP_KINDS)}")
        return self


class Extend(Body):
    seconds: float = Field(gt=0, le=600)  # the desk allows at most 10 minutes more at a time


class Dial(Body):
    number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    customer_id: int | None = Field(default=None, gt=0)


class Link(CallRef):
    customer_id: int = Field(gt=0)


class Sync(Body):
    since_seq: int | None = None
    stream: Annotated[str, StringConstraints(max_length=64)] | None = None


class Heartbeat(Body):
    seq: int | None = None


Run = Callable[[Desk, int, Any], Awaitable[dict[str, Any] | None]]


async def _set_state(desk: Desk, user: int, b: SetState) -> dict[str, Any]:
    return await desk.set_state(user, b.state, b.reason)


async def _accept(desk: Desk, user: int, b: CallRef) -> None:
    await desk.accept(user, b.call_id)


async def _reject(desk: Desk, user: int, b: CallRef) -> None:
    await desk.reject(user, b.call_id)


async def _hangup(desk: Desk, user: int, b: CallRef) -> None:
    await desk.hangup(user, b.call_id)


async def _hold(desk: Desk, user: int, b: CallRef) -> None:
    await desk.hold(user, b.call_id)


async def _resume(desk: Desk, user: int, b: CallRef) -> None:
    await desk.resume(user, b.call_id)


async def _transfer(desk: Desk, user: int, b: Transfer) -> None:
    await desk.transfer(user, b.call_id, queue=b.queue, agent_id=b.agent_id, warm=b.warm)


async def _complete_transfer(desk: Desk, user: int, b: CallRef) -> None:
    await desk.complete_transfer(user, b.call_id)


async def _cancel_consult(desk: Desk, user: int, b: CallRef) -> None:
    await desk.cancel_consult(user, b.call_id)


async def _note(desk: Desk, user: int, b: Note) -> None:
    await desk.add_note(user, b.call_id, b.text)


async def _wrapup(desk: Desk, user: int, b: Wrapup) -> dict[str, Any]:
    return await desk.save_wrapup(user, b.call_id, b.disposition, b.notes, b.follow_ups)


async def _extend(desk: Desk, user: int, b: Extend) -> None:
    await desk.extend_wrapup(user, b.seconds)


async def _dial(desk: Desk, user: int, b: Dial) -> dict[str, Any]:
    return await desk.dial(user, b.number, b.customer_id)


async def _link(desk: Desk, user: int, b: Link) -> dict[str, Any]:
    return await desk.link_customer(user, b.call_id, b.customer_id)


async def _transfer_targets(desk: Desk, user: int, b: Body) -> dict[str, Any]:
    return await desk.transfer_targets(user)


COMMANDS: dict[str, tuple[type[Body], Run]] = {
    "agent.set_state": (SetState, _set_state),
    "call.accept": (CallRef, _accept),
    "call.reject": (CallRef, _reject),
    "call.hangup": (CallRef, _hangup),
    "call.hold": (CallRef, _hold),
    "call.resume": (CallRef, _resume),
    "call.transfer": (Transfer, _transfer),
    "call.transfer_complete": (CallRef, _complete_transfer),
    "call.consult_cancel": (CallRef, _cancel_consult),
    "call.note": (Note, _note),
    "wrapup.save": (Wrapup, _wrapup),
    "wrapup.extend": (Extend, _extend),
    "call.dial": (Dial, _dial),
    "call.link_customer": (Link, _link),
    "desk.transfer_targets": (Body, _transfer_targets),
}
