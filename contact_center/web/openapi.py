"""/api/openapi.json, built from the same route specs that register the handlers."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from contact_center.crm.records import MAX_ID, MAX_PAGE
from contact_center.services.routing.reports import OUTCOMES
from contact_center.web.api_routing import MAX_LIMIT as CALLS_LIMIT
from contact_center.web.errors import MAX_QUERY_TEXT
from contact_center.web.routing import RouteSpec

NO_NUL = "^[^\\u0000]*$"  # the server refuses NUL in any text (web/errors.py)
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}},
        },
    },
}


def build_openapi(specs: list[RouteSpec], version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}

    def ref(model: type[BaseModel]) -> dict[str, str]:
        schema = _as_served(model.model_json_schema(ref_template="#/components/schemas/{model}"))
        for name, sub in schema.pop("$defs", {}).items():
            schemas[name] = sub
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    for spec in specs:
        operation: dict[str, Any] = {
            "summary": spec.summary,
            "tags": [spec.tag],
            "operationId": spec.handler.__name__.strip("_") + "_" + re.sub(r"\W+", "_", spec.path).strip("_"),
            "responses": {
                "400": _error("a body that is not a JSON object, or a query with characters no text holds"),
                "401": _error("not logged in"),
                "403": _error("missing role or CSRF token"),
            },
        }
        if spec.method != "GET":
            operation["responses"]["409"] = _error("the record or the call has moved on (or would be a duplicate)")
            operation["responses"]["413"] = _error("the body is too large")
            operation["responses"]["415"] = _error("the body is not application/json")
        if spec.role is None:
            operation["responses"]["429"] = _error("too many tries: wait the Retry-After seconds")
        if spec.role is None:
            operation["security"] = []
        else:
            operation["x-required-role"] = spec.role
        path_names = re.findall(r"{(\w+)}", spec.path)
        params = [{"name": p, "in": "path", "required": True, "schema": _path_schema(p, spec.path)} for p in path_names]
        params += [
            {
                "name": q,
                "in": "query",
                "required": q in spec.required,
                "schema": _query_schema(q, spec.path),
            }
            for q in spec.query
        ]
        if spec.query or path_names:
            operation["responses"]["422"] = _error("path or query parameters that are not valid, each with the reason")
        if params:
            operation["parameters"] = params
        if spec.changes is not None:  # a PATCH: the model's fields, none of them required
            name = f"{spec.changes.__name__}Changes"
            ref(spec.changes)
            schemas[name] = {k: v for k, v in schemas[spec.changes.__name__].items() if k != "required"}
            schemas[name]["title"] = name
            body_schema = {"$ref": f"#/components/schemas/{name}"}
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
        if spec.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(spec.body)}}}
        if spec.body is not None or spec.changes is not None:
            operation["responses"]["400"] = _error("the body is not a JSON object")
            operation["responses"]["422"] = _error("fields that are not valid, each with the reason")
        success: dict[str, Any] = {"description": "OK"}
        if spec.response is not None:
            item = ref(spec.response)
            body = (
                {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": item},
                        "next_cursor": {"type": ["string", "null"]},
                    },
                }
                if spec.many
                else item
            )
            success["content"] = {"application/json": {"schema": body}}
        operation["responses"][str(spec.status)] = success
        if "{" in spec.path:
            operation["responses"]["404"] = _error("no such record")
        paths.setdefault(spec.path, {})[spec.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Contact center CRM API", "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "cc_session"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }


def _as_served(schema: Any) -> Any:
    """What the server refuses beyond what pydantic writes: a key a mapping's rule does not allow
    (``dict[Key, int]``: pydantic writes only ``patternProperties``), and NUL in any text."""
    if isinstance(schema, dict):
        if "patternProperties" in schema and "properties" not in schema:
            schema.setdefault("additionalProperties", False)
        if schema.get("type") == "string" and not {"pattern", "enum", "const", "format"} & schema.keys():
            schema["pattern"] = NO_NUL
        for value in list(schema.values()):
            _as_served(value)
    elif isinstance(schema, list):
        for value in schema:
            _as_served(value)
    return schema


# What each path part may be, as the handlers check it (a part that breaks the rule is a 404 or a 422).
_KEY = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"  # queues, calendars, skills, teams, campaigns, dispositions
_PATH_PATTERNS = {
    "username": "^[\\w.-]{1,64}$",
    "group": "^(queues|agents|teams)$",
    "call_id": "^[^\\u0000/]{1,200}$",  # ours (uuid-like) or a SIP Call-ID (may hold an @)
}


def _path_schema(name: str, path: str) -> dict[str, Any]:
    """Record ids (``id``, ``*_id`` but a call's) are whole numbers; names follow their rule."""
    if name == "n":
        return {"type": "integer", "minimum": 0, "maximum": 10_000}
    if name == "id" or (name.endswith("_id") and name != "call_id"):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if name == "name" and path.startswith("/api/v1/flows/"):
        return {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"}  # it names the flow's file
    if name == "name" and path.startswith("/api/v1/contract-tiers/"):
        return {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,31}$"}  # crm/contract_tiers.TierName
    return {"type": "string", "pattern": _PATH_PATTERNS.get(name, _KEY)}


# Query parameters as the handlers read them: one meaning per name across the API (checked by the
# battery, tests/integration/api/test_fuzz_battery.py), a few by route.
# A day from 1970 to 2999 (web/errors.py, query_day): a real date of one of those years.
_DATE = {"type": "string", "format": "date", "pattern": "^(19[7-9][0-9]|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"}
_QUERY_ENUMS: dict[str, tuple[str, ...]] = {
    "state": ("open", "all"),  # alerts
    "retired": ("true", "false"),
    "open": ("true", "false"),
    "breached": ("true", "false"),
    "window": ("15m", "30m", "60m", "today"),
    "format": ("json", "csv"),
    "by": ("owner", "product_group"),
    "outcome": OUTCOMES,
}


def _query_schema(name: str, path: str) -> dict[str, Any]:
    """Record ids and page sizes are whole numbers, choices are listed, days are YYYY-MM-DD; the rest is
    text (never a NUL: the server refuses it)."""
    if name == "interaction_id":  # a call's id: text
        return {"type": "string", "pattern": NO_NUL, "maxLength": MAX_QUERY_TEXT}
    if name.endswith("_id") or name == "escalation_level":
        return {"type": "integer", "minimum": 0 if name == "escalation_level" else 1, "maximum": MAX_ID}
    if name == "limit":  # a page of a list (records.MAX_PAGE), or the calls behind a figure (all at once)
        most = CALLS_LIMIT if path == "/api/v1/metrics/calls" else MAX_PAGE
        return {"type": "integer", "minimum": 1, "maximum": most}
    if name == "cursor":
        return {"type": "string", "pattern": "^([1-9][0-9]{0,8})?$"}  # a previous page's next_cursor (or none)
    if name == "hours":
        return {"type": "number", "exclusiveMinimum": 0, "maximum": 744}
    if name == "minutes":  # a field visit's length (domain/service/scheduling.py): whole quarter hours
        return {"type": "integer", "minimum": 15, "maximum": 600, "multipleOf": 15}
    if name == "skill":  # what a field visit needs: a technician's skill
        return {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^\\u0000]*\\S[^\\u0000]*$"}
    if name == "days":  # how far ahead appointment slots are offered (crm/scheduling.MAX_DAYS)
        return {"type": "integer", "minimum": 1, "maximum": 62}
    if name == "group":
        return {"type": "string", "enum": ["queue", "agent", "team"]}
    if name in _QUERY_ENUMS:
        return {"type": "string", "enum": list(_QUERY_ENUMS[name])}
    if name == "date" or (name in ("from", "to") and not path.startswith("/api/v1/metrics/")):
        return _DATE
    if name in ("from", "to"):  # the calls behind a figure: instants
        return {"type": "string", "format": "date-time", "maxLength": MAX_QUERY_TEXT}
    return {"type": "string", "pattern": NO_NUL, "maxLength": MAX_QUERY_TEXT}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_handler(specs: list[RouteSpec], version: str) -> Any:
    document = build_openapi(specs, version)

    async def handler(_request: web.Request) -> web.Response:
        return web.json_response(document)

    return handler
