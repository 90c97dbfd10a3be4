"""Listening back: the recording or voicemail behind a call or voicemail activity, as a WAV file.

Supervisors and admins may hear any; an agent only the calls they handled. The file is found through
the ``recordings`` row the server wrote with the activity, never through anything a client wrote; and
even that path is served only when it resolves (symlinks followed) inside the server's ``var/`` folder.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from sqlalchemy import select

from contact_center.crm.records import parse_id
from contact_center.store.tables import Activity, Recording
from contact_center.web.auth import principal
from contact_center.web.keys import SESSIONS, SETTINGS
from contact_center.web.routing import Api

api = Api()


@api.route(
    "GET",
    "/api/v1/activities/{activity_id}/recording",
    "The call recording or voicemail of an activity (WAV)",
    tag="activities",
)
async def recording(request: web.Request) -> web.StreamResponse:
    activity_id = parse_id(request.match_info["activity_id"])
    if activity_id is None:
        raise web.HTTPNotFound(text="no such activity")
    async with request.app[SESSIONS]() as session:
        activity = await session.get(Activity, activity_id)
        if activity is None:
            raise web.HTTPNotFound(text=f"no activity {activity_id}")
        me = principal(request)
        if not me.has_role("supervisor") and activity.agent_id != me.user_id:
            raise web.HTTPForbidden(text="agents may listen to the calls they handled; ask a supervisor")
        stored = await session.scalar(select(Recording.path).where(Recording.activity_id == activity_id))
    if stored is None:
        raise web.HTTPNotFound(text=f"activity {activity_id} has no recording")
    path = _inside(Path(stored), request.app[SETTINGS].var_dir)
    if path is None or not path.is_file():
        raise web.HTTPNotFound(text=f"the recording of activity {activity_id} is no longer on this server")
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "audio/wav",
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'inline; filename="activity-{activity_id}.wav"',
        },
    )


def _inside(path: Path, var_dir: Path) -> Path | None:
    """The file if it lies under ``var_dir`` (recordings and voicemail live there), else None."""
    root = var_dir.resolve()
    resolved = (path if path.is_absolute() else Path.cwd() / path).resolve()
    return resolved if resolved.is_relative_to(root) else None
