"""The organisation a demo starts with: calendars, skills, queues, dispositions, users, articles, campaigns."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.users import add_user
from contact_center.store.tables import (
    AgentSkill,
    Calendar,
    Campaign,
    DispositionCode,
    KbArticle,
    Product,
    Queue,
    QueueMember,
    Skill,
    Team,
    User,
)

WEEKDAYS_8_20 = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [["09:00", "14:00"]]}
WEEKDAYS_9_18 = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}

CALENDARS = (
    ("support-hours", "America/New_York", WEEKDAYS_8_20, "US"),
    ("sales-hours", "America/New_York", WEEKDAYS_9_18, "US"),
    ("24x7", "UTC", ALWAYS, None),
)
SKILLS = ("billing", "technical", "sales", "english", "german", "spanish", "french")
# name, display, strategy, required skills, calendar, escalation rules
QUEUES: tuple[tuple[str, str, str, dict[str, int], str, list[dict[str, Any]]], ...] = (
    (
        "general",
        "General support",
        "longest_idle",
        {},
        "support-hours",
        [
            {"after_seconds": 120, "action": "raise_priority", "amount": 1},
            {"after_seconds": 300, "action": "offer_callback"},
        ],
    ),
    (
        "billing",
        "Billing",
        "skills_best_match",
        {"billing": 3},
        "support-hours",
        [
            {"after_seconds": 90, "action": "relax_skills", "amount": 2},
            {"after_seconds": 240, "action": "widen", "queue": "general"},
        ],
    ),
    (
        "technical",
        "Technical support",
        "skills_best_match",
        {"technical": 4},
        "support-hours",
        [
            {"after_seconds": 120, "action": "relax_skills", "amount": 2},
            {"after_seconds": 600, "action": "alert", "message": "technical caller waiting 10 min"},
        ],
    ),
    (
        "sales",
        "Sales",
        "round_robin",
        {"sales": 3},
        "sales-hours",
        [{"after_seconds": 60, "action": "raise_priority", "amount": 2}],
    ),
    ("retention", "Retention", "skills_best_match", {"sales": 5}, "sales-hours", []),
    (
        "vip",
        "VIP line",
        "longest_idle",
        {},
        "24x7",
        [{"after_seconds": 30, "action": "alert", "message": "VIP caller waiting"}],
    ),
)
LEAD_STATUSES = {"sale": "converted", "callback_scheduled": "hot", "voicemail_left": "warm", "no_sale": "cold"}
DISPOSITIONS = (
    ("resolved", "Resolved on first contact", "service"),
    ("follow_up", "Follow-up needed", "service"),
    ("escalated", "Escalated to tier 2", "service"),
    ("case_created", "Case created", "service"),
    ("sale", "Sale made", "sales"),
    ("no_sale", "No sale", "sales"),
    ("callback_scheduled", "Callback scheduled", "sales"),
    ("no_answer", "No answer or busy (call placed)", "outbound"),
    ("do_not_call", "Do not call again (the number goes on the do-not-call list)", "dnc"),
    ("wrong_number", "Wrong number", "other"),
    ("voicemail_left", "Left a voicemail", "other"),
    ("transferred", "Transferred", "other"),
)
# sku, name, group, price in cents, months of warranty
PRODUCTS = (
    ("BLR-24", "Condensing boiler 24 kW", "heating", 189_900, 24),
    ("BLR-32", "Condensing boiler 32 kW", "heating", 229_900, 24),
    ("HP-8", "Air-source heat pump 8 kW", "heating", 749_000, 60),
    ("TH-SMART", "Smart thermostat", "controls", 24_900, 12),
    ("SVC-YEAR", "Yearly service visit", "service", 14_950, 0),
    ("CARE-PLUS", "Care Plus cover, one year", "service", 21_900, 0),
)
ARTICLES = (
    (
        "Resetting a customer's password",
        "Verify identity with two of: date of birth, postcode, last order number. "
        "Then send the reset link from the account page. Links expire after 30 minutes.",
        "account",
        ["password", "login"],
    ),
    (
        "Where is my order? Tracking and delays",
        "Orders ship within two business days. Shipped orders have a carrier and "
        "tracking number on the order. If tracking shows no movement for five days, open a case in category shipping.",
        "shipping",
        ["order", "tracking", "delivery"],
    ),
    (
        "Refunds and returns policy",
        "Items can be returned within 30 days in original packaging. Refunds go to the "
        "original payment method within 5-7 business days after the return is received.",
        "billing",
        ["refund", "return"],
    ),
    (
        "Updating billing details",
        "Card details are never taken over the phone. Send the secure payment link; the "
        "customer updates the card themselves. Invoices can be re-sent from the billing tab.",
        "billing",
        ["card", "invoice"],
    ),
    (
        "Router does not connect: first steps",
        "Power-cycle the router for 30 seconds, check the WAN light, then run the "
        "line test from the technical tools. Escalate to technical tier 2 if the line test fails twice.",
        "technical",
        ["router", "internet", "connection"],
    ),
    (
        "Slow internet speed",
        "Run a speed test on a wired connection. Below 50 % of the plan speed, check for line "
        "faults and open a technical case with the test results attached.",
        "technical",
        ["speed", "internet"],
    ),
    (
        "Upgrading a plan",
        "Quote the upgrade price pro rata. Upgrades take effect immediately; downgrades at the next "
        "billing cycle. Create an opportunity for business plans over 10 seats.",
        "sales",
        ["upgrade", "plan"],
    ),
    (
        "Cancelling a subscription",
        "Offer the retention discount once. If the customer still wants to cancel, transfer "
        "to the retention queue; never refuse a cancellation.",
        "retention",
        ["cancel", "churn"],
    ),
    (
        "GDPR data requests",
        "Requests for a copy or deletion of personal data go to privacy@ within 24 hours. Log the "
        "request as a case in category privacy; the legal deadline is one month.",
        "privacy",
        ["gdpr", "privacy"],
    ),
    (
        "Damaged delivery",
        "Ask for a photo of the damage, offer a replacement or a refund, and open a case in category "
        "shipping so the carrier claim can be filed.",
        "shipping",
        ["damaged", "delivery"],
    ),
)


# The demo users whose logins are printed at first start: username, role, phone extension.
DEMO_USERS = (("agent", "agent", "2001"), ("supervisor", "supervisor", "2901"), ("admin", "admin", None))


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    password: str
    extension: str | None


async def has_reference_data(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(User)))


async def seed_reference(session: AsyncSession, password: str | None = None) -> list[DemoLogin]:
    """Create the demo organisation and return the logins to print (passwords are random unless given)."""
    calendars = {}
    for name, tz, hours, country in CALENDARS:
        row = Calendar(name=name, timezone=tz, weekly_hours=hours, holidays={}, holiday_country=country, exceptions={})
        session.add(row)
        calendars[name] = row
    skills = {name: Skill(name=name, description=f"{name.title()} skill") for name in SKILLS}
    teams = [Team(name=n) for n in ("Tier 1", "Tier 2", "Sales")]
    session.add_all([*skills.values(), *teams])
    await session.flush()
    queues = {}
    for name, display, strategy, req, cal, rules in QUEUES:
        queue = Queue(
            name=name,
            display_name=display,
            strategy=strategy,
            required_skills=req,
            calendar_id=calendars[cal].id,
            escalation=rules,
            exit_action={"kind": "voicemail"},
            max_wait_seconds=900,
            sl_threshold_seconds=20 if name != "vip" else 10,
        )
        session.add(queue)
        queues[name] = queue
    session.add_all(
        DispositionCode(code=c, label=label, category=cat, lead_status=LEAD_STATUSES.get(c))
        for c, label, cat in DISPOSITIONS
    )
    session.add_all(KbArticle(title=t, body=b, category=c, tags=tags) for t, b, c, tags in ARTICLES)
    session.add_all(
        Product(
            sku=sku,
            name=name,
            group=group,
            price_cents=price,
            currency="USD",
            warranty_months=months,
            warranty_labour_months=min(months, 12),  # parts for the model's months, labour for the first year
        )
        for sku, name, group, price, months in PRODUCTS
    )
    await session.flush()
    session.add(
        Campaign(
            name="Spring renewals",
            mode="progressive",
            status="draft",
            queue_id=queues["sales"].id,
            calendar_id=calendars["sales-hours"].id,
            caller_id="+14155550100",
            dial_ratio=1.0,
        )
    )
    session.add(
        Campaign(
            name="Win-back",
            mode="preview",
            status="draft",
            queue_id=queues["retention"].id,
            calendar_id=calendars["sales-hours"].id,
            caller_id="+14155550100",
        )
    )

    logins = []
    for username, role, ext in DEMO_USERS:
        secret = password or secrets.token_urlsafe(9)
        user = await add_user(
            session,
            username,
            role,
            secret,
            display_name=f"Demo {role}",
            extension=ext,
            queues="all" if role == "agent" else None,
            skills=dict.fromkeys(SKILLS, 7) if role == "agent" else {},
        )
        user.team_id = teams[0].id
        logins.append(DemoLogin(username, role, secret, ext))
    # A bench of agents without passwords, so reports and account managers look like a real floor.
    for i, first in enumerate(("Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Greta", "Hiro"), start=2):
        user = User(
            username=f"{first.lower()}",
            role="agent",
            display_name=f"{first} (demo)",
            extension=f"20{i:02d}",
            team_id=teams[i % 3].id,
            password_hash=None,
        )
        session.add(user)
        await session.flush()
        levels = {
            "english": 8,
            ("billing", "technical", "sales")[i % 3]: 4 + i % 5,
            ("german", "spanish", "french")[i % 3]: 6,
        }
        await _give_skills(session, user.id, skills, levels)
        for queue in queues.values():
            session.add(QueueMember(queue_id=queue.id, user_id=user.id, tier=1 + i % 2))
    await session.flush()
    return logins


async def _give_skills(session: AsyncSession, user_id: int, skills: dict[str, Skill], levels: dict[str, int]) -> None:
    session.add_all(AgentSkill(user_id=user_id, skill_id=skills[s].id, level=lvl) for s, lvl in levels.items())
    await session.flush()
