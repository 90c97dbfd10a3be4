"""The agent desktop (/desk) and the supervisor board (/board), and the socket.io client they load.

The client comes from npm (``agent_ui/node_modules/socket.io-client``, installed by ``npm ci`` in
``agent_ui``) and is served from here: no CDN.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from contact_center.web.pages import UI_ROOT, render, signed_in

log = logging.getLogger(__name__)
SOCKET_IO_DIST = UI_ROOT / "node_modules" / "socket.io-client" / "dist"
# What the pages load from npm packages (no CDN): package -> (its folder, the files served from it).
VENDOR: dict[str, tuple[Path, frozenset[str]]] = {
    "socket.io": (SOCKET_IO_DIST, frozenset({"socket.io.min.js", "socket.io.min.js.map"})),
    "uplot": (UI_ROOT / "node_modules" / "uplot" / "dist", frozenset({"uPlot.iife.min.js", "uPlot.min.css"})),
}


def install(app: web.Application) -> None:
    app.router.add_get("/desk", desk_page)
    app.router.add_get("/board", board_page)
    app.router.add_get("/wallboard", wallboard_page)
    app.router.add_get("/vendor/{package}/{name}", vendor_file)
    if not (SOCKET_IO_DIST / "socket.io.min.js").is_file():
        log.warning("socket.io-client is missing: run `npm ci` in agent_ui/ or /desk and /board stay offline")


async def desk_page(request: web.Request) -> web.Response:
    me = signed_in(request)
    return render(request, "desk.html", me=me)


async def board_page(request: web.Request) -> web.Response:
    me = signed_in(request)
    if not me.has_role("supervisor"):
        response = render(request, "board.html", me=me, forbidden=True)
        response.set_status(403)
        return response
    return render(request, "board.html", me=me, forbidden=False)


async def wallboard_page(request: web.Request) -> web.Response:
    """A TV's view: large tiles, no controls. It reads with a read-only token in the URL's fragment
    (``/wallboard#token=...``, never sent to the server in the URL) or the viewer's own session."""
    return render(request, "wallboard.html")


async def vendor_file(request: web.Request) -> web.StreamResponse:
    package, name = request.match_info["package"], request.match_info["name"]
    folder, files = VENDOR.get(package, (UI_ROOT, frozenset()))
    if name not in files:
        raise web.HTTPNotFound()
    path: Path = folder / name
    return web.FileResponse(
        path, headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
    )
