"""How good a new lead looks, decided from what is known of it when it arrives (pure: the adapter looks
up duplicates and disposable domains and passes them in).

A lead is kept even when a check finds something (a throw-away e-mail address, someone we know already):
the reasons travel with it, so sales sees why it scored low, and nothing a prospect typed is lost.
The score adds up points for what makes a lead worth calling; its temperature follows from the score.
"""

from __future__ import annotations

from dataclasses import dataclass

HOT_FROM = 60
WARM_FROM = 30

# Where it came from: someone who asked to be called, or was recommended, is worth more than a list row.
SOURCE_POINTS = {"referral": 30, "call": 30, "campaign": 20, "web_form": 10, "web": 10, "event": 15, "import": 5}
PHONE_POINTS = 25  # a number that can be dialled
EMAIL_POINTS = 15  # an address that is not a throw-away one
COMPANY_POINTS = 15  # a business behind the person
MESSAGE_POINTS = 10  # they said what they want
MESSAGE_MIN_LENGTH = 20
DISPOSABLE_PENALTY = 40


@dataclass(frozen=True, slots=True)
class LeadFacts:
    source: str
    phone: bool  # a valid phone number was given
    email_domain: str | None  # the domain of a valid e-mail address, lower-case
    disposable_email: bool  # that domain hands out throw-away addresses
    company: bool
    message_length: int = 0
    existing_customer: int | None = None  # the customer with this phone or e-mail
    existing_lead: int | None = None  # the lead with this phone or e-mail


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Assessment:
    score: int  # 0-100
    rating: str  # hot | warm | cold
    checks: tuple[Check, ...]  # what was found on entry, kept with the lead


def assess(facts: LeadFacts) -> Assessment:
    checks: list[Check] = []
    points = SOURCE_POINTS.get(facts.source, 0)
    if facts.phone:
        points += PHONE_POINTS
    if facts.email_domain is not None:
        if facts.disposable_email:
            points -= DISPOSABLE_PENALTY
            checks.append(
                Check("disposable_email", f"{facts.email_domain} hands out throw-away addresses: ask for another")
            )
        else:
            points += EMAIL_POINTS
    if facts.company:
        points += COMPANY_POINTS
    if facts.message_length >= MESSAGE_MIN_LENGTH:
        points += MESSAGE_POINTS
    if not facts.phone and facts.email_domain is None:
        checks.append(Check("no_contact", "neither a phone number nor an e-mail address: nobody can follow it up"))
    if facts.existing_customer is not None:
        checks.append(Check("existing_customer", f"customer {facts.existing_customer} has this phone or e-mail"))
    if facts.existing_lead is not None:
        checks.append(Check("duplicate_lead", f"lead {facts.existing_lead} has this phone or e-mail"))
    score = max(0, min(100, points))
    rating = "hot" if score >= HOT_FROM else "warm" if score >= WARM_FROM else "cold"
    return Assessment(score, rating, tuple(checks))


def owner_for(open_leads: dict[int, int]) -> int | None:
    """Assignment: the salesperson with the fewest open leads (the lowest id on a tie); None when nobody sells."""
    if not open_leads:
        return None
    return min(open_leads, key=lambda user_id: (open_leads[user_id], user_id))
