"""A new lead's score, temperature and the checks kept with it (hand-worked cases)."""

from __future__ import annotations

from contact_center.domain.sales.lead_quality import LeadFacts, assess, owner_for


def facts(**changes: object) -> LeadFacts:
    base: dict[str, object] = {
        "source": "web_form",
        "phone": False,
        "email_domain": None,
        "disposable_email": False,
        "company": False,
    }
    return LeadFacts(**{**base, **changes})  # type: ignore[arg-type]


def test_what_makes_a_lead_worth_calling_adds_up_to_its_temperature() -> None:
    full = assess(facts(phone=True, email_domain="acme.com", company=True, message_length=80))
    assert (full.score, full.rating, full.checks) == (75, "hot", ())  # 10 + 25 + 15 + 15 + 10
    phone_only = assess(facts(phone=True))
    assert (phone_only.score, phone_only.rating) == (35, "warm")
    email_only = assess(facts(email_domain="acme.com", message_length=5))  # a short message earns nothing
    assert (email_only.score, email_only.rating) == (25, "cold")
    referred = assess(facts(source="referral", phone=True, company=True))
    assert (referred.score, referred.rating) == (70, "hot")


def test_a_throw_away_address_is_kept_but_marked_and_scored_down() -> None:
    found = assess(facts(email_domain="mailinator.com", disposable_email=True, company=True))
    assert found.score == 0 and found.rating == "cold"  # 10 - 40 + 15, floored at 0
    assert [c.code for c in found.checks] == ["disposable_email"]
    assert "mailinator.com" in found.checks[0].reason


def test_known_people_and_unreachable_ones_are_named_in_the_checks() -> None:
    found = assess(facts(phone=True, existing_customer=7, existing_lead=3))
    assert [c.code for c in found.checks] == ["existing_customer", "duplicate_lead"]
    assert "customer 7" in found.checks[0].reason and "lead 3" in found.checks[1].reason
    assert [c.code for c in assess(facts()).checks] == ["no_contact"]


def test_a_new_lead_goes_to_the_seller_with_the_fewest_open_leads() -> None:
    assert owner_for({4: 3, 9: 1, 2: 1}) == 2  # fewest, then the lowest id
    assert owner_for({}) is None
