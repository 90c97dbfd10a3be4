"""Route declarations that also feed the OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    role: str | None  # None: no login needed
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    many: bool = False
    status: int = 200
    query: tuple[str, ...] = field(default_factory=tuple)
    changes: type[BaseModel] | None = None  # a PATCH body: any of this model's fields, each replacing the stored one
    required: tuple[str, ...] = field(default_factory=tuple)  # the query parameters a request must give


class Api:
    """Collects route specs; ``install`` adds them to an app."""

    def __init__(self) -> None:
        self.specs: list[RouteSpec] = []

    def route(
        self,
        method: str,
        path: str,
        summary: str,
        *,
        tag: str,
        role: str | None = "agent",
        body: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        many: bool = False,
        status: int = 200,
        query: tuple[str, ...] = (),
        changes: type[BaseModel] | None = None,
        required: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            spec = RouteSpec(
                method, path, handler, summary, tag, role, body, response, many, status, query, changes, required
            )
            self.specs.append(spec)
            handler.__route_role__ = role  # type: ignore[attr-defined]
            return handler

        return add

    def install(self, app: web.Application) -> None:
        for spec in self.specs:
            app.router.add_route(spec.method, spec.path, spec.handler)


def required_role(handler: Any) -> str | None:
    return getattr(handler, "__route_role__", "admin")
