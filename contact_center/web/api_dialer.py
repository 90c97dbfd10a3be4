"""What an agent does with a previewed campaign record: call it or skip it (their own desk only)."""

from __future__ import annotations

from aiohttp import web

from contact_center.services.desk import DeskError
from contact_center.web.auth import principal
from contact_center.web.errors import error, path_id
from contact_center.web.keys import DIALER
from contact_center.web.routing import Api

api = Api()


def _attempt(request: web.Request) -> int:
    return path_id(request, "attempt_id", "a dialing attempt id")


@api.route("POST", "/api/v1/dialer/previews/{attempt_id}/call", "Call the campaign record on your desk", tag="dialer")
async def call_preview(request: web.Request) -> web.Response:
    try:
        placed = await request.app[DIALER].call_preview(principal(request).user_id, _attempt(request))
    except DeskError as exc:
        return error(409, exc.code, exc.message)
    return web.json_response(placed)


@api.route(
    "POST",
    "/api/v1/dialer/previews/{attempt_id}/skip",
    "Skip the campaign record on your desk (it goes to the back of the list; the attempt does not count)",
    tag="dialer",
)
async def skip_preview(request: web.Request) -> web.Response:
    try:
        await request.app[DIALER].skip_preview(principal(request).user_id, _attempt(request))
    except DeskError as exc:
        return error(409, exc.code, exc.message)
    return web.json_response({"skipped": True})
