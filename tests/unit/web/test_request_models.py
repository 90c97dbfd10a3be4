"""Whatever JSON a client sends, a request model either accepts it or names what is wrong: never a crash.

Every body model behind a route is fed arbitrary JSON (its own field names, wrong types, out-of-range
dates and numbers, deep nesting) and must answer a validated object or a ValidationError; what it
accepts must dump back to JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from contact_center.web.api_admin import api as admin_api
from contact_center.web.api_caller_simulator import api as simulator_api
from contact_center.web.api_crm import api as crm_api
from contact_center.web.api_recordings import api as recordings_api
from contact_center.web.api_routing import api as routing_api
from contact_center.web.auth import api as auth_api

BODIES: dict[str, type[BaseModel]] = {
    f"{spec.method} {spec.path}": spec.body
    for api in (auth_api, crm_api, routing_api, simulator_api, recordings_api, admin_api)
    for spec in api.specs
    if spec.body is not None
}

EDGE_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "9999-12-31",
        "0001-01-01",
        "2026-02-30",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "+1 415 555 0142",
        "00",
        "+",
        "x" * 400,
        "é\u200b",
        "null",
        "../../etc/passwd",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | EDGE_STRINGS
)


def _values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=20,
    )


def _choices(schema: dict[str, Any]) -> list[Any]:
    """The enum and const values a field's JSON schema names, so generated bodies get past the type gate."""
    found = list(schema.get("enum", [])) + ([schema["const"]] if "const" in schema else [])
    for part in schema.get("anyOf", []) + schema.get("allOf", []):
        found += _choices(part)
    return found


def _bodies(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    schema = model.model_json_schema()
    fields = list(model.model_fields)
    keys = st.sampled_from(fields) | st.text(max_size=12) if fields else st.text(max_size=12)
    anything = _values(keys)

    def value(name: str) -> st.SearchStrategy[Any]:
        choices = _choices(schema.get("properties", {}).get(name, {}))
        # Mostly scalars, often the edges; a field with named choices mostly gets one of them.
        usual = st.one_of(EDGE_STRINGS, SCALARS, anything)
        return st.one_of(st.sampled_from(choices), st.sampled_from(choices), usual) if choices else usual

    required = {name: value(name) for name, info in model.model_fields.items() if info.is_required()}
    optional = {name: value(name) for name in fields if name not in required}
    known = st.fixed_dictionaries(required, optional=optional)
    unknown = st.dictionaries(st.text(max_size=12), anything, max_size=2)
    return st.one_of(known, known, st.builds(lambda a, b: {**b, **a}, known, unknown))


@pytest.mark.parametrize("route", sorted(BODIES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_request_model_accepts_or_names_the_problem(route: str, data: st.DataObject) -> None:
    model = BODIES[route]
    body = data.draw(_bodies(model))
    try:
        parsed = model.model_validate(body, context={"region": "US"})
    except ValidationError as exc:
        assert all(e["loc"] or e["msg"] for e in exc.errors())
        return
    json.dumps(parsed.model_dump(mode="json"))
    for value in _leaves(parsed.model_dump()):
        if isinstance(value, dt.date):  # what storage and the SLA clocks do with it must not overflow
            shifted = value + dt.timedelta(days=400) - dt.timedelta(days=800)
            if isinstance(value, dt.datetime):
                cast(dt.datetime, shifted).astimezone(dt.UTC)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
