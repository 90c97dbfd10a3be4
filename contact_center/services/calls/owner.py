"""One owner per call: every step that concerns a call runs in that call's own task, one after another.

Telephony reactions (a leg hung up), routing decisions (offered, withdrawn, left the queue, wrap-up) and
desk commands (accept, hold, transfer, save the wrap-up) for one call are messages to its owner, taken
from its inbox in the order they came. Two steps of one call never interleave, so a hang-up cannot
land in the middle of an accept, and a wrap-up cannot start while the offer is still being built.

Steps that wait on the far end for long (the IVR, ringing a phone, a voicemail) would hold the inbox
up: they run as the owner's children, beside the inbox, and are cancelled when the owner closes. What
they decide afterwards they ask of the owner like anyone else (``ask`` from a child waits its turn).

The owner retires when its inbox is empty, no child runs and the call center no longer tracks the call
(``alive``); a later message for the same call (a late routing event) starts a fresh owner.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

# The owner whose inbox step is running in this task: its own asks then run at once (no waiting on itself).
_RUNNING: contextvars.ContextVar[CallOwner | None] = contextvars.ContextVar("call_owner", default=None)


def running_call() -> str | None:
    """The call whose owner's inbox step is running in this task (None in a child, or outside any owner)."""
    owner = _RUNNING.get()
    return owner.call_id if owner is not None else None


class _Step:
    __slots__ = ("coro", "done", "what")

    def __init__(self, coro: Coroutine[Any, Any, Any], what: str, done: asyncio.Future[Any] | None) -> None:
        self.coro, self.what, self.done = coro, what, done


class CallOwner:
    def __init__(self, call_id: str, *, alive: Callable[[str], bool], retired: Callable[[CallOwner], None]) -> None:
        self.call_id = call_id
        self._alive = alive
        self._retired = retired
        self._inbox: deque[_Step] = deque()
        self._children: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()
        self._closed = False
        context = contextvars.copy_context()
        context.run(_RUNNING.set, self)
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"call-{call_id}", context=context)

    @property
    def closed(self) -> bool:
        return self._closed

    def post(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        """A step nobody waits for (a telephony or routing event): its failure is logged."""
        self._put(_Step(coro, what, None))

    async def ask(self, coro: Coroutine[Any, Any, T], what: str) -> T:
        """A step whose result (or refusal) goes back to the asker: a desk command, a child's next move."""
        if _RUNNING.get() is self:  # a step of this owner asking for another: it is already our turn
            return await coro
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._put(_Step(coro, what, done))
        return await done

    def child(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        """A long step beside the inbox (it waits on a phone or a caller); cancelled when the owner closes."""
        if self._closed:
            coro.close()
            return
        context = contextvars.copy_context()
        context.run(_RUNNING.set, None)  # a child's asks queue up like anyone's
        task = asyncio.get_running_loop().create_task(
            self._guard(coro, what), name=f"call-{self.call_id}-{what}", context=context
        )
        self._children.add(task)
        task.add_done_callback(self._child_done)

    def _child_done(self, task: asyncio.Task[Any]) -> None:
        self._children.discard(task)
        self._wake.set()

    def _put(self, step: _Step) -> None:
        if self._closed:
            step.coro.close()
            if step.done is not None and not step.done.done():
                step.done.set_exception(RuntimeError(f"call {self.call_id} is closed"))
            return
        self._inbox.append(step)
        self._wake.set()

    async def _run(self) -> None:
        try:
            while True:
                while self._inbox:
                    await self._take(self._inbox.popleft())
                if not self._children and not self._alive(self.call_id):
                    return
                self._wake.clear()
                await self._wake.wait()
        finally:
            self._closed = True
            self._retired(self)
            self._drop_inbox()

    async def _take(self, step: _Step) -> None:
        try:
            result = await step.coro
        except asyncio.CancelledError:
            if step.done is not None and not step.done.done():
                step.done.cancel()
            raise
        except Exception as exc:
            if step.done is None:
                log.exception("call %s: %s failed", self.call_id, step.what)
            elif not step.done.done():
                step.done.set_exception(exc)
        else:
            if step.done is not None and not step.done.done():
                step.done.set_result(result)

    async def _guard(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            if not self._closed:  # closing (the server stops) refuses what the child asks next: not a failure
                log.exception("call %s: %s failed", self.call_id, what)

    def _drop_inbox(self) -> None:
        while self._inbox:
            step = self._inbox.popleft()
            step.coro.close()
            if step.done is not None and not step.done.done():
                step.done.set_exception(RuntimeError(f"call {self.call_id} is closed"))

    async def close(self) -> None:
        """Stop at once (the server is stopping): children cancelled, steps not yet taken dropped."""
        self._closed = True
        for task in [*self._children, self._task]:
            task.cancel()
        await asyncio.gather(*self._children, self._task, return_exceptions=True)


class CallOwners:
    """The dispatcher's map from call ids to owners: the owner of a call is made when first needed."""

    def __init__(self, alive: Callable[[str], bool]) -> None:
        self._alive = alive
        self._owners: dict[str, CallOwner] = {}

    def of(self, call_id: str) -> CallOwner:
        owner = self._owners.get(call_id)
        if owner is None or owner.closed:
            owner = self._owners[call_id] = CallOwner(call_id, alive=self._alive, retired=self._forget)
        return owner

    def _forget(self, owner: CallOwner) -> None:
        if self._owners.get(owner.call_id) is owner:
            del self._owners[owner.call_id]

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._owners

    def __len__(self) -> int:
        return len(self._owners)

    async def close(self) -> None:
        await asyncio.gather(*(owner.close() for owner in list(self._owners.values())), return_exceptions=True)
