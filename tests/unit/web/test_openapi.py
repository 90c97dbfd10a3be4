"""/api/openapi.json documents, for every CRM and auth route, what it takes and what it answers."""

from __future__ import annotations

from typing import Any

from contact_center.web import api_crm, auth
from contact_center.web.openapi import build_openapi

DOC = build_openapi([*auth.api.specs, *api_crm.api.specs], "test")
NO_BODY = {
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/kb/articles/{id}/retire"),
    ("post", "/api/v1/kb/articles/{id}/restore"),
}


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = DOC["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return found


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in DOC["paths"].items() for m, op in ops.items()]


def test_every_route_has_a_response_schema_and_writes_have_a_request_schema() -> None:
    for method, path, op in operations():
        [success] = [code for code in op["responses"] if code.startswith("2")]
        if success != "204":
            schema = op["responses"][success]["content"]["application/json"]["schema"]
            assert resolve(schema).get("properties"), (method, path)
        if method in ("post", "patch", "put") and (method, path) not in NO_BODY:
            body = op["requestBody"]["content"]["application/json"]["schema"]
            assert resolve(body).get("properties"), (method, path)
            assert "422" in op["responses"], (method, path)


def test_every_reference_resolves() -> None:
    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    names = set(DOC["components"]["schemas"])
    assert {ref.rsplit("/", 1)[1] for ref in refs(DOC)} <= names


def test_the_customer_360_is_described_field_by_field() -> None:
    op = DOC["paths"]["/api/v1/customers/{id}/360"]["get"]
    schema = resolve(op["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(schema["properties"]) == {
        "customer",
        "account",
        "activities",
        "open_cases",
        "open_opportunities",
        "recent_orders",
        "contracts",
        "equipment",
        "appointments",
    }
    assert schema["properties"]["activities"]["items"] == {"$ref": "#/components/schemas/ActivityOut"}
    phone = DOC["components"]["schemas"]["PhoneOut"]
    assert set(phone["properties"]) == {"number", "e164", "kind"}
    assert op["parameters"][0]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
