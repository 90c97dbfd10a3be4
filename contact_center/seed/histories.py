"""Orders, cases, opportunities and leads of a synthetic customer, each with the history that led to its state.

Cases run on the support calendar exactly as the CRM runs them (crm.cases): first response, pauses while
waiting on the customer, resolution, and the escalations a breached SLA raised, each on the timeline.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from contact_center.crm.cases import CASE_NUMBER_BASE, DEFAULT_SLA_MINUTES, next_escalation_at
from contact_center.domain import sla
from contact_center.seed import timeline
from contact_center.seed.context import SeedContext
from contact_center.seed.countries import COUNTRIES, Country
from contact_center.seed.reference import PRODUCTS as CATALOGUE

PRODUCTS = (
    ("SKU-ROUTER", "Fibre router", 12900),
    ("SKU-MESH", "Mesh extender", 7900),
    ("SKU-PLAN-M", "Monthly plan", 4500),
    ("SKU-CAB", "Cable kit", 1900),
    ("SKU-TV", "TV box", 9900),
    ("SKU-PHONE", "Desk phone", 5900),
)
CASE_SUBJECTS = (
    ("Router keeps dropping connection", "technical"),
    ("Double charge on invoice", "billing"),
    ("Parcel not delivered", "shipping"),
    ("Request to change plan", "sales"),
    ("Cannot log in to account", "account"),
    ("Damaged item received", "shipping"),
    ("Refund not received", "billing"),
    ("Slow speeds in the evening", "technical"),
)
CARRIERS = {"US": ("UPS", "FedEx", "USPS"), "GB": ("Royal Mail", "DPD", "Evri"), "DE": ("DHL", "Hermes", "DPD")}
STAGES = ("prospecting", "qualification", "proposal", "negotiation")
PROBABILITY = {
    "prospecting": 10,
    "qualification": 25,
    "proposal": 50,
    "negotiation": 75,
    "won": 100,
    "lost": 0,
}


def orders(
    ctx: SeedContext, customer_id: int, country: Country, since: dt.datetime, n: int, *, recent_first: bool = False
) -> list[int]:
    rng, now, out = ctx.rng, ctx.now, []
    for k in range(n):
        oid = ctx.ids.take("orders")
        days = 2 if recent_first and k == 0 else rng.randrange(1, max(2, (now - since).days))
        placed = now - dt.timedelta(days=days, minutes=rng.randrange(600))
        age = (now - placed).days
        status = (
            "processing"
            if age < 2
            else "shipped"
            if age < 5
            else rng.choice(("delivered", "delivered", "delivered", "returned", "cancelled"))
        )
        lines = [(s, nm, rng.randrange(1, 3), p) for s, nm, p in rng.sample(PRODUCTS, rng.randrange(1, 3))]
        shipped = placed + dt.timedelta(days=1) if status in ("shipped", "delivered", "returned") else None
        ctx.rows["orders"].append(
            {
                "id": oid,
                "number": str(100000 + oid),
                "customer_id": customer_id,
                "status": status,
                "items": [{"sku": s, "name": nm, "quantity": q, "unit_price_cents": p} for s, nm, q, p in lines],
                "total_cents": sum(q * p for _, _, q, p in lines),
                "currency": country.currency,
                "placed_at": placed,
                "shipped_at": shipped,
                "delivered_at": placed + dt.timedelta(days=3) if status in ("delivered", "returned") else None,
                "carrier": rng.choice(CARRIERS.get(country.code, ("DHL", "FedEx"))) if shipped else None,
                "tracking_number": f"1Z{rng.randrange(10**12):012d}" if shipped else None,
                "notes": "",
                "created_at": placed,
                "updated_at": placed,
            }
        )
        out.append(oid)
    return out


def case(ctx: SeedContext, customer_id: int, account_id: int | None, *, known_caller: bool = False) -> list[int]:
    """At most one case; an open one for the known caller. Returns the case ids."""
    rng, now, cal = ctx.rng, ctx.now, ctx.calendar
    if not known_caller and rng.random() > 0.25:
        return []
    case_id = ctx.ids.take("cases")
    number = CASE_NUMBER_BASE + case_id
    subject, category = CASE_SUBJECTS[0] if known_caller else rng.choice(CASE_SUBJECTS)
    priority = "high" if known_caller else rng.choice(("low", "normal", "normal", "high", "urgent"))
    target = dt.timedelta(minutes=DEFAULT_SLA_MINUTES[priority])
    if known_caller or rng.random() < 0.4:
        # Most open cases are a day or so old; a long tail waits for days (and is breached by then).
        opened = now - dt.timedelta(hours=3 if known_caller else min(6 * 24, 0.5 + rng.expovariate(1 / 16)))
        status = "open" if known_caller else rng.choice(("open", "open", "new", "pending_customer"))
    else:
        opened = now - dt.timedelta(days=rng.uniform(3, 90))
        status = rng.choice(("resolved", "closed", "closed"))
    owner = ctx.agent()
    links = {"customer_id": customer_id, "account_id": account_id, "case_id": case_id}
    timeline.call(ctx, opened, {**links}, [], disposition="case_created")
    history: list[tuple[dt.datetime, str, str]] = []
    clock = sla.start(target, opened)
    responded = cal.add_business_time(opened, dt.timedelta(minutes=rng.randrange(5, 120)))
    if responded is None or responded >= now:
        status, responded = "new", None
    resolved_at = None
    if responded is not None:
        history.append((responded, "new", "open"))
        if status == "pending_customer":
            paused = ctx.between(responded, now)
            clock = sla.on_status(clock, status, cal, paused)
            history.append((paused, "open", status))
        elif status in sla.STOPPED_STATUSES:
            took = cal.add_business_time(responded, target * rng.uniform(0.1, 1.1)) or now
            resolved_at = max(responded, min(took, now - dt.timedelta(hours=1)))
            clock = sla.on_status(clock, "resolved", cal, resolved_at)
            history.append((resolved_at, "open", "resolved"))
            closed = resolved_at + dt.timedelta(days=rng.uniform(1, 3))
            if status == "closed" and closed < now:
                history.append((closed, "resolved", "closed"))
            else:
                status = "resolved"
    for at, old, new in history:
        timeline.change(
            ctx,
            "case_change",
            at,
            f"Case {number}: status {old} → {new}",
            "status",
            old,
            new,
            agent_id=owner,
            extra={"case_number": number},
            **links,
        )
    level = clock.escalation_level(cal, now)
    step = target / 2
    for k in range(1, level + 1):
        at = cal.add_business_time(opened, target + step * (k - 1)) or now
        ctx.activity(
            "escalation",
            at,
            **links,
            channel="system",
            outcome=f"level_{k}",
            subject=f"Case {number} SLA breached: escalation level {k - 1} → {k}",
            details={"level": k, "previous_level": k - 1, "sla_target_minutes": int(target.total_seconds() // 60)},
        )
    ctx.rows["cases"].append(
        {
            "id": case_id,
            "number": number,
            "subject": subject,
            "description": f"Customer reports: {subject.lower()}.",
            "status": status,
            "priority": priority,
            "category": category,
            "customer_id": customer_id,
            "account_id": account_id,
            "owner_id": owner,
            "calendar_id": ctx.calendar_id,
            "sla_target_minutes": int(target.total_seconds() // 60),
            "sla_used_seconds": int(clock.used.total_seconds()),
            "sla_running_since": clock.running_since,
            "sla_due_at": clock.due_at(cal),
            "escalation_level": level,
            "sla_escalate_at": next_escalation_at(clock, level, cal),
            "first_responded_at": responded,
            "resolved_at": resolved_at,
            "created_at": opened,
            "updated_at": history[-1][0] if history else opened,
        }
    )
    return [case_id]


def opportunity(ctx: SeedContext, customer_id: int, account_id: int, last_name: str, country: Country) -> None:
    """An opportunity that moved through the pipeline to where it is, one opportunity_change per step."""
    rng, now = ctx.rng, ctx.now
    oid = ctx.ids.take("opportunities")
    final = rng.choices((*STAGES, "won", "lost"), weights=(3, 3, 3, 2, 2, 2))[0]
    path = list(STAGES[: STAGES.index(final) + 1]) if final in STAGES else [*STAGES[: rng.randrange(1, 5)], final]
    created = now - dt.timedelta(days=rng.randrange(10, 200))
    times = sorted(ctx.between(created, now) for _ in path[1:])
    owner = ctx.agent()
    name = f"{last_name} – {rng.choice(('Upgrade', 'Renewal', 'Expansion', 'New seats'))}"
    links = {"customer_id": customer_id, "account_id": account_id, "opportunity_id": oid}
    amount = rng.randrange(20, 600) * 10000
    for old, new, at in zip(path[:-1], path[1:], times, strict=True):
        timeline.change(
            ctx,
            "opportunity_change",
            at,
            f"Opportunity {name}: stage {old} → {new}",
            "stage",
            old,
            new,
            agent_id=owner,
            extra={"currency": country.currency},
            **links,
        )
        if new == "proposal":
            timeline.meeting(ctx, at - dt.timedelta(days=1), {**links}, [])
    closed_at = times[-1] if final not in STAGES else None
    ctx.rows["opportunities"].append(
        {
            "id": oid,
            "name": name,
            "customer_id": customer_id,
            "account_id": account_id,
            "owner_id": owner,
            "stage": final,
            "amount_cents": amount,
            "currency": country.currency,
            "probability": PROBABILITY[final],
            "expected_close": (closed_at or now + dt.timedelta(days=rng.randrange(7, 120))).date(),
            "products": _products(oid, 1 + rng.randrange(5, 50) % 3),  # one draw, as before: the rest of the demo stays
            "closed_at": closed_at,
            "created_at": created,
            "updated_at": times[-1] if times else created,
        }
    )


def _products(opportunity_id: int, quantity: int) -> list[dict[str, Any]]:
    """One or two products of the catalogue, chosen by the deal's own number (not the demo's draws)."""
    chosen = random.Random(opportunity_id).sample(CATALOGUE, k=1 + opportunity_id % 2)
    return [
        {"sku": sku, "name": name, "quantity": quantity if n == 0 else 1, "unit_price_cents": price}
        for n, (sku, name, _, price, _) in enumerate(chosen)
    ]


def lead(ctx: SeedContext, company: str) -> None:
    """A lead that was worked: dial attempts, then status changes up to where it is."""
    rng, now = ctx.rng, ctx.now
    country = rng.choice(COUNTRIES)
    city = rng.choice(country.cities)
    lid = ctx.ids.take("leads")
    status = rng.choice(("new", "new", "contacted", "contacted", "qualified", "disqualified"))
    path = {
        "new": ["new"],
        "contacted": ["new", "contacted"],
        "qualified": ["new", "contacted", "qualified"],
        "disqualified": ["new", "contacted", "disqualified"],
    }[status]
    created = now - dt.timedelta(days=rng.randrange(1, 60))
    owner = ctx.agent()
    first, last = rng.choice(country.first_names), rng.choice(country.last_names)
    phone = ctx.number(country, city)
    times = sorted(ctx.between(created, now) for _ in path[1:])
    for at in times[:1]:
        timeline.dial_attempt(ctx, at - dt.timedelta(hours=rng.randrange(1, 48)), {"lead_id": lid}, [])
    for old, new, at in zip(path[:-1], path[1:], times, strict=True):
        timeline.change(
            ctx,
            "lead_change",
            at,
            f"Lead {first} {last}: status {old} → {new}",
            "status",
            old,
            new,
            agent_id=owner,
            lead_id=lid,
        )
    ctx.rows["leads"].append(
        {
            "id": lid,
            "first_name": first,
            "last_name": last,
            "company": company,
            "email": f"{first[0].lower()}.{last.lower()}@{company.lower().replace(' ', '')}.example".encode(
                "ascii", "ignore"
            ).decode(),
            "phone": phone,
            "source": rng.choice(("web", "referral", "event", "inbound_call")),
            "score": rng.randrange(101),
            "rating": rng.choice(("hot", "warm", "cold", "cold")),
            "status": status,
            "owner_id": owner,
            "customer_id": None,
            "notes": "",
            "created_at": created,
            "updated_at": times[-1] if times else created,
        }
    )
