"""The main support line against the demo CRM: known and unknown callers, orders, cases, hours, retries."""

from __future__ import annotations

import datetime as dt

from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.dry_run import Transcript, parse_digits, simulate
from contact_center.flows.memory_directory import InMemoryDirectory

ANA = "+12125550101"  # known, English, account manager Maria Garcia, latest order 104521 shipped
JORGE = "+13055550102"  # known, Spanish, VIP
STRANGER = "+19995550000"


async def call(
    flows: FlowSet, crm: InMemoryDirectory, caller: str, digits: str, at: dt.datetime, flow: str = "main"
) -> Transcript:
    return await simulate(flows, flow, crm, caller=caller, digits=parse_digits(digits), at=at)


async def test_known_caller_is_greeted_and_hears_the_latest_order(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "1,1,0", open_at)
    assert t.prompts[0] == "Welcome back to Acme, Ana."
    assert "To reach your account manager, Maria Garcia, press 9 at the main menu." in t.prompts
    assert (
        "Your most recent order is number 1 0 4 5 2 1. For its status, press 1. For a different order, press 2."
        in t.prompts
    )
    assert "Your order 1 0 4 5 2 1 shipped on Tuesday, March 3, with UPS." in t.prompts
    assert t.result == {
        "action": "queue",
        "queue": "general",
        "priority": 0,
        "skills": ["english"],
        "agent": None,
        "data": {"topic": "order", "order_number": "104521", "order_status": "shipped"},
    }
    assert t.variables["customer.id"] == 1
    assert t.end is not None and t.end.trail.customer_id == 1


async def test_unknown_caller_chooses_spanish_and_checks_an_order_by_number(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, STRANGER, "2,1,104400#,1", open_at)
    assert t.prompts[0].startswith("Welcome to Acme support. For English, press 1.")
    assert "Su pedido 1 0 4 4 0 0 fue entregado el jueves, 5 de febrero." in t.prompts
    assert t.variables["language"] == "es" and t.variables["order_result"] == "answered"
    # "1" at the after-order menu returns to the main menu; silence there ends with an agent
    assert t.result["action"] == "queue" and t.result["skills"] == ["spanish"]
    assert "customer.id" not in t.variables


async def test_a_bad_order_number_is_retried_then_handed_to_an_agent(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, STRANGER, "1,1,999999#,1,12#,104777#", open_at)
    assert "Sorry, I could not find order 9 9 9 9 9 9." in t.prompts
    assert "Sorry, that does not look like an order number." in t.prompts  # 12# is too short
    assert "Your order 1 0 4 7 7 7 is being prepared and has not shipped yet." in t.prompts
    assert t.end is not None
    answers = [(a.kind, a.key, a.found) for a in t.end.trail.answers if a.kind == "order"]
    assert answers == [("order", "999999", False), ("order", "104777", True)]


async def test_order_retries_exhausted_route_to_the_general_queue(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, STRANGER, "1,1,1#,2#,3#", open_at)
    assert t.prompts.count("Sorry, that does not look like an order number.") == 2
    assert t.variables["order_result"] == "not_found"
    assert t.result["action"] == "queue" and t.result["queue"] == "general"


async def test_case_status_by_number(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "2,20417#,1", open_at)
    assert "Case 2 0 4 1 7, Router keeps rebooting, is open. It was last updated on Wednesday." in t.prompts
    assert t.result["queue"] == "technical" and t.result["data"]["case_number"] == "20417"
    t = await call(shipped, crm, ANA, "2,55555#,0", open_at)
    assert "Sorry, I could not find case 5 5 5 5 5." in t.prompts and t.result["queue"] == "general"


async def test_a_case_is_read_out_only_to_its_own_customer(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "2,20388#", open_at)  # someone else's case
    assert "For your privacy, an agent will help you with that case." in t.prompts
    assert not any("Invoice address change" in p for p in t.prompts)
    assert t.result["queue"] == "technical" and t.result["data"]["case_number"] == "20388"
    t = await call(shipped, crm, STRANGER, "1,2,20388#,2,0", open_at)  # nobody we know: the status, no details
    assert "Case 2 0 3 8 8 is resolved." in t.prompts
    assert not any("Invoice address change" in p for p in t.prompts)


