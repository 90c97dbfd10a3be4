"""Listening back to a call's recording or a voicemail: supervisors any, agents their own.

The file is found through the recording row the server wrote with its activity; nothing a client writes
can name a file, whatever form the path takes.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings
from contact_center.services.calls.record import CallRecord, write_call_activity
from contact_center.store.activity_log import ActivityLog
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Recording
from contact_center.telephony import audio

T = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)


async def _server_call(engine: AsyncEngine, agent_id: int, call_id: str, wav: Path) -> int:
    """A call activity as the server writes it at the end of a recorded call."""
    record = CallRecord(
        call_id=call_id,
        caller_number="+14155550142",
        dialled="5000",
        arrived_at=T,
        agent_user_id=agent_id,
        ended_at=T,
        recording=str(wav),
    )
    activities = ActivityLog(engine)
    try:
        return await write_call_activity(activities, record, disposition="resolved", wrap_seconds=0, outcome="answered")
    finally:
        await activities.close()


def _wav(path: Path, seconds: float = 1.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    audio.write_wav(path, b"\x01\x00" * int(8000 * seconds))
    return path


async def test_a_recording_is_served_to_who_may_hear_it(
    app_client: Any, settings: Settings, engine: AsyncEngine, make_user: Any, token_for: Any, agent: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    other = await token_for(await make_user("olga", "agent"))
    wav = _wav(settings.var_dir / "recordings" / "2026" / "call-1.wav")
    mine = await _server_call(engine, agent.user_id, "call-1", wav)
    path = f"/api/v1/activities/{mine}/recording"

    assert (await app_client.get(path)).status == 401
    heard = await app_client.get(path, headers=agent.headers())
    assert heard.status == 200 and heard.headers["Content-Type"] == "audio/wav" and len(await heard.read()) > 16000
    assert (await app_client.get(path, headers=boss.headers())).status == 200
    assert (await app_client.get(path, headers=other.headers())).status == 403

    listed = await app_client.get(f"/api/v1/activities/{mine}", headers=agent.headers())
    details = (await listed.json())["details"]
    assert isinstance(details["recording_id"], int) and "recording" not in details
    assert str(wav) not in str(details), "the server's path is never shown to clients"

    wav.unlink()
    gone = await app_client.get(path, headers=boss.headers())
    assert gone.status == 404 and "no longer" in await gone.text()
    assert (await app_client.get("/api/v1/activities/999999/recording", headers=boss.headers())).status == 404
    assert (await app_client.get("/api/v1/activities/x/recording", headers=boss.headers())).status == 404


def _path_forms(settings: Settings, victim_wav: Path, tmp_path: Path) -> list[str]:
    var = settings.var_dir
    link = var / "recordings" / "link.wav"
    os.symlink(var / "contact_center.db", link)
    return [
        str(var / "contact_center.db"),  # absolute
        "var/contact_center.db",  # relative to the working directory
        os.path.relpath(var / "secret_key"),  # relative, to another file
        str(var / "recordings" / ".." / "secret_key"),  # climbing out with ..
        "../" * 12 + "etc/passwd",
        str(link),  # a symlink inside var/ to a file the server must not serve
        str(victim_wav),  # another agent's recording
        str(tmp_path / "outside.wav"),
    ]


async def test_no_client_written_path_reaches_a_file(
    app_client: Any, settings: Settings, engine: AsyncEngine, make_user: Any, token_for: Any, agent: Any, tmp_path: Path
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    victim = await make_user("olga", "agent")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    (settings.var_dir / "contact_center.db").write_bytes(b"SQLite format 3\x00 secret")
    (settings.var_dir / "secret_key").write_text("not for agents")
    victim_wav = _wav(settings.var_dir / "recordings" / "2026" / "olga-call.wav")
    victims = await _server_call(engine, victim.user_id, "olga-call", victim_wav)
    _wav(tmp_path / "outside.wav")

    forms = _path_forms(settings, victim_wav, tmp_path)
    for form in forms:
        for key in ("recording", "recording_id", "legs", "sip"):
            value: Any = form if key != "recording_id" else victims
            posted = await app_client.post(
                "/api/v1/activities",
                headers=agent.headers(),
                json={"type": "call", "interaction_id": "olga-call", "details": {key: value}},
            )
            assert posted.status == 422, (key, form)
            [problem] = (await posted.json())["errors"]
            assert problem["field"] == "details" and "server only" in problem["reason"], problem

    # Rows a client could write before this fix (a path in details) name no file either: only the
    # recordings table does, and only the server writes it.
    async with session_factory(engine).begin() as session:
        forged = [
            Activity(type="call", agent_id=agent.user_id, interaction_id="olga-call", details={"recording": form})
            for form in forms
        ]
        session.add_all(forged)
    for row in forged:
        for who in (agent, boss):
            answer = await app_client.get(f"/api/v1/activities/{row.id}/recording", headers=who.headers())
            assert answer.status == 404, (row.details, who.username)
    async with session_factory(engine)() as session:
        assert (await session.scalars(select(Recording.activity_id))).all() == [victims]


async def test_a_server_path_outside_var_or_through_a_symlink_is_not_served(
    app_client: Any, settings: Settings, engine: AsyncEngine, make_user: Any, token_for: Any, tmp_path: Path
) -> None:
    """Defence in depth: even a recording row is served only when its file resolves inside var/."""
    boss = await token_for(await make_user("sue", "supervisor"))
    outside = _wav(tmp_path / "elsewhere" / "call-2.wav")
    escaped = await _server_call(engine, boss.user_id, "call-2", outside)
    link = settings.var_dir / "recordings" / "call-3.wav"
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, link)
    linked = await _server_call(engine, boss.user_id, "call-3", link)
    for activity_id in (escaped, linked):
        assert (
            await app_client.get(f"/api/v1/activities/{activity_id}/recording", headers=boss.headers())
        ).status == 404


@pytest.mark.parametrize("depth", [9, 200, 900])
async def test_details_nested_too_deep_are_refused(app_client: Any, agent: Any, depth: int) -> None:
    nested: Any = "x"
    for _ in range(depth):
        nested = {"a": nested}
    posted = await app_client.post(
        "/api/v1/activities", headers=agent.headers(), json={"type": "note", "details": nested}
    )
    assert posted.status in (400, 422)
    assert "deeper" in await posted.text()
