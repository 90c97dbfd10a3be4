"""What one inbound interaction collected on its way, and the activities it leaves on the timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from contact_center.store.activity_log import ActivityLog, NewActivity
from contact_center.telephony.detail import CallDetail


@dataclass(frozen=True, slots=True)
class CampaignCall:
    """What a call the dialer placed carries: its campaign, the record and the attempt it is."""

    campaign: str
    record_id: int
    attempt_id: int
    script: str = ""
    record: dict[str, Any] = field(default_factory=dict)  # name, number, attempts, the list's columns
    answering_machine: str = "off"  # off | hang_up | leave_message (the campaign's)
    machine_message: str = ""
    abandon_message: str = ""  # predictive, when nobody is free for the person who answered (empty: the standard one)
    dispositions: tuple[str, ...] = ()  # the campaign's disposition set (empty: all of the centre's)


@dataclass
class CallRecord:
    """Everything the call activity needs; filled in by the session as the call goes."""

    call_id: str
    caller_number: str
    dialled: str
    arrived_at: dt.datetime
    customer_id: int | None = None
    account_id: int | None = None
    matches: list[dict[str, Any]] = field(default_factory=list)
    ivr: dict[str, Any] | None = None
    ivr_outcome: str | None = None
    queue: str | None = None
    queued_at: dt.datetime | None = None
    agent_user_id: int | None = None
    agent_leg: str | None = None
    agent_legs_seen: list[str] = field(default_factory=list)  # every agent leg, transfers included
    answered_at: dt.datetime | None = None
    connected_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    hung_up_by: str | None = None
    end_reason: str | None = None
    hold_seconds: float = 0.0
    held_since: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)
    legs: list[dict[str, Any]] = field(default_factory=list)  # each leg's call detail, as telephony saw it
    recording: str | None = None
    sip: dict[str, Any] = field(default_factory=dict)
    transferred_by: int | None = None  # the agent who last handed the call on (blind), for the next screen-pop
    callback_number: str | None = None  # where a callback the caller asked for goes
    scheduled_callback_id: int | None = None  # the promised callback this call is an attempt of
    customer_leg: str | None = None  # the customer's telephony leg (an inbound caller's is the call id)
    direction: str = "inbound"  # "outbound" for click-to-call and callbacks we place
    escalations: list[dict[str, Any]] = field(default_factory=list)  # what routing did while the caller waited
    queue_data: dict[str, Any] = field(default_factory=dict)  # what the IVR handed on for the agent
    campaign: CampaignCall | None = None  # a call the dialer placed
    logged: bool = False
    talk_closed: bool = False

    def wait_seconds(self) -> float:
        if self.queued_at is None:
            return 0.0
        until = self.answered_at or self.ended_at or self.queued_at
        return max(0.0, (until - self.queued_at).total_seconds())

    def wait_seconds_now(self, now: dt.datetime) -> float:
        return 0.0 if self.queued_at is None else max(0.0, (now - self.queued_at).total_seconds())

    def talk_seconds(self) -> float:
        if self.connected_at is None or self.ended_at is None:
            return 0.0
        return max(0.0, (self.ended_at - self.connected_at).total_seconds() - self.hold_seconds)


async def write_ivr_activity(activities: ActivityLog, record: CallRecord, trail_columns: dict[str, Any]) -> None:
    """The IVR session on the timeline as soon as it ends: nothing is lost if the call drops later."""
    values = {**trail_columns, "interaction_id": record.call_id, "account_id": record.account_id}
    values["customer_id"] = values.get("customer_id") or record.customer_id
    await activities.append(NewActivity(values))


def _interaction_columns(record: CallRecord) -> dict[str, Any]:
    """What every activity of one phone interaction says alike: who, which call, which queue, when."""
    return {
        "channel": "phone",
        "customer_id": record.customer_id,
        "account_id": record.account_id,
        "interaction_id": record.call_id,
        "queue": record.queue,
        "started_at": record.arrived_at,
        "ended_at": record.ended_at,
    }


def call_activity(
    record: CallRecord,
    *,
    disposition: str | None,
    wrap_seconds: float,
    wrap_notes: str = "",
    outcome: str,
    disposition_pending: bool = False,
    agent_name: str | None = None,
) -> NewActivity:
    """One activity for the whole interaction: IVR trail, queue wait, talk, hold, wrap, disposition.
    ``disposition_pending``: the wrap-up ran out; the agent's disposition completes the row later."""
    details: dict[str, Any] = {
        "caller_number": record.caller_number,
        "dialled": record.dialled,
        "wait_seconds": round(record.wait_seconds(), 1),
        "talk_seconds": round(record.talk_seconds(), 1),
        "hold_seconds": round(record.hold_seconds, 1),
        "wrap_seconds": round(wrap_seconds, 1),
        "hung_up_by": record.hung_up_by,
        "end_reason": record.end_reason,
        "legs": record.legs,
        "ivr": record.ivr,
        "escalations": record.escalations,
        "queue_data": record.queue_data,
        "notes": record.notes + ([wrap_notes] if wrap_notes else []),
        "sip": record.sip,
    }
    if record.campaign is not None:
        details["campaign"] = {
            "name": record.campaign.campaign,
            "record_id": record.campaign.record_id,
            "attempt": record.campaign.record.get("attempts"),
        }
    if disposition_pending:
        details["disposition_pending"] = True
    who = f" with {agent_name or f'agent {record.agent_user_id}'}" if record.agent_user_id else ""
    if record.campaign is not None:
        subject = f"Campaign call ({record.campaign.campaign}) to {record.caller_number}{who}"
    elif record.direction == "outbound":
        subject = f"Outbound call to {record.caller_number}{who}"
    else:
        subject = f"Inbound call{' · ' + record.queue if record.queue else ''}{who}"
    columns = {
        **_interaction_columns(record),
        "type": "call",
        "direction": record.direction,
        "subject": subject,
        "agent_id": record.agent_user_id,
        "disposition": disposition,
        "outcome": outcome,
        "details": details,
    }
    return NewActivity(columns, ("call", record.recording) if record.recording is not None else None)


