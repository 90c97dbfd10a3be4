"""The one place where domain and CRM errors become HTTP answers (JSON, naming fields and reasons)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel, ValidationError

from contact_center.crm.errors import Conflict, FieldError, NotFound, ValidationFailed
from contact_center.crm.json_shape import MAX_BODY_DEPTH, json_depth
from contact_center.crm.records import MAX_ID, parse_id
from contact_center.log_limits import ThrottledLog
from contact_center.web.keys import SETTINGS
from contact_center.web.routing import Handler

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
MAX_QUERY_TEXT = 200  # characters in one query parameter (openapi.py documents it on each)


def error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": code, "message": message, **extra}, status=status)


def _field_errors(errors: Any) -> list[dict[str, str]]:
    out = []
    for e in errors:
        loc = ".".join(str(p) for p in e["loc"]) or "body"
        out.append({"field": loc, "reason": e["msg"]})
    return out


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if "\x00" in request.query_string or "%00" in request.query_string:
        return error(400, "bad_query", "the query string may not contain NUL characters")
    long = [name for name, value in request.query.items() if len(value) > MAX_QUERY_TEXT]
    if long:  # a search, a filter or an id: none is this long, and the document says so
        errors = [{"field": name, "reason": f"at most {MAX_QUERY_TEXT} characters"} for name in long]
        return error(422, "validation_failed", "some fields are not valid", errors=errors)
    try:
        return await handler(request)
    except ValidationError as exc:
        return error(422, "validation_failed", "some fields are not valid", errors=_field_errors(exc.errors()))
    except ValidationFailed as exc:
        errors = [{"field": e.field, "reason": e.reason} for e in exc.errors]
        return error(422, "validation_failed", "some fields are not valid", errors=errors)
    except NotFound as exc:
        return error(404, "not_found", str(exc))
    except Conflict as exc:
        return error(409, "conflict", str(exc), **({"duplicate_of": exc.record} if exc.record else {}))
    except web.HTTPException as exc:
        if exc.content_type == "application/json" or exc.status < 400:
            raise
        answer = error(exc.status, exc.reason.lower().replace(" ", "_"), exc.text or exc.reason)
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):  # what the status means needs these kept
            if name in exc.headers:
                answer.headers[name] = exc.headers[name]
        return answer
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error(500, "internal_error", "the server failed; the error was logged")


def _bad_json(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=json.dumps({"error": "bad_json", "message": message}), content_type="application/json"
    )


def _number(text: str) -> int | float:
    """``5.0`` is the integer 5 to JSON (and to JSON Schema): a whole-number field takes it."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) <= 2**53 else value


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The JSON object a request carries; malformed, over-deep or not an object is a 400."""
    raw = await request.read()
    try:
        data = json.loads(raw or b"null", parse_constant=_no_constants, parse_float=_number)
    except RecursionError:
        raise _bad_json(f"the body nests deeper than {MAX_BODY_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad_json(f"the body is not valid JSON: {exc}") from None
    if json_depth(data) > MAX_BODY_DEPTH:
        raise _bad_json(f"the body nests deeper than {MAX_BODY_DEPTH} levels")
    if b"\\u0000" in raw or b"\x00" in raw:
        # PostgreSQL text cannot hold NUL, and no field has a use for it.
        raise ValidationFailed.one("body", "text may not contain NUL (\\u0000) characters")
    if not isinstance(data, dict):
        raise _bad_json("the body must be a JSON object")
    return data


async def read_body(request: web.Request, model: type[M]) -> M:
    """Parse and validate a JSON body; malformed or over-deep JSON is a 400, bad fields a 422."""
    data = await read_json_object(request)
    # The region lets phone numbers be checked with the other fields, so one 422 names every bad field.
    return strictly(model, data, context={"region": request.app[SETTINGS].default_region})


def strictly(model: type[M], data: dict[str, Any], context: dict[str, Any] | None = None) -> M:
    """Validate a request's JSON as strictly as JSON is typed: a boolean is true or false (not 0 or "yes"),
    a number is a number (not "5" or false); dates and times are ISO 8601 text. What the OpenAPI document
    says, the server takes, and nothing else."""
    return model.model_validate_json(json.dumps(data), strict=True, context=context)


class QuietBadRequests(logging.Filter):
    """aiohttp logs every unparsable request (an over-long request line, a broken header) at ERROR with a
    traceback. They are the client's fault: one line at INFO, throttled, instead."""

    def __init__(self, window: float = 60.0) -> None:
        super().__init__()
        self.throttled = ThrottledLog(logging.getLogger("contact_center.http"), window)

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, HttpProcessingError):
            return True
        self.throttled.log(
            type(exc).__name__,
            logging.INFO,
            "refused a malformed HTTP request: %s",
            str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        )
        return False


def quiet_bad_requests() -> None:
    """Install ``QuietBadRequests`` on aiohttp's server logger, once per process."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, QuietBadRequests) for f in server_log.filters):
        server_log.addFilter(QuietBadRequests())


async def plain_server_header(request: web.Request, response: web.StreamResponse) -> None:
    """Name the product, not the Python and aiohttp versions an attacker would look up."""
    response.headers["Server"] = "contact-center"


def path_id(request: web.Request, name: str, what: str) -> int:
    """A record id from the route's path (1 to ``MAX_ID``), or a 422 naming it (``what``: "a user id")."""
    value = parse_id(request.match_info[name])
    if value is None:
        raise ValidationFailed.one(name, f"must be {what} (a whole number from 1 to {MAX_ID})")
    return value


# Days a query may name (reports, intervals, forecasts): the years the event log can hold; past these bounds
# date arithmetic overflows. The OpenAPI document says the same (openapi.py, QUERY_DAY).
FIRST_YEAR, LAST_YEAR = 1970, 2999


def query_day(request: web.Request, name: str, errors: list[FieldError], *, required: bool) -> dt.date | None:
    """A YYYY-MM-DD query parameter; a missing (when ``required``) or bad one is added to ``errors``."""
    raw = request.query.get(name)
    if raw is None:
        if required:
            errors.append(FieldError(name, "required, as YYYY-MM-DD"))
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(name, "use YYYY-MM-DD"))
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors.append(FieldError(name, f"use a year from {FIRST_YEAR} to {LAST_YEAR}"))
        return None
    return day


def query_period(
    request: web.Request, errors: list[FieldError], max_days: int | None = None
) -> tuple[dt.date, dt.date] | None:
    """``from`` and ``to`` (YYYY-MM-DD, both required, in order, at most ``max_days`` days apart counting both);
    what is wrong is added to ``errors`` and None returned."""
    first = query_day(request, "from", errors, required=True)
    last = query_day(request, "to", errors, required=True)
    if first is None or last is None:
        return None
    if last < first:
        errors.append(FieldError("to", "is before from"))
        return None
    if max_days is not None and (last - first).days >= max_days:
        errors.append(FieldError("to", f"at most {max_days} days after from"))
        return None
    return first, last


def query_int(request: web.Request, name: str, low: int, high: int, default: int, errors: list[FieldError]) -> int:
    """A whole-number query parameter from ``low`` to ``high`` (``default`` when absent); a bad one is added to
    ``errors``."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors.append(FieldError(name, f"must be a whole number from {low} to {high}"))
        return default
    return int(raw)
