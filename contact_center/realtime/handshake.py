"""Who is on the other end of a socket: the login session (or API token) of the handshake request."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

import socketio
from aiohttp import web

from contact_center.principal import PRINCIPAL, Authenticator, Principal


class Refused(socketio.exceptions.ConnectionRefusedError):  # type: ignore[misc]
    """A refused handshake; socket.io hands ``{"message": code}`` to the client's connect_error."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def handshake_request(environ: dict[str, Any]) -> web.Request:
    request = environ.get("aiohttp.request")
    if not isinstance(request, web.Request):
        raise Refused("unsupported_transport")
    return request


def origin_allowed(request: web.Request, trusted_origins: Collection[str]) -> bool:
    """Same host as the page, or a configured origin. Browsers always send Origin on a socket
    handshake, so a missing one is a non-browser client, which cannot ride on someone's cookie."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if origin in trusted_origins:
        return True
    # Scheme-agnostic: behind a TLS proxy the page is https while the app sees http.
    return bool(request.host) and urlsplit(origin).netloc.lower() == request.host.lower()


def with_token(request: web.Request, auth: object) -> web.Request:
    """The handshake request carrying the API token a client sent in socket.io's ``auth`` payload
    (``{"token": ...}``: a browser cannot set headers on a websocket), as a bearer header: it is then
    checked, and re-checked while the socket lives, like any API request's. Without one, as it came."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token.strip():
        return request
    return request.clone(headers={**request.headers, "Authorization": f"Bearer {token.strip()}"})


async def identify(request: web.Request, trusted_origins: Collection[str], authenticate: Authenticator) -> Principal:
    if not origin_allowed(request, trusted_origins):
        raise Refused("bad_origin")
    # The auth middleware has already looked the session up for this request; do not query twice
    # (unless a token came in the handshake's payload: it names who is connecting, not the cookie).
    bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
    found = (None if bearer else request.get(PRINCIPAL)) or await authenticate(request)
    if found is None:
        raise Refused("unauthorized")
    return found