async def write_call_activity(
    activities: ActivityLog,
    record: CallRecord,
    *,
    disposition: str | None,
    wrap_seconds: float,
    wrap_notes: str = "",
    outcome: str,
    disposition_pending: bool = False,
    agent_name: str | None = None,
) -> int:
    entry = call_activity(
        record,
        disposition=disposition,
        wrap_seconds=wrap_seconds,
        wrap_notes=wrap_notes,
        outcome=outcome,
        disposition_pending=disposition_pending,
        agent_name=agent_name,
    )
    row = await activities.append(entry)
    record.logged = True
    activity_id: int = row["id"]
    return activity_id


async def write_voicemail_activity(
    activities: ActivityLog, record: CallRecord, mailbox: str, path: str, seconds: float
) -> None:
    """A message left for a mailbox: its own activity, so the mailbox's owners find it on the timeline."""
    who = record.caller_number or "a withheld number"
    columns = {
        **_interaction_columns(record),
        "type": "voicemail",
        "direction": "inbound",
        "subject": f"Voicemail for {mailbox} from {who}",
        "outcome": "new",
        "details": {
            "mailbox": mailbox,
            "seconds": round(seconds, 1),
            "caller_number": record.caller_number,
            "dialled": record.dialled,
        },
    }
    await activities.append(NewActivity(columns, ("voicemail", path)))


def leg_json(detail: CallDetail) -> dict[str, Any]:
    """A leg's call detail for the activity: times (ISO), who hung up, SIP codes, whether it was recorded.

    The file's path stays on the server: the activity names its recording by ``recording_id``.
    """

    def at(value: float | None) -> str | None:
        return None if value is None else dt.datetime.fromtimestamp(value, dt.UTC).isoformat().replace("+00:00", "Z")

    return {
        "call_id": detail.call_id,
        "kind": str(detail.kind),
        "caller": detail.caller,
        "dialled": detail.dialled,
        "arrived_at": at(detail.arrived_at),
        "answered_at": at(detail.answered_at),
        "queued_at": at(detail.queued_at),
        "connected_at": at(detail.connected_at),
        "ended_at": at(detail.ended_at),
        "hold_seconds": round(detail.hold_seconds, 1),
        "ringing_at": at(detail.ringing_at),
        "ring_seconds": _round(detail.ring_seconds),
        "hung_up_by": str(detail.hung_up_by) if detail.hung_up_by else None,
        "sip_codes": list(detail.sip_codes),
        "final_code": detail.final_code,
        "end_reason": detail.end_reason or None,
        "recorded": detail.recording is not None,
        "digits": detail.digits,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
