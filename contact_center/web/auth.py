"""Who is calling: session cookies (browsers, with CSRF checks) and bearer tokens (integrations)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import time
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center import security
from contact_center.crm.errors import ValidationFailed
from contact_center.principal import PRINCIPAL, Principal
from contact_center.security import (
    device_id_if_valid,
    device_token,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from contact_center.store.tables import ApiToken, User, WebSession
from contact_center.web.errors import error, read_body
from contact_center.web.keys import CLOCK, HASHING, SESSION_CLOSERS, SESSIONS, SETTINGS, THROTTLE
from contact_center.web.routing import Api, Handler, required_role

SESSION_COOKIE = "cc_session"
CSRF_COOKIE = "cc_csrf"
CSRF_HEADER = "X-CSRF-Token"
DEVICE_COOKIE = "cc_device"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

api = Api()


def principal(request: web.Request) -> Principal:
    found: Principal | None = request.get(PRINCIPAL)
    if found is None:
        raise web.HTTPUnauthorized()
    return found


async def authenticate(request: web.Request) -> Principal | None:
    """The principal behind a bearer token or a live session cookie, else None."""
    now = request.app[CLOCK].now()
    header = request.headers.get("Authorization", "")
    async with request.app[SESSIONS]() as session:
        if header.lower().startswith("bearer "):
            return await _by_token(session, header[7:].strip())
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return await _by_session(session, cookie, now)
    return None


async def _by_token(session: AsyncSession, token: str) -> Principal | None:
    row = (
        await session.execute(
            select(User, ApiToken.read_only)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None), User.active.is_(True))
        )
    ).first()
    if row is None:
        return None
    user, read_only = row
    return Principal(user.id, user.username, user.role, "token", read_only=bool(read_only))


async def _by_session(session: AsyncSession, cookie: str, now: dt.datetime) -> Principal | None:
    row = (
        await session.execute(
            select(User, WebSession)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.id == token_digest(cookie), WebSession.expires_at > now, User.active.is_(True))
        )
    ).first()
    if row is None:
        return None
    user, web_session = row
    return Principal(user.id, user.username, user.role, "session", web_session.id, web_session.csrf_token)


def _is_public(request: web.Request) -> bool:
    return (
        not request.path.startswith("/api/v1/")
        or request.path == "/api/v1/auth/login"
        or request.path.startswith("/api/v1/public/")  # what anyone may send (the lead form), throttled
    )


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    found = await authenticate(request)
    if found is not None:
        request[PRINCIPAL] = found
    if _is_public(request):
        return await handler(request)
    if found is None:
        return error(401, "unauthorized", "log in (POST /api/v1/auth/login) or send Authorization: Bearer TOKEN")
    if request.method in UNSAFE_METHODS and found.read_only:
        return error(403, "read_only_token", "this token may only read (GET)")
    if request.method in UNSAFE_METHODS and found.via == "session":
        sent = request.headers.get(CSRF_HEADER, "")
        if not found.csrf_token or not hmac.compare_digest(sent, found.csrf_token):
            return error(403, "csrf_failed", f"cookie-authenticated writes need the {CSRF_HEADER} header from login")
    role = None if request.match_info.http_exception else required_role(request.match_info.route.handler)
    if role is not None and not found.has_role(role):
        return error(403, "forbidden", f"this needs the {role} role; you are {found.role}")
    return await handler(request)


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class LoginOut(BaseModel):
    user_id: int
    username: str
    role: str
    csrf_token: str
    expires_at: dt.datetime


def client_address(request: web.Request) -> str:
    """The client's address for throttling: through trusted proxies (CC_TRUSTED_PROXIES) only."""
    trusted = request.app[SETTINGS].trusted_proxies
    return security.client_address(request.remote, request.headers.getall("X-Forwarded-For", []), trusted)


