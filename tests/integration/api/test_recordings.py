"""Listening back to a call's recording or a voicemail: supervisors any, agents their own, files from var/ only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity
from contact_center.telephony import audio


async def _activity(engine: AsyncEngine, agent_id: int | None, recording: str | None) -> int:
    async with session_factory(engine).begin() as session:
        row = Activity(type="call", agent_id=agent_id, details={"recording": recording} if recording else {})
        session.add(row)
        await session.flush()
        return row.id


async def test_a_recording_is_served_to_who_may_hear_it(app_client: Any, settings: Settings, engine: AsyncEngine,
                                                       make_user: Any, token_for: Any, agent: Any, tmp_path: Path) -> None:  # fmt: skip
    boss = await token_for(await make_user("sue", "supervisor"))
    other = await token_for(await make_user("olga", "agent"))
    wav = settings.var_dir / "recordings" / "2026" / "call-1.wav"
    wav.parent.mkdir(parents=True)
    audio.write_wav(wav, b"\x01\x00" * 8000)
    mine = await _activity(engine, agent.user_id, str(wav))
    path = f"/api/v1/activities/{mine}/recording"

    assert (await app_client.get(path)).status == 401
    heard = await app_client.get(path, headers=agent.headers())
    assert heard.status == 200 and heard.headers["Content-Type"] == "audio/wav" and len(await heard.read()) > 16000
    assert (await app_client.get(path, headers=boss.headers())).status == 200
    assert (await app_client.get(path, headers=other.headers())).status == 403

    outside = tmp_path / "secret.wav"
    audio.write_wav(outside, b"\x00\x00" * 800)
    sneaky = await _activity(engine, agent.user_id, str(outside))
    assert (await app_client.get(f"/api/v1/activities/{sneaky}/recording", headers=boss.headers())).status == 404
    bare = await _activity(engine, agent.user_id, None)
    assert (await app_client.get(f"/api/v1/activities/{bare}/recording", headers=boss.headers())).status == 404
    assert (await app_client.get("/api/v1/activities/999999/recording", headers=boss.headers())).status == 404
    assert (await app_client.get("/api/v1/activities/x/recording", headers=boss.headers())).status == 404
