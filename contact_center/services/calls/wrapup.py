"""After the call: wrap-up with a disposition, notes and follow-ups, written to the timeline in one go."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm import dialing
from contact_center.crm.follow_ups import FollowUpRefused, add_follow_ups
from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.agents import agent_key
from contact_center.services.calls.base import CenterCore, iso, iso_time
from contact_center.services.calls.live import Unfinished
from contact_center.services.calls.record import (
    CallRecord,
    call_activity,
    write_call_activity,
)
from contact_center.services.calls.timeline import activity_json
from contact_center.services.desk import DeskError
from contact_center.store.activity_log import Completion, Extra

log = logging.getLogger(__name__)
MAX_EXTEND_SECONDS = 600


class Wrapups:
    """Each agent's wrap-up of a call (or of their part of a transferred one) and the call's activity written."""

    def __init__(self, core: CenterCore) -> None:
        self.core = core

    async def wrapup_started(self, event: ev.WrapUpStarted) -> None:
        codes = await self.core.reads.dispositions()
        record = self.core.calls.record(event.call_id)
        campaign = record.campaign if record is not None else None
        if campaign is not None and campaign.dispositions:  # a campaign call: its own set, in the centre's order
            codes = [c for c in codes if c["code"] in campaign.dispositions] or codes
        user_id = int(event.agent_id)
        payload = {
            "call_id": event.call_id,
            "deadline": iso(event.deadline),
            "dispositions": codes,
        }
        self.core.desks.set_wrapup(user_id, payload)
        self.core.tell(("agent", user_id), "wrapup.started", payload)

    async def wrapup_ended(self, user_id: int) -> None:
        wrapup = self.core.desks.wrapup(user_id)
        self.core.desks.set_wrapup(user_id, None)
        call_id = self.core.desks.release(user_id)
        if wrapup is None:
            return
        ended: dict[str, Any] = {"call_id": wrapup["call_id"]}
        segment = self.core.calls.drop_segment(user_id, wrapup["call_id"])
        if segment is not None:  # their part of a call they transferred; the call itself goes on
            if not segment.logged:
                activity_id = await self.log_segment(
                    segment, disposition=None, notes="", wrap_seconds=0.0, disposition_pending=True
                )
                ended.update(self._disposition_pending(user_id, segment, activity_id, wrapup))
            self.core.tell(("agent", user_id), "wrapup.ended", ended)
            return
        session = self.core.calls.drop_conversation(wrapup["call_id"])  # its screen-pop and leg go with it
        if session is not None and not session.record.logged:
            # The wrap-up timer ran out before a disposition was saved: the call is logged now, and
            # stays "disposition pending" on the agent's desk until they pick one.
            self.core.collect_legs(session.record)
            activity_id = await write_call_activity(
                self.core.activities,
                session.record,
                disposition=None,
                wrap_seconds=0,
                outcome=_outcome(session.record),
                disposition_pending=True,
                agent_name=self.core.people.names.get(user_id),
            )
            ended.update(self._disposition_pending(user_id, session.record, activity_id, wrapup))
        ended["call_id"] = call_id or wrapup["call_id"]
        self.core.tell(("agent", user_id), "wrapup.ended", ended)

    def _disposition_pending(
        self, user_id: int, record: CallRecord, activity_id: int, wrapup: dict[str, Any]
    ) -> dict[str, Any]:
        view = {**wrapup, "deadline": None, "disposition_pending": True}
        self.core.desks.set_unfinished(user_id, record.call_id, Unfinished(record, activity_id, view))
        return {"disposition_pending": True}

    def pending_wrapup(self, user_id: int) -> dict[str, Any] | None:
        """The oldest call of this agent still waiting for its disposition (what the desk shows)."""
        unfinished = self.core.desks.first_unfinished(user_id)
        return unfinished.view if unfinished is not None else None

    async def save_wrapup(
        self, user_id: int, call_id: str, disposition: str, notes: str, follow_ups: list[dict[str, Any]]
    ) -> dict[str, Any]:
        wrapup = self.core.desks.wrapup(user_id)
        unfinished = self.core.desks.unfinished(user_id, call_id)
        if unfinished is not None and (wrapup is None or wrapup["call_id"] != call_id):
            return await self._complete_disposition(user_id, unfinished, disposition, notes, follow_ups)
        segment = self.core.calls.segment(user_id, call_id)
        session = self.core.calls.conversation(call_id)
        record = segment or (session.record if session is not None else None)
        if wrapup is None or wrapup["call_id"] != call_id or record is None:
            raise DeskError("no_such_wrapup", f"call {call_id} is not in wrap-up with you")
        if record.logged:
            raise DeskError("already_saved", f"the wrap-up of call {call_id} is already saved")
        if disposition not in {d["code"] for d in wrapup["dispositions"]}:
            raise DeskError("bad_disposition", f"{disposition!r} is not a disposition code")
        await self._link_from_follow_ups(record, follow_ups)
        wrap_seconds = (self.core.clock.now() - (record.ended_at or self.core.clock.now())).total_seconds()
        self.core.collect_legs(record)
        outcome = "transferred" if segment is not None else _outcome(record)
        entry = call_activity(
            record,
            disposition=disposition,
            wrap_notes=notes,
            wrap_seconds=wrap_seconds,
            outcome=outcome,
            agent_name=self.core.people.names.get(user_id),
        )
        # The call, its follow-ups and any link to a customer: all written, or (a bad follow-up) none.
        try:
            row, created = await self.core.activities.append_with(
                entry, self._follow_ups(user_id, record, follow_ups, disposition)
            )
        except FollowUpRefused as exc:
            raise DeskError("bad_follow_up", str(exc)) from None
        record.logged = True
        await self.core.command(cmd.FinishWrapUp(agent_key(user_id)))
        return self._saved(user_id, record, row, created)

    def _saved(
        self, user_id: int, record: CallRecord, row: dict[str, Any], created: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The agent's desktop shows the saved call on the customer's timeline at once; the answer to the save."""
        if record.customer_id is not None:
            self.core.tell(
                ("agent", user_id),
                "timeline.appended",
                {"customer_id": record.customer_id, "activity": activity_json(row)},
            )
        return {"activity_id": row["id"], "created": created}

    def _follow_ups(
        self, user_id: int, record: CallRecord, follow_ups: list[dict[str, Any]], disposition: str
    ) -> Extra:
        """What the disposition writes beside the call's activity, in its transaction: the follow-ups, and for
        a dialer's call where its record stands now (done, tried again later, do not call)."""
        now = self.core.clock.now()

        async def write(db: AsyncSession, activity_id: int) -> list[dict[str, Any]]:
            if record.campaign is not None:
                by = self.core.people.names.get(user_id) or f"agent {user_id}"
                await dialing.record_disposition(db, record.campaign.attempt_id, disposition, now, by=by)
            return await add_follow_ups(
                db,
                now,
                record.customer_id,
                record.account_id,
                record.call_id,
                user_id,
                _with_queue(follow_ups, record.queue),
                number=record.callback_number or record.caller_number,
                region=self.core.region,
            )

        return write

    async def _complete_disposition(
        self, user_id: int, unfinished: Unfinished, disposition: str, notes: str, follow_ups: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The disposition of a call whose wrap-up ran out: its logged row is completed (with the notes and
        follow-ups, all or none); the agent is not put back into wrap-up."""
        record, call_id = unfinished.record, unfinished.record.call_id
        if disposition not in {d["code"] for d in unfinished.view["dispositions"]}:
            raise DeskError("bad_disposition", f"{disposition!r} is not a disposition code")
        completion = Completion(
            unfinished.activity_id,
            disposition,
            {"disposition_pending": False, "disposition_saved_at": iso_time(self.core.clock.now())},
            (notes,) if notes else (),
        )
        try:
            row, created = await self.core.activities.complete_with(
                completion, self._follow_ups(user_id, record, follow_ups, disposition)
            )
        except FollowUpRefused as exc:
            raise DeskError("bad_follow_up", str(exc)) from None
        self.core.desks.set_unfinished(user_id, call_id, None)
        self.core.tell(("agent", user_id), "wrapup.ended", {"call_id": call_id, "disposition_saved": True})
        return self._saved(user_id, record, row, created)

    async def log_segment(
        self,
        segment: CallRecord,
        *,
        disposition: str | None,
        notes: str,
        wrap_seconds: float,
        disposition_pending: bool = False,
    ) -> int:
        """An agent's part of a call they handed on, written to the timeline (its outcome: transferred)."""
        self.core.collect_legs(segment)
        return await write_call_activity(
            self.core.activities,
            segment,
            disposition=disposition,
            wrap_notes=notes,
            wrap_seconds=wrap_seconds,
            outcome="transferred",
            disposition_pending=disposition_pending,
            agent_name=self.core.people.names.get(segment.agent_user_id or 0),
        )

    async def link_customer(self, user_id: int, call_id: str, customer_id: int) -> dict[str, Any]:
        """An unknown (or wrongly matched) caller the agent found or created: the call joins that timeline."""
        if (
            self.core.desks.active(user_id) != call_id
            and (self.core.desks.offer(user_id) or {}).get("call_id") != call_id
        ):
            raise DeskError("no_such_call", f"call {call_id} is not yours")
        record = self._record_of(user_id, call_id)
        if record is None:
            raise DeskError("no_such_call", f"call {call_id} is not yours")
        if record.logged:
            raise DeskError("already_saved", "this call is already on a timeline")
        try:
            view = await self.core.reads.customer_360(customer_id)
        except (LookupError, OverflowError):
            raise DeskError("no_such_customer", f"no customer {customer_id}") from None
        record.customer_id, record.account_id = view["customer"]["id"], view["customer"]["account_id"]
        pop = self.core.calls.screen_pop(call_id)
        if pop is not None:  # transfers and reconnects show the linked customer from now on
            pop["customer"], pop["customer_360"], pop["matches"] = view["customer"], view, []
        self.core.tell(
            ("agent", user_id),
            "call.customer_linked",
            {"call_id": call_id, "customer": view["customer"], "customer_360": view},
        )
        return {"customer_id": customer_id}

    def _record_of(self, user_id: int, call_id: str) -> CallRecord | None:
        segment = self.core.calls.segment(user_id, call_id)
        if segment is not None:
            return segment
        session = self.core.calls.conversation(call_id)
        return session.record if session is not None else None

    async def _link_from_follow_ups(self, record: CallRecord, follow_ups: list[dict[str, Any]]) -> None:
        """Older desktops link an unknown caller by naming the customer in the follow-ups."""
        chosen = {f["customer_id"] for f in follow_ups if f.get("customer_id")}
        if record.customer_id is not None or len(chosen) != 1:
            return
        customer_id: Any = chosen.pop()
        try:
            view = await self.core.reads.customer_360(int(customer_id))
        except (LookupError, ValueError, TypeError, OverflowError):
            raise DeskError("bad_follow_up", f"no customer {customer_id}") from None
        record.customer_id, record.account_id = view["customer"]["id"], view["customer"]["account_id"]

    async def extend_wrapup(self, user_id: int, seconds: float) -> None:
        if not 0 < seconds <= MAX_EXTEND_SECONDS:
            raise DeskError("bad_extension", f"extend wrap-up by 1 to {MAX_EXTEND_SECONDS} seconds")
        events = await self.core.command(cmd.ExtendWrapUp(agent_key(user_id), seconds))
        wrapup = self.core.desks.wrapup(user_id)
        extended = [e for e in events if isinstance(e, ev.WrapUpExtended)]
        if wrapup is not None and extended:
            wrapup["deadline"] = iso(extended[-1].deadline)
            self.core.tell(("agent", user_id), "wrapup.started", wrapup)


def _outcome(record: CallRecord) -> str:
    """An answered call is ``answered``; a call we placed that nobody took says why (busy, no_answer...)."""
    if record.direction == "outbound" and record.customer_leg is None:
        return record.end_reason or "not_answered"
    return "answered"


def _with_queue(follow_ups: list[dict[str, Any]], queue: str | None) -> list[dict[str, Any]]:
    """A callback scheduled from a call goes back to that call's queue unless the agent chose another."""
    return [{**f, "queue": f.get("queue") or queue} if f.get("type") == "callback" else f for f in follow_ups]