@api.route(
    "POST",
    "/api/v1/auth/login",
    "Log in with a password; sets the session cookie",
    tag="auth",
    role=None,
    body=LoginBody,
    response=LoginOut,
)
async def login(request: web.Request) -> web.StreamResponse:
    if request.content_type != "application/json":
        # A cross-site HTML form cannot send JSON: this keeps other sites from logging a browser in.
        return error(415, "unsupported_media_type", "send the login as application/json")
    body = await read_body(request, LoginBody)
    throttle, settings, clock = request.app[THROTTLE], request.app[SETTINGS], request.app[CLOCK]
    address, mono = client_address(request), time.monotonic()
    device = device_id_if_valid(settings.secret_key, body.username, request.cookies.get(DEVICE_COOKIE))
    wait = throttle.retry_after(body.username, address, mono, device)
    if wait > 0:
        response = error(429, "too_many_attempts", f"too many failed logins; try again in {int(wait) + 1} s")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    throttle.attempt(body.username, address, mono, device)
    now = clock.now()
    async with request.app[SESSIONS].begin() as session:
        user = (await session.scalars(select(User).where(User.username == body.username))).first()
        stored = user.password_hash if user is not None and user.active else None
        # Always hash, even for unknown users, so the answer's timing does not tell who exists.
        async with request.app[HASHING]:
            valid = await asyncio.to_thread(verify_password, stored, body.password)
        if user is None or not valid:
            return error(401, "bad_credentials", "unknown user or wrong password")
        throttle.succeeded(body.username, address, device)
        # A new session at every login (and the old one from this browser is ended): no fixation.
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            await session.execute(delete(WebSession).where(WebSession.id == token_digest(old)))
        await session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at <= now))
        cookie, csrf = new_token(), new_token()
        expires = now + dt.timedelta(hours=settings.session_hours)
        session.add(
            WebSession(
                id=token_digest(cookie),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=expires,
                remote=address[:64],
            )
        )
        user.last_login_at = now
        out = LoginOut(user_id=user.id, username=user.username, role=user.role, csrf_token=csrf, expires_at=expires)
    response = web.json_response(out.model_dump(mode="json"))
    secure = request.secure or settings.cookie_secure
    max_age = settings.session_hours * 3600
    response.set_cookie(
        DEVICE_COOKIE,
        device_token(settings.secret_key, body.username, device),
        httponly=True,
        samesite="Strict",
        secure=secure,
        max_age=365 * 86400,
        path="/api/v1/auth",
    )
    response.set_cookie(
        SESSION_COOKIE, cookie, httponly=True, samesite="Strict", secure=secure, max_age=max_age, path="/"
    )
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="Strict", secure=secure, max_age=max_age, path="/")
    return response


@api.route("POST", "/api/v1/auth/logout", "End this session on the server", tag="auth", status=204)
async def logout(request: web.Request) -> web.StreamResponse:
    me = principal(request)
    if me.session_id:
        async with request.app[SESSIONS].begin() as session:
            await session.execute(delete(WebSession).where(WebSession.id == me.session_id))
        for close in request.app.get(SESSION_CLOSERS, []):
            await close(me.session_id)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response


class MeOut(BaseModel):
    user_id: int
    username: str
    role: str
    via: str
    csrf_token: str | None


@api.route("GET", "/api/v1/auth/me", "Who am I", tag="auth", response=MeOut)
async def me(request: web.Request) -> web.StreamResponse:
    p = principal(request)
    return web.json_response(
        MeOut(user_id=p.user_id, username=p.username, role=p.role, via=p.via, csrf_token=p.csrf_token).model_dump()
    )


async def hashed(request: web.Request, password: str) -> str:
    """A password's hash, made off the event loop (argon2 takes tens of milliseconds); too short: 422."""
    async with request.app[HASHING]:
        try:
            return await asyncio.to_thread(hash_password, password)
        except ValueError as exc:
            raise ValidationFailed.one("password", str(exc)) from None


async def end_sessions(request: web.Request, user_id: int, *, keep: str | None = None) -> int:
    """Log the user out everywhere (but the session ``keep``): browser sessions deleted, their sockets
    closed. Bearer tokens stop working with the account (they are checked against ``active``)."""
    async with request.app[SESSIONS].begin() as session:
        ids = [
            i
            for i in (await session.scalars(select(WebSession.id).where(WebSession.user_id == user_id))).all()
            if i != keep
        ]
        if ids:
            await session.execute(delete(WebSession).where(WebSession.id.in_(ids)))
    for session_id in ids:
        for close in request.app.get(SESSION_CLOSERS, []):
            await close(session_id)
    return len(ids)