async def test_known_caller_reaches_the_account_manager(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "9", open_at)
    assert t.result["agent"] == "maria.garcia" and t.result["priority"] == 20
    assert "Connecting you with Maria Garcia." in t.prompts


async def test_unknown_caller_asking_for_an_account_manager_goes_back_to_the_menu(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, STRANGER, "1,9,3,1", open_at)
    assert "Sorry, I could not find an account manager for this number." in t.prompts
    assert t.result == {
        "action": "queue",
        "queue": "billing",
        "priority": 0,
        "skills": ["billing", "english"],
        "agent": None,
        "data": {"topic": "billing"},
    }


async def test_spanish_vip_is_routed_with_priority_and_spanish_skill(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, JORGE, "4,1", open_at)
    assert t.prompts[0] == "Bienvenido de nuevo a Acme, Jorge."
    assert t.result["queue"] == "technical" and t.result["priority"] == 10
    assert t.result["skills"] == ["technical", "spanish"]


async def test_callback_offer(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "3,2", open_at)
    assert t.result == {
        "action": "callback",
        "queue": "billing",
        "number": ANA,
        "priority": 0,
        "skills": ["billing", "english"],
    }


async def test_warranty_within_warranty_hears_the_booked_visit_and_reaches_a_technician(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "7,1001#", open_at)
    assert "Our technician Jonas Berg is booked to visit you on Tuesday 10 March at 09:00." in t.prompts
    assert "Your BLR-24 is under warranty until March 9, parts and labour." in t.prompts
    assert t.result["queue"] == "technical" and t.result["skills"] == ["technical", "english"]
    assert t.result["data"] == {"topic": "warranty", "serial": "1001", "in_warranty": "yes"}
    assert t.end is not None
    answers = [(a.kind, a.found) for a in t.end.trail.answers if a.kind in ("visit", "equipment")]
    assert answers == [("visit", True), ("equipment", True)]


async def test_warranty_a_caller_whose_contract_and_warranty_ended_is_told_both(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, JORGE, "7,2002#", open_at)
    assert t.prompts[1].startswith("Su contrato de servicio premium terminó el 2026-01-31.")
    assert (
        "La garantía de su HP-8 terminó el 31 de mayo. Un técnico puede repararlo con nuestras tarifas habituales."
        in t.prompts
    )
    assert t.result["queue"] == "technical" and t.result["data"]["in_warranty"] == "no"


async def test_warranty_someone_elses_or_an_unknown_serial_goes_to_a_technician_untold(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "7,2002#", open_at)  # Jorge's heat pump
    assert not any("HP-8" in p for p in t.prompts) and t.result["queue"] == "technical"
    t = await call(shipped, crm, STRANGER, "1,7,555#", open_at)
    assert "Sorry, I could not find serial number 5 5 5. A technician will help you." in t.prompts
    assert t.result["data"]["topic"] == "warranty"


async def test_menu_retries_exhausted_fall_back_to_an_agent(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, STRANGER, "1,8,,6", open_at)
    assert t.prompts.count("Sorry, that is not one of the choices.") == 1
    assert t.prompts.count("Sorry, I didn't hear your choice.") == 1
    assert t.result["queue"] == "general"
    assert [i["input"] for i in t.inputs] == ["1", "8", "(timeout)", "6"]


