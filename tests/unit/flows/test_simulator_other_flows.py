"""The sales line and the after-hours flow, and the --digits syntax."""

from __future__ import annotations

import datetime as dt

import pytest

from contact_center.flows.dry_run import DigitsError, parse_digits, simulate

ANA = "+12125550101"
STRANGER = "+19995550000"


def test_digits_syntax() -> None:
    assert parse_digits("1,4521#") == ["1", "4521#"]
    assert parse_digits("1,,t, T ,H") == ["1", "T", "T", "T", "H"]
    assert parse_digits("") == []
    with pytest.raises(DigitsError, match="is not keys"):
        parse_digits("1,abc")


async def test_sales_routes_new_business_renewals_cancellations(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    async def result(caller: str, digits: str) -> dict[str, object]:
        t = await simulate(shipped, "sales", crm, caller=caller, digits=parse_digits(digits), at=open_at)
        return t.result

    assert (await result(STRANGER, "1"))["data"] == {"topic": "new_business"}
    assert (await result(ANA, "2")) == {
        "action": "queue",
        "queue": "sales",
        "priority": 5,
        "skills": ["sales", "english"],
        "agent": None,
        "data": {"topic": "renewal", "segment": "standard"},
    }
    assert (await result(STRANGER, "2"))["data"] == {"topic": "new_business"}
    assert (await result(ANA, "3"))["queue"] == "retention"
    assert (await result(ANA, "9"))["agent"] == "maria.garcia"


async def test_sales_order_status_returns_to_the_sales_menu(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await simulate(shipped, "sales", crm, caller=STRANGER, digits=parse_digits("4,104888#,1"), at=open_at)
    assert "Your order 1 0 4 8 8 8 was cancelled." in t.prompts
    assert t.prompts.count(t.prompts[1]) == 2  # the sales menu, before and after the order status
    assert t.result["data"] == {"topic": "new_business"}


async def test_sales_after_hours_offers_a_callback_or_a_message(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    evening = open_at + dt.timedelta(hours=10)  # 20:00 New York: sales closed
    t = await simulate(shipped, "sales", crm, caller=ANA, digits=["1"], at=evening)
    assert t.result == {"action": "callback", "queue": "sales", "number": ANA, "priority": 0, "skills": ["sales"]}
    t = await simulate(shipped, "sales", crm, caller=ANA, digits=[], at=evening)
    assert t.result == {"action": "voicemail", "mailbox": "sales", "max_seconds": 120}


async def test_after_hours_order_status_then_goodbye(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await simulate(shipped, "after_hours", crm, caller=ANA, digits=parse_digits("1,104521#"), at=open_at)
    assert "Your order 1 0 4 5 2 1 shipped on Tuesday, March 3, with UPS." in t.prompts
    assert t.result == {"action": "hangup", "reason": "flow"}
    assert t.prompts[-1] == "Thank you for calling Acme. Goodbye."


async def test_after_hours_voicemail_and_callback(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await simulate(shipped, "after_hours", crm, caller=ANA, digits=["2"], at=open_at)
    assert t.result["action"] == "voicemail"
    assert t.prompts[-1].startswith("Please leave your name, number and message after the tone.")
    t = await simulate(shipped, "after_hours", crm, caller=ANA, digits=["3"], at=open_at)
    assert t.result == {"action": "callback", "queue": "general", "number": ANA, "priority": 0, "skills": []}


async def test_a_failing_crm_does_not_drop_the_call(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    async def broken(number: str) -> None:
        raise ConnectionError("database unavailable")

    crm.order_by_number = broken
    t = await simulate(shipped, "main", crm, caller=ANA, digits=parse_digits("1,2,104521#"), at=open_at)
    assert t.result["queue"] == "general"
    assert t.end is not None
    failed = [a for a in t.end.trail.answers if a.kind == "order" and not a.found]
    assert failed and "database unavailable" in str(failed[0].values["error"])


async def test_several_keys_at_a_menu_are_taken_one_per_prompt_as_on_a_live_call(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await simulate(shipped, "main", crm, caller=ANA, digits=parse_digits("12104521#0"), at=open_at)
    assert t.inputs == [
        {"node": "main_menu", "input": "1"},
        {"node": "latest_order_menu", "input": "2"},
        {"node": "ask_order", "input": "104521#"},
        {"node": "after_order", "input": "0"},
    ]
    # Prompts a key pressed ahead cuts off are not spoken (the greeting before any key is).
    assert t.prompts[0] == "Welcome back to Acme, Ana."
    assert not any(p.startswith("Your most recent order") for p in t.prompts)
    assert "Your order 1 0 4 5 2 1 shipped on Tuesday, March 3, with UPS." not in t.prompts
    assert any("[skipped: key already pressed]" in line for line in t.lines)
    assert t.result["queue"] == "general" and t.result["data"]["order_number"] == "104521"


def test_a_collect_takes_its_length_and_the_terminator_after_it() -> None:
    from contact_center.domain.ivr.actions import CollectDigits
    from contact_center.flows.dry_run import take_keys

    def collect(high: int, terminator: str | None) -> CollectDigits:
        return CollectDigits(
            node="n",
            prompt=None,
            min_digits=1,
            max_digits=high,
            terminator=terminator,
            timeout=5,
            inter_digit_timeout=3,
        )

    assert take_keys("1234#56", collect(4, "#")) == ("1234#", "56")
    assert take_keys("12#9", collect(6, "#")) == ("12#", "9")
    assert take_keys("1234567", collect(4, "#")) == ("12345", "67")  # too long: the entry is refused
    assert take_keys("1234", collect(2, None)) == ("12", "34")
    assert take_keys("91", collect(1, None)) == ("9", "1")


async def test_withheld_callers_after_hours_give_a_number_or_leave_a_message(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await simulate(shipped, "after_hours", crm, caller="", digits=parse_digits("3,2125550199#,1"), at=open_at)
    assert t.result == {"action": "callback", "queue": "general", "number": "+12125550199", "priority": 0, "skills": []}
    t = await simulate(shipped, "after_hours", crm, caller="", digits=parse_digits("3"), at=open_at)
    assert "Without a number we cannot call you back, but you can leave a message." in t.prompts
    assert t.result["action"] == "voicemail"
    evening = open_at + dt.timedelta(hours=10)
    t = await simulate(shipped, "sales", crm, caller="", digits=parse_digits("1,3055550100#,1"), at=evening)
    assert t.result == {
        "action": "callback",
        "queue": "sales",
        "number": "+13055550100",
        "priority": 0,
        "skills": ["sales"],
    }


async def test_after_hours_asks_again_after_a_wrong_key_following_an_order(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await simulate(shipped, "after_hours", crm, caller=ANA, digits=parse_digits("1,104521#,7,2"), at=open_at)
    assert "Sorry, that is not one of the choices." in t.prompts
    assert t.result["action"] == "voicemail"
