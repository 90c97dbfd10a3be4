"""Errors the CRM raises; only the web layer turns them into HTTP status codes."""

from __future__ import annotations

from dataclasses import dataclass


class NotFound(LookupError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"no {kind} {key}")
        self.kind = kind
        self.key = key


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


class ValidationFailed(ValueError):
    """Input that names fields the CRM cannot accept, each with the reason."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, reason: str) -> ValidationFailed:
        return cls([FieldError(field, reason)])


class Conflict(ValueError):
    """The write would break a uniqueness rule (a taken username, order number, …); ``record`` names the
    record it clashes with, when there is one to name ({"type": "customer", "id": 12})."""

    def __init__(self, message: str, record: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.record = record