async def test_closed_hours_go_to_the_after_hours_flow(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    night = open_at.replace(hour=3)  # 22:00 in New York on Sunday
    t = await call(shipped, crm, ANA, "2", night)
    assert t.prompts[0].startswith("Our support team is available Monday to Friday")
    assert t.result == {"action": "voicemail", "mailbox": "general", "max_seconds": 180}
    assert t.end is not None and "after_hours:leave_message" in t.end.trail.path


async def test_a_holiday_is_announced_by_name(shipped, crm) -> None:  # type: ignore[no-untyped-def]
    christmas = dt.datetime(2026, 12, 25, 15, 0, tzinfo=dt.UTC)
    t = await call(shipped, crm, STRANGER, "3", christmas)
    assert t.prompts[0] == "Our offices are closed today for Christmas Day."
    assert t.result["action"] == "callback" and t.result["queue"] == "general"


async def test_a_caller_who_hangs_up_leaves_an_abandoned_trail(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "1,H", open_at)
    assert t.result == {"action": "abandoned"}
    assert t.end is not None and t.end.trail.to_activity()["outcome"] == "abandoned"


async def test_a_withheld_number_is_an_unknown_caller(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, "", "1,0", open_at)
    assert t.variables["customer.found"] is False and t.result["queue"] == "general"
    assert ("customer_by_phone", "") not in crm.calls


async def test_a_withheld_caller_types_a_number_to_be_called_back(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, "", "1,3,2,415555014#,4155550142#,2,4155550143#,1", open_at)
    assert "Your number is withheld." in t.prompts[3]
    assert "Sorry, that is not a ten-digit phone number." in t.prompts  # nine digits
    assert "We will call 4 1 5 5 5 5 0 1 4 2. If that is right, press 1. To enter it again, press 2." in t.prompts
    assert t.result == {
        "action": "callback",
        "queue": "billing",
        "number": "+14155550143",
        "priority": 0,
        "skills": ["billing", "english"],
    }
    assert "at this number" not in " ".join(t.prompts)


async def test_a_withheld_caller_without_a_number_holds_instead(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, "", "1,4,2,,", open_at)
    assert "Without a number we cannot call you back. Please hold for the next technician." in t.prompts
    assert t.result["action"] == "queue" and t.result["queue"] == "technical"


async def test_a_known_caller_is_called_back_on_their_own_number(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "4,2", open_at)
    assert "We will call you back at the number you are calling from." in t.prompts
    assert t.result["action"] == "callback" and t.result["number"] == ANA and t.result["queue"] == "technical"


async def test_one_wrong_key_after_an_order_or_a_case_is_asked_again(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, ANA, "1,1,8,0", open_at)
    assert "Sorry, that is not one of the choices." in t.prompts
    assert t.result["queue"] == "general" and t.result["data"]["topic"] == "order"
    t = await call(shipped, crm, ANA, "2,20417#,5,1", open_at)
    assert t.result["queue"] == "technical" and t.result["data"]["case_number"] == "20417"
    t = await call(shipped, crm, ANA, "2,20417#", open_at)  # silence: asked again, then goodbye
    after_case = "To speak with the support team about this case, press 1. For the main menu, press 2."
    assert t.prompts[-4:] == [
        after_case,
        "Sorry, I didn't hear your choice.",
        after_case,
        "Thank you for calling Acme. Goodbye.",
    ]
    assert t.result == {"action": "hangup", "reason": "flow"}


async def test_case_statuses_are_spoken_in_spanish(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, JORGE, "2,20388#", open_at)
    assert "El estado del caso 2 0 3 8 8, Invoice address change, es: resuelto." in t.prompts
    t = await call(shipped, crm, JORGE, "2,20450#", open_at)
    assert t.prompts[4].startswith(
        "El estado del caso 2 0 4 5 0, Replacement part, es: pendiente de su respuesta."
    )  # after his contract


async def test_a_caller_whose_service_contract_ended_is_told_so_before_the_menu(shipped, crm, open_at) -> None:  # type: ignore[no-untyped-def]
    t = await call(shipped, crm, JORGE, "", open_at)
    said = "Su contrato de servicio premium terminó el 2026-01-31. Para renovarlo, oprima 5 para ventas en el menú principal."
    assert said in t.prompts
    assert t.variables["contract.ended"] is True and t.variables["contract.tier"] == "premium"
    running = await call(shipped, crm, ANA, "", open_at)  # Ana's contract runs: nothing said of it
    assert running.variables["contract.active"] is True
    assert not any("contract" in p for p in running.prompts)
