"""One-click follow-ups from wrap-up: a case, a lead, an opportunity, a task or a callback, made in one go."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.cases import create_case, update_case
from contact_center.crm.errors import NotFound
from contact_center.crm.phones import try_e164
from contact_center.crm.scheduled_callbacks import schedule
from contact_center.crm.schemas import CaseCreate, CaseUpdate, LeadCreate, OpportunityCreate
from contact_center.store.tables import Activity, Lead, Opportunity


class FollowUpRefused(ValueError):
    """A follow-up that cannot be made; the message names the item and field (``follow_ups.2.number: ...``)."""


KINDS = ("case", "case_update", "lead", "opportunity", "task", "callback")
CASE_UPDATE_FIELDS = ("status", "priority", "category", "owner_id")


async def add_follow_ups(
    session: AsyncSession,
    now: dt.datetime,
    customer_id: int | None,
    account_id: int | None,
    interaction_id: str,
    user_id: int,
    items: list[dict[str, Any]],
    *,
    number: str | None = None,
    region: str = "US",
) -> list[dict[str, Any]]:
    """Within the caller's transaction, so a bad item refuses the lot (and the call activity with it),
    naming the item and field. A callback is also scheduled to be placed (by default to ``number``, the
    number of the call being wrapped up)."""
    created: list[dict[str, Any]] = []
    try:
        for i, item in enumerate(items):
            kind = item.get("type")
            fields = _fields(kind, item)
            if kind == "case":
                data = CaseCreate.model_validate(
                    {"customer_id": customer_id, "account_id": account_id, "owner_id": user_id, **fields}
                )
                case = await create_case(session, data, now)
                created.append({"type": "case", "id": case.id, "number": case.number})
            elif kind == "case_update":
                case_id = _case_id(item.get("case_id"), f"follow_ups.{i}.case_id")
                changes = {k: item[k] for k in CASE_UPDATE_FIELDS if item.get(k) is not None}
                try:
                    case = await update_case(session, case_id, CaseUpdate.model_validate(changes), user_id, now)
                except NotFound:
                    raise FollowUpRefused(f"follow_ups.{i}.case_id: no case {case_id}") from None
                if item.get("note"):
                    session.add(
                        Activity(
                            type="note",
                            channel="phone",
                            subject=str(item["note"])[:300],
                            customer_id=case.customer_id or customer_id,
                            account_id=case.account_id,
                            agent_id=user_id,
                            case_id=case.id,
                            interaction_id=interaction_id,
                            started_at=now,
                            details={"text": str(item["note"])[:10_000]},
                        )
                    )
                created.append({"type": "case_update", "id": case.id, "number": case.number, "status": case.status})
            elif kind == "lead":
                lead = Lead(**LeadCreate.model_validate({"owner_id": user_id, **fields}).model_dump())
                lead.customer_id = customer_id
                session.add(lead)
                await session.flush()
                created.append({"type": "lead", "id": lead.id})
            elif kind == "opportunity":
                data_o = OpportunityCreate.model_validate(
                    {"customer_id": customer_id, "account_id": account_id, "owner_id": user_id, **fields}
                )
                opportunity = Opportunity(**data_o.model_dump())
                session.add(opportunity)
                await session.flush()
                created.append({"type": "opportunity", "id": opportunity.id})
            elif kind in ("task", "callback"):
                due = _due(fields.get("due_at") or fields.get("at"), f"follow_ups.{i}.at")
                activity = Activity(
                    type="task" if kind == "task" else "callback",
                    channel="system",
                    subject=str(fields.get("subject") or ("Call back" if kind == "callback" else "Task"))[:300],
                    customer_id=customer_id,
                    account_id=account_id,
                    agent_id=user_id,
                    interaction_id=interaction_id,
                    outcome="scheduled",
                    started_at=due or now,
                    details={
                        "due_at": due.isoformat() if due else None,
                        "queue": fields.get("queue"),
                        "number": fields.get("number"),
                        "notes": fields.get("notes", ""),
                    },
                )
                session.add(activity)
                await session.flush()
                created.append({"type": kind, "id": activity.id})
                if kind == "callback":
                    to = try_e164(str(fields.get("number") or number or ""), region)
                    if to is None:
                        raise FollowUpRefused(f"follow_ups.{i}.number: no phone number to call back")
                    row = schedule(
                        session,
                        number=to,
                        queue=str(fields.get("queue") or "general"),
                        due_at=due or now,
                        customer_id=customer_id,
                        agent_id=user_id if fields.get("mine") else None,
                        interaction_id=interaction_id,
                        activity_id=activity.id,
                    )
                    await session.flush()
                    created[-1]["callback_id"] = row.id
            else:
                raise FollowUpRefused(f"follow_ups.{i}.type must be one of {', '.join(KINDS)}")
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise FollowUpRefused(f"follow-up {field}: {first['msg']}") from None
    return created


def _fields(kind: Any, item: dict[str, Any]) -> dict[str, Any]:
    """The desktop sends every follow-up as {type, subject, customer_id, at?}; give each record its own fields."""
    fields = {k: v for k, v in item.items() if k != "type" and v is not None}
    subject = fields.pop("subject", None)
    if kind == "lead":
        fields.setdefault("last_name", subject or "Unknown")
        if subject:
            fields.setdefault("notes", subject)
    elif kind == "opportunity":
        fields.setdefault("name", subject or "Opportunity")
    elif subject is not None:
        fields["subject"] = subject
    if kind in ("case", "lead", "opportunity"):
        fields.pop("at", None)
    return fields


def _case_id(raw: Any, field: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise FollowUpRefused(f"{field} must name a case by its id") from None
    if value <= 0:
        raise FollowUpRefused(f"{field} must name a case by its id")
    return value


def _due(raw: Any, field: str) -> dt.datetime | None:
    if raw in (None, ""):
        return None
    try:
        due = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise FollowUpRefused(f"{field} is not a date and time") from None
    if due.tzinfo is None:  # the desktop sends ISO with "Z"; a bare local time is ambiguous
        raise FollowUpRefused(f"{field} needs a time zone (e.g. 2026-11-24T10:00:00+01:00)")
    return due
