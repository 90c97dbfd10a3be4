"""The interactions on a synthetic customer's timeline: calls, IVR visits, emails, notes, meetings, tasks and
outbound dial attempts, in the shapes the live system writes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from contact_center.seed.context import SeedContext

DISPOSITIONS = ("resolved", "resolved", "resolved", "follow_up", "case_created", "escalated", "sale", "no_sale")
QUEUES = ("general", "billing", "technical", "sales")
# Weights of each kind of interaction on a timeline.
KINDS = (("call", 45), ("ivr", 12), ("email", 13), ("note", 7), ("meeting", 5), ("task", 8), ("dial_attempt", 10))
NOTES = (
    "Prefers email contact",
    "Asked about business plans",
    "Mentioned moving house",
    "Happy with last resolution",
    "Travels a lot: call mornings",
    "Asked for paper invoices to stop",
)
MEETINGS = (
    ("Quarterly business review", "web"),
    ("Onboarding session", "web"),
    ("Site visit", "in_person"),
    ("Renewal discussion", "in_person"),
    ("Product demo", "web"),
)
TASKS = (
    "Call back about the invoice",
    "Send the signed contract",
    "Check the delivery status",
    "Follow up on the case",
    "Confirm the installation date",
)
DIAL_OUTCOMES = (("no_answer", 480), ("no_answer", 480), ("busy", 486), ("voicemail", 200), ("rejected", 603))
CAMPAIGNS = ("Spring renewals", "Win-back")


def interactions(
    ctx: SeedContext,
    n: int,
    *,
    customer_id: int,
    account_id: int | None,
    since: dt.datetime,
    orders: list[int],
    cases: list[int],
) -> None:
    kinds, weights = zip(*KINDS, strict=True)
    for _ in range(n):
        kind = ctx.rng.choices(kinds, weights=weights)[0]
        started = ctx.between(since, ctx.now)
        case_id = cases[0] if cases and ctx.rng.random() < 0.4 else None
        links: dict[str, Any] = {"customer_id": customer_id, "account_id": account_id, "case_id": case_id}
        MAKERS[kind](ctx, started, links, orders)


def call(
    ctx: SeedContext, started: dt.datetime, links: dict[str, Any], _orders: list[int], disposition: str | None = None
) -> None:
    rng = ctx.rng
    wait, talk, hold, wrap = (
        rng.randrange(2, 180),
        rng.randrange(40, 900),
        rng.choice((0, 0, 30, 90)),
        rng.randrange(5, 90),
    )
    queue, inbound = rng.choice(QUEUES), rng.random() < 0.8
    ctx.activity(
        "call",
        started,
        **links,
        channel="phone",
        direction="inbound" if inbound else "outbound",
        subject=f"{'Inbound' if inbound else 'Outbound'} call · {queue}",
        queue=queue if inbound else None,
        agent_id=ctx.agent(),
        interaction_id=f"seed-{rng.randrange(10**12)}",
        disposition=disposition or rng.choice(DISPOSITIONS),
        outcome="answered",
        ended_at=started + dt.timedelta(seconds=wait + talk + hold),
        details={
            "wait_seconds": wait if inbound else 0,
            "talk_seconds": talk,
            "hold_seconds": hold,
            "wrap_seconds": wrap,
            "hung_up_by": rng.choice(("caller", "agent")),
            "legs": ["inbound", "agent"] if inbound else ["outbound"],
        },
    )


def ivr(ctx: SeedContext, started: dt.datetime, links: dict[str, Any], orders: list[int]) -> None:
    ctx.activity(
        "ivr",
        started,
        **links,
        channel="phone",
        direction="inbound",
        subject="IVR self-service: order status",
        outcome="self_served",
        interaction_id=f"seed-{ctx.rng.randrange(10**12)}",
        ended_at=started + dt.timedelta(seconds=ctx.rng.randrange(20, 90)),
        details={
            "path": ["welcome", "main_menu", "order_status", "order_found"],
            "inputs": ["1", "#"],
            "order_id": ctx.rng.choice(orders) if orders else None,
        },
    )


def email(ctx: SeedContext, started: dt.datetime, links: dict[str, Any], _orders: list[int]) -> None:
    inbound = ctx.rng.random() < 0.5
    ctx.activity(
        "email",
        started,
        **links,
        channel="email",
        direction="inbound" if inbound else "outbound",
        agent_id=None if inbound else ctx.agent(),
        subject=ctx.rng.choice(
            ("Invoice question", "Delivery update", "Your case was updated", "Welcome", "Question about my plan")
        ),
    )


def note(ctx: SeedContext, started: dt.datetime, links: dict[str, Any], _orders: list[int]) -> None:
    ctx.activity("note", started, **links, channel="system", agent_id=ctx.agent(), subject=ctx.rng.choice(NOTES))


def meeting(ctx: SeedContext, started: dt.datetime, links: dict[str, Any], _orders: list[int]) -> None:
    subject, channel = ctx.rng.choice(MEETINGS)
    minutes = ctx.rng.choice((30, 45, 60, 90))
    ctx.activity(
        "meeting",
        started,
        **links,
        channel=channel,
        agent_id=ctx.agent(),
        subject=subject,
        outcome="held",
        ended_at=started + dt.timedelta(minutes=minutes),
        details={"attendees": ctx.rng.randrange(2, 6), "minutes": minutes},
    )


def task(ctx: SeedContext, started: dt.datetime, links: dict[str, Any], _orders: list[int]) -> None:
    due = started + dt.timedelta(days=ctx.rng.randrange(1, 8))
    done = due < ctx.now and ctx.rng.random() < 0.85
    ctx.activity(
        "task",
        started,
        **links,
        channel="system",
        agent_id=ctx.agent(),
        subject=ctx.rng.choice(TASKS),
        outcome="done" if done else "open",
        ended_at=ctx.between(started, min(due, ctx.now)) if done else None,
        details={"due_at": due.isoformat().replace("+00:00", "Z"), "done": done},
    )


def dial_attempt(ctx: SeedContext, started: dt.datetime, links: dict[str, Any], _orders: list[int]) -> None:
    outcome, sip_code = ctx.rng.choice(DIAL_OUTCOMES)
    ring = ctx.rng.randrange(5, 30)
    ctx.activity(
        "dial_attempt",
        started,
        **links,
        channel="phone",
        direction="outbound",
        agent_id=ctx.agent(),
        subject=f"Outbound attempt: {outcome.replace('_', ' ')}",
        outcome=outcome,
        interaction_id=f"seed-{ctx.rng.randrange(10**12)}",
        ended_at=started + dt.timedelta(seconds=ring),
        details={
            "campaign": ctx.rng.choice(CAMPAIGNS),
            "attempt": ctx.rng.randrange(1, 4),
            "sip_code": sip_code,
            "ring_seconds": ring,
        },
    )


Maker = Callable[[SeedContext, dt.datetime, dict[str, Any], list[int]], None]
MAKERS: dict[str, Maker] = {
    "call": call,
    "ivr": ivr,
    "email": email,
    "note": note,
    "meeting": meeting,
    "task": task,
    "dial_attempt": dial_attempt,
}


def change(
    ctx: SeedContext,
    type_: str,
    at: dt.datetime,
    subject: str,
    field: str,
    old: Any,
    new: Any,
    *,
    agent_id: int | None,
    extra: dict[str, Any] | None = None,
    **links: Any,
) -> None:
    """A case_change / opportunity_change / lead_change as crm.changes writes it."""
    ctx.activity(
        type_,
        at,
        **links,
        channel="system",
        agent_id=agent_id,
        outcome=str(new),
        subject=subject,
        details={"changes": {field: {"from": old, "to": new}}, **(extra or {})},
    )
