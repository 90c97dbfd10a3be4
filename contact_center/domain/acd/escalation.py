"""Escalation and overflow: ordered rules on the time a call has waited in its current queue,
maximum wait and maximum length with their exit. Every step is an event on the call's trail.
"""

from __future__ import annotations

from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.commands import MoveCall, OfferCallback, SetCallPriority
from contact_center.domain.acd.config import EscalationRule, QueueConfig, skill_signature
from contact_center.domain.acd.core import RouterCore
from contact_center.domain.acd.errors import InvalidTransition
from contact_center.domain.acd.events import (
    CallbackOffered,
    CallbackRequested,
    CallEscalated,
    CallExited,
    CallMoved,
    CallReprioritized,
    RouteTargetUnknown,
    SupervisorAlerted,
)


class EscalationMixin(RouterCore):
    def _arm_call_timers(self, call: Call) -> None:
        call.timer_version += 1
        cfg = self.queues.get(call.queue_id)
        if cfg is None:
            return
        if call.next_rule < len(cfg.escalation):
            due = call.entered_queue_at + cfg.escalation[call.next_rule].after_seconds
            self._schedule(due, "escalate", call.id, call.timer_version)
        if cfg.max_wait_seconds is not None and not call.is_callback:
            due = call.entered_queue_at + cfg.max_wait_seconds
            # Already past only when the exit failed (unknown queue) and the call stayed: do not fire again.
            if due > self.clock:
                self._schedule(due, "maxwait", call.id, call.timer_version)

    def _escalate(self, call: Call, now: float) -> None:
        cfg = self.queues.get(call.queue_id)
        index = call.next_rule
        if cfg is None or index >= len(cfg.escalation):
            return  # the queue was reconfigured with fewer rules since this timer was set
        rule = cfg.escalation[index]
        if call.entered_queue_at + rule.after_seconds > now:
            self._arm_call_timers(call)  # reconfigured with a later rule at this place: wait for it
            return
        call.rules_done[call.queue_id] = index + 1
        queue_before = call.queue_id
        detail = self._apply(call, cfg, rule, now)
        self._emit(
            CallEscalated(
                at=now, call_id=call.id, queue_id=queue_before, rule_index=index, action=rule.action, detail=detail
            ),
            call,
        )
        if call.state is CallState.QUEUED and call.queue_id == queue_before:
            self._arm_call_timers(call)  # the next rule (and the max-wait timer) from here

    def _apply(self, call: Call, cfg: QueueConfig, rule: EscalationRule, now: float) -> str:
        if rule.action == "raise_priority":
            before = call.priority
            self._reindex(call, priority=call.priority + rule.amount)
            return f"priority {before} -> {call.priority}"
        if rule.action == "relax_skills":
            relaxed = {s: lvl - rule.amount for s, lvl in call.signature}
            self._reindex(call, signature=skill_signature(relaxed))
            return "skills " + (",".join(f"{s}>={lvl}" for s, lvl in call.signature) or "none")
        if rule.action == "widen":
            target = rule.queue or cfg.overflow_queue or ""
            if target not in call.pools:
                self._reindex(call, pools=[*call.pools, target])
            return f"agents of {target} may answer"
        if rule.action == "move":
            target = rule.queue or ""
            if target not in self.queues:
                return self._move_failed(call, cfg, target, now)
            self._move(call, target, now, "escalation")
            return f"moved to {target}"
        wait = now - call.queued_at
        if rule.action == "alert":
            message = rule.message or f"call waiting {wait:.0f}s in {call.queue_id}"
            self._emit(
                SupervisorAlerted(at=now, call_id=call.id, queue_id=call.queue_id, message=message, wait_seconds=wait),
                call,
            )
            return message
        if not call.is_callback:  # offer_callback
            self._emit(CallbackOffered(at=now, call_id=call.id, queue_id=call.queue_id), call)
        return "callback offered"

    def _move_failed(self, call: Call, cfg: QueueConfig, target: str, now: float) -> str:
        """A move to a queue nobody configured: the queue's exit instead if it can work, else keep waiting."""
        exit_target = cfg.exit_action.queue if cfg.exit_action.kind == "queue" else None
        usable_exit = exit_target is None or (exit_target in self.queues and exit_target != call.queue_id)
        fallback = "exit" if usable_exit else "waiting"
        self._emit(
            RouteTargetUnknown(
                at=now,
                call_id=call.id,
                queue_id=call.queue_id,
                target_queue=target,
                source="escalation",
                fallback=fallback,
            ),
            call,
        )
        if usable_exit:
            self._exit(call, cfg, "move_failed", now, {call.queue_id})
            return f"unknown queue {target}: exit {cfg.exit_action.kind} instead"
        return f"unknown queue {target}: kept waiting"

    def _reindex(
        self,
        call: Call,
        *,
        priority: int | None = None,
        signature: tuple[tuple[str, int], ...] | None = None,
        pools: list[str] | None = None,
    ) -> None:
        self.waiting.remove(call)
        if priority is not None:
            call.priority = priority
        if signature is not None:
            call.signature = signature
        if pools is not None:
            call.pools = pools
        self.waiting.add(call)
        self._touched_calls.append(call)  # more agents may be eligible now

    def _move_call(self, cmd: MoveCall, now: float) -> None:
        call = self._waiting_call(cmd.call_id)
        self.queue(cmd.queue_id)  # an unknown queue is refused before anything changes
        if cmd.queue_id == call.queue_id:
            raise InvalidTransition(f"call {call.id!r} is in queue {cmd.queue_id!r} already")
        self._move(call, cmd.queue_id, now, "supervisor")

    def _set_priority(self, cmd: SetCallPriority, now: float) -> None:
        call = self._waiting_call(cmd.call_id)
        if not -1000 <= cmd.priority <= 1000:
            raise InvalidTransition(f"priority {cmd.priority} is out of range (-1000 to 1000)")
        before = call.priority
        if before != cmd.priority:
            self._reindex(call, priority=cmd.priority)
            self._emit(
                CallReprioritized(at=now, call_id=call.id, queue_id=call.queue_id, old=before, new=cmd.priority), call
            )

    def _offer_callback(self, cmd: OfferCallback, now: float) -> None:
        call = self._waiting_call(cmd.call_id)
        if call.is_callback:
            raise InvalidTransition(f"call {call.id!r} is a callback already")
        if call.caller_number is None:
            raise InvalidTransition(f"call {call.id!r} has no number to call back")
        self._emit(CallbackOffered(at=now, call_id=call.id, queue_id=call.queue_id), call)

    def _waiting_call(self, call_id: str) -> Call:
        call = self.live_call(call_id)
        if call.state is not CallState.QUEUED:
            raise InvalidTransition(f"call {call_id!r} is not waiting in a queue (it is {call.state})")
        return call

    def _max_wait(self, call: Call, now: float) -> None:
        self._exit(call, self.queues[call.queue_id], "max_wait", now, {call.queue_id})

    def _move(self, call: Call, target: str, now: float, reason: str, visited: set[str] | None = None) -> None:
        """Into another queue, keeping the original enqueue time (moving never costs the caller their place)."""
        if call.state is CallState.QUEUED:
            self.waiting.remove(call)
        source = call.queue_id
        self._emit(CallMoved(at=now, call_id=call.id, from_queue=source, to_queue=target, reason=reason), call)
        self._admit(call, target, now, visited or {source})

    def _admit(self, call: Call, queue_id: str, now: float, visited: set[str]) -> None:
        """Make the call wait in ``queue_id`` unless that queue is full (then its exit applies)."""
        cfg = self.queue(queue_id)
        call.queue_id = queue_id
        call.entered_queue_at = now
        call.pools = [queue_id]
        call.signature = skill_signature(call.requested_skills, cfg.required_skills)
        self._restore_escalations(call, cfg)
        if call.preferred_agent is not None:
            self._recheck_preference(call, now)  # a move: is the agent asked for still one of its pools?
        if cfg.max_length is not None and not call.is_callback and self._callers_waiting(queue_id) >= cfg.max_length:
            self._exit(call, cfg, "queue_full", now, visited | {queue_id})
            return
        self._put_waiting(call)

    def _restore_escalations(self, call: Call, cfg: QueueConfig) -> None:
        """Back in a queue whose rules already fired for this call: keep their effect, do not fire them again.

        Priority stays on the call by itself; relaxed skills and widened pools are rebuilt here.
        """
        for rule in cfg.escalation[: call.next_rule]:
            if rule.action == "relax_skills":
                call.signature = skill_signature({s: lvl - rule.amount for s, lvl in call.signature})
            elif rule.action == "widen":
                target = rule.queue or cfg.overflow_queue or ""
                if target not in call.pools:
                    call.pools.append(target)

    def _callers_waiting(self, queue_id: str) -> int:
        return sum(1 for c in self.waiting.calls_in(queue_id) if not c.is_callback)

    def _exit(self, call: Call, cfg: QueueConfig, reason: str, now: float, visited: set[str]) -> None:
        action = cfg.exit_action
        target = action.queue if action.kind == "queue" else None
        if target is not None and target not in visited and target not in self.queues:
            # Checked before anything changes: the call keeps waiting where it is rather than vanish.
            self._emit(
                RouteTargetUnknown(
                    at=now,
                    call_id=call.id,
                    queue_id=call.queue_id,
                    target_queue=target,
                    source=reason,
                    fallback="waiting",
                ),
                call,
            )
            if reason == "queue_full":
                self._put_waiting(call)  # over the limit, but in a queue
            return
        if call.state is CallState.QUEUED:
            self.waiting.remove(call)
        if target is not None and target not in visited:
            self._emit(
                CallMoved(at=now, call_id=call.id, from_queue=call.queue_id, to_queue=target, reason=reason), call
            )
            self._admit(call, target, now, visited | {target})
            return
        if action.kind == "callback" and call.caller_number is not None:
            call.callback_number = call.caller_number
            self._emit(
                CallbackRequested(
                    at=now, call_id=call.id, queue_id=call.queue_id, number=call.caller_number, reason=reason
                ),
                call,
            )
            self._put_waiting(call)
            return
        # Voicemail, disconnect, or a fallback (no number to call back, or the queue chain loops).
        destination = action.kind if action.kind in ("voicemail", "disconnect") else "voicemail"
        self._emit(
            CallExited(
                at=now,
                call_id=call.id,
                queue_id=call.queue_id,
                reason=reason,
                destination=destination,
                wait_seconds=now - call.queued_at,
            ),
            call,
        )
        call.state = CallState.EXITED
        self._maybe_retire(call.id)
