"""Who is acting: a logged-in user (browser session) or an integration (API token), and their role.

Shared by the HTTP layer, which finds the principal of a request, and the realtime gateway, which is
told it for each socket; neither owns the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

ROLE_RANK = {"agent": 1, "supervisor": 2, "admin": 3}


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: str
    via: str  # "session" or "token"
    session_id: str | None = None
    csrf_token: str | None = None
    read_only: bool = False  # a read-only token: GET and HEAD only

    def has_role(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]


# The principal the auth middleware found for a request (so a handshake need not look it up again).
PRINCIPAL = web.RequestKey("principal", Principal)

# Looks the principal of a request up afresh (a revoked session answers None).
Authenticator = Callable[[web.Request], Awaitable[Principal | None]]
