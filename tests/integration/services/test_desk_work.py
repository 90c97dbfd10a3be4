"""The agent's work around a call, through the real call center: wrap-up that is all or nothing, case
updates as follow-ups, linking an unknown caller, the timeline updating while the call is on, agents
added while the server runs, and recordings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.cases import create_case
from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CaseCreate, CustomerCreate
from contact_center.crm.users import add_user
from contact_center.services.desk import DeskError
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Case, Customer, Recording, User
from contact_center.telephony.events import OriginateOutcome

from .conftest import said, until, until_async

MARIA = "+14155550142"


async def _agent(engine: AsyncEngine, username: str = "agent") -> User:
    async with session_factory(engine)() as session:
        return (await session.scalars(select(User).where(User.username == username))).one()


async def _connected(
    center: Any, engine: AsyncEngine, caller: str = MARIA, keys: str = "0"
) -> tuple[Any, Any, list[Any], User, str]:
    """A call connected to the agent; ``keys`` reach an agent in the IVR (a known caller: 0; otherwise 1 for
    English first)."""
    desk, port, heard = center
    agent = await _agent(engine)
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    await desk.set_state(agent.id, "available")
    call_id = port.inject_call(caller, "5000")
    port.press(call_id, keys)
    await until(lambda: said(heard, agent.id, "call.offered"), "the offer")
    await desk.accept(agent.id, call_id)
    await until(lambda: said(heard, agent.id, "call.connected"), "the agent connected")
    return desk, port, heard, agent, call_id


async def _in_wrapup(center: Any, engine: AsyncEngine, caller: str = MARIA) -> tuple[Any, Any, list[Any], User, str]:
    desk, port, heard, agent, call_id = await _connected(center, engine, caller)
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    return desk, port, heard, agent, call_id


async def _call_activities(engine: AsyncEngine, call_id: str) -> list[Activity]:
    async with session_factory(engine)() as session:
        query = select(Activity).where(Activity.interaction_id == call_id, Activity.type == "call")
        return list((await session.scalars(query)).all())


async def test_a_bad_follow_up_refuses_the_whole_wrap_up_and_a_corrected_one_is_logged_once(
    center: Any, engine: AsyncEngine
) -> None:
    desk, _port, _heard, agent, call_id = await _in_wrapup(center, engine)
    with pytest.raises(DeskError) as refused:
        await desk.save_wrapup(
            agent.id, call_id, "resolved", "", [{"type": "task", "subject": "Ship it", "at": "tomorrow"}]
        )
    assert refused.value.code == "bad_follow_up" and "follow_ups.0.at" in refused.value.message
    assert await _call_activities(engine, call_id) == []  # nothing half-written
    await desk.save_wrapup(agent.id, call_id, "resolved", "", [{"type": "task", "subject": "Ship it"}])
    assert len(await _call_activities(engine, call_id)) == 1
    with pytest.raises(DeskError):
        await desk.save_wrapup(agent.id, call_id, "resolved", "", [])


async def test_wrap_up_can_update_an_open_case_with_a_note(center: Any, engine: AsyncEngine, clock: Any) -> None:
    async with session_factory(engine).begin() as session:
        maria = (await session.scalars(select(Customer).where(Customer.first_name == "Maria"))).one()
        case = await create_case(session, CaseCreate(subject="Parcel lost", customer_id=maria.id), clock.now())
    desk, _port, _heard, agent, call_id = await _in_wrapup(center, engine)
    with pytest.raises(DeskError) as refused:
        await desk.save_wrapup(agent.id, call_id, "resolved", "", [{"type": "case_update", "case_id": 999_999}])
    assert refused.value.code == "bad_follow_up" and "no case 999999" in refused.value.message
    saved = await desk.save_wrapup(
        agent.id,
        call_id,
        "resolved",
        "",
        [{"type": "case_update", "case_id": case.id, "status": "resolved", "note": "Refund issued on the call"}],
    )
    assert saved["created"] == [{"type": "case_update", "id": case.id, "number": case.number, "status": "resolved"}]
    async with session_factory(engine)() as session:
        stored = await session.get(Case, case.id)
        notes = (
            await session.scalars(select(Activity).where(Activity.case_id == case.id, Activity.type == "note"))
        ).all()
    assert stored is not None and stored.status == "resolved" and stored.resolved_at is not None
    assert [n.interaction_id for n in notes] == [call_id]


async def test_an_unknown_caller_linked_during_the_call_lands_on_that_customers_timeline(
    center: Any, engine: AsyncEngine
) -> None:
    desk, port, heard, agent, call_id = await _connected(center, engine, caller="+14155550177", keys="10")
    offer = said(heard, agent.id, "call.offered")[0]
    assert offer["screen_pop"]["customer"] is None
    async with session_factory(engine).begin() as session:
        data = CustomerCreate.model_validate({"first_name": "Noor", "last_name": "Haddad", "phones": ["+14155550177"]})
        noor = await create_customer(session, data, "US")
    with pytest.raises(DeskError):
        await desk.link_customer(agent.id, call_id, 999_999)
    await desk.link_customer(agent.id, call_id, noor.id)
    linked = said(heard, agent.id, "call.customer_linked")[0]
    assert linked["customer"]["first_name"] == "Noor"
    assert (await desk.snapshot(agent.id))["call"]["screen_pop"]["customer"]["id"] == noor.id
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, call_id, "resolved", "", [])  # no follow-up needed to keep the link
    [call] = await _call_activities(engine, call_id)
    assert call.customer_id == noor.id


async def test_a_number_two_customers_share_offers_both_to_the_agent_to_pick_from(
    center: Any, engine: AsyncEngine
) -> None:
    shared = "+14155550166"
    async with session_factory(engine).begin() as session:
        people = []
        for first, last in (("Ana", "Lima"), ("Rui", "Lima")):
            data = CustomerCreate.model_validate({"first_name": first, "last_name": last, "phones": [shared]})
            people.append(await create_customer(session, data, "US"))
    desk, port, heard, agent, call_id = await _connected(center, engine, caller=shared, keys="10")
    pop = said(heard, agent.id, "call.offered")[0]["screen_pop"]
    assert pop["customer"]["id"] == people[0].id  # the IVR greets a family line as the one added first
    phones = [{"number": shared, "e164": shared, "kind": "mobile"}]
    assert pop["matches"] == [
        {"id": p.id, "first_name": p.first_name, "last_name": p.last_name, "account_id": None, "phones": phones}
        for p in people
    ]
    await desk.link_customer(agent.id, call_id, people[1].id)
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, call_id, "resolved", "", [])
    [call] = await _call_activities(engine, call_id)
    assert call.customer_id == people[1].id


async def test_what_anyone_adds_to_the_timeline_during_the_call_reaches_the_agent_once(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, _port, heard, agent, call_id = await _connected(center, engine)
    customer_id = desk.calls.conversation(call_id).record.customer_id
    await desk._push_timelines()  # what the screen-pop showed is not sent again
    before = len(said(heard, agent.id, "timeline.appended"))
    async with session_factory(engine).begin() as session:
        session.add(
            Activity(
                type="email",
                channel="email",
                direction="inbound",
                subject="Photo of the damage",
                customer_id=customer_id,
                started_at=clock.now(),
                created_at=clock.now(),
            )
        )
    await desk._push_timelines()
    await desk._push_timelines()
    appended = said(heard, agent.id, "timeline.appended")[before:]
    assert [a["activity"]["subject"] for a in appended] == ["Photo of the damage"]
    assert appended[0]["customer_id"] == customer_id and appended[0]["activity"]["type"] == "email"


async def test_an_agent_added_while_the_server_runs_can_go_ready_without_a_restart(
    center: Any, engine: AsyncEngine
) -> None:
    desk, _port, _heard = center
    async with session_factory(engine).begin() as session:
        newcomer = await add_user(session, "zoe", "agent", "a-long-password-1", extension="2077", queues="all")
    state = await desk.set_state(newcomer.id, "available")
    assert state["state"] == "available" and desk.people.extensions[newcomer.id] == "2077"
    assert any(row["name"] == "zoe" for row in desk.views.board()["agents"])


async def test_calls_are_recorded_when_recording_is_on(center: Any, engine: AsyncEngine, tmp_path: Path) -> None:
    desk = center[0]
    desk.record_calls = True
    desk, port, heard, agent, call_id = await _connected(center, engine)
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, call_id, "resolved", "", [])
    [call] = await _call_activities(engine, call_id)
    async with session_factory(engine)() as session:
        recording = await session.get(Recording, call.details["recording_id"])
    assert recording is not None and (recording.activity_id, recording.kind) == (call.id, "call")
    assert Path(recording.path).is_relative_to(tmp_path / "recordings") and Path(recording.path).exists()  # noqa: ASYNC240
    assert call.details["legs"][0]["recorded"] is True and "recording" not in call.details["legs"][0]


async def test_the_board_names_agents_and_counts_them_per_state(center: Any, engine: AsyncEngine) -> None:
    desk, _port, _heard, agent, call_id = await _connected(center, engine)
    board = desk.views.board()
    row = next(r for r in board["agents"] if r["user_id"] == agent.id)
    assert (row["name"], row["extension"], row["state"], row["call_id"]) == (
        agent.display_name or agent.username,
        agent.extension,
        "on_call",
        call_id,
    )
    assert board["totals"]["agents_on_call"] == 1
    general = next(q for q in board["queues"] if q["name"] == "general")
    assert general["agents_busy"] == 1 and general["waiting"] == 0
    assert dt.datetime.fromisoformat(row["since"].replace("Z", "+00:00")) <= desk.clock.now()


async def test_an_agent_whose_desktop_is_gone_is_not_offered_calls(center: Any, engine: AsyncEngine) -> None:
    """Ready: not ready at once ("disconnected"). On a call: the call goes on, not ready when it ends.
    Already not ready: their own reason stays."""
    desk, port, heard, agent, call_id = await _connected(center, engine)
    await desk.desktop_gone(agent.id)
    assert (await desk.snapshot(agent.id))["agent"]["state"] == "on_call"  # the phone call goes on
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, call_id, "resolved", "", [])
    await until(lambda: desk.acd.acd.agents[str(agent.id)].state == "not_ready", "not ready after the call")
    assert (await desk.snapshot(agent.id))["agent"]["reason"] == "disconnected"

    await desk.set_state(agent.id, "available")
    await desk.desktop_gone(agent.id)
    state = (await desk.snapshot(agent.id))["agent"]
    assert (state["state"], state["reason"]) == ("not_ready", "disconnected")
    await desk.set_state(agent.id, "not_ready", "lunch")
    await desk.desktop_gone(agent.id)
    assert (await desk.snapshot(agent.id))["agent"]["reason"] == "lunch"


async def test_a_wrap_up_that_runs_out_logs_the_call_and_keeps_its_disposition_pending(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, _, heard, agent, call_id = await _in_wrapup(center, engine)
    clock.advance(3600)  # the agent was called away: the wrap-up time runs out
    await desk.acd.advance()
    ended = await until(lambda: said(heard, agent.id, "wrapup.ended"), "the wrap-up to run out")
    assert ended[-1] == {"call_id": call_id, "disposition_pending": True}
    logged = await until_async(lambda: _call_activities(engine, call_id), "the call on the timeline")
    assert len(logged) == 1 and logged[0].disposition is None and logged[0].details["disposition_pending"] is True

    snapshot = await desk.snapshot(agent.id)
    assert snapshot["agent"]["state"] == "available"  # the agent goes on taking calls
    assert snapshot["wrapup"]["call_id"] == call_id and snapshot["wrapup"]["disposition_pending"] is True
    assert {d["code"] for d in snapshot["wrapup"]["dispositions"]} >= {"resolved"}

    with pytest.raises(DeskError):
        await desk.save_wrapup(agent.id, call_id, "no-such-code", "", [])
    saved = await desk.save_wrapup(
        agent.id, call_id, "resolved", "Called away; sorted it out", [{"type": "task", "subject": "Post the form"}]
    )
    assert saved["created"][0]["type"] == "task"
    completed = await _call_activities(engine, call_id)
    assert [a.id for a in completed] == [logged[0].id]  # the same row, completed: one activity per call
    assert completed[0].disposition == "resolved" and completed[0].details["disposition_pending"] is False
    assert completed[0].subject.endswith(f"with {agent.display_name}")  # the timeline names the agent
    assert "Called away; sorted it out" in completed[0].details["notes"]
    assert said(heard, agent.id, "wrapup.ended")[-1] == {"call_id": call_id, "disposition_saved": True}
    assert (await desk.snapshot(agent.id))["wrapup"] is None
    row = next(r for r in (await desk.board())["agents"] if r["user_id"] == agent.id)
    assert (row["state"], row["call_id"], row["queue"]) == ("available", None, None)  # not the last call
    with pytest.raises(DeskError):
        await desk.save_wrapup(agent.id, call_id, "resolved", "", [])
