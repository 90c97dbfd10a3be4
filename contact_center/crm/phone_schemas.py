"""Phones as the API takes and shows them: any common format in, E.164 (as ``number`` and ``e164``) out."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from contact_center.crm.phones import InvalidPhoneNumber, to_e164

PhoneKind = Literal["mobile", "work", "home", "main", "fax", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhoneIn(Strict):
    """A number in any common format; ``e164`` is accepted (and ignored beside ``number``) so output is input."""

    number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    kind: PhoneKind = "mobile"
    e164: Annotated[str, StringConstraints(max_length=40)] | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _number_from_e164(cls, value: Any) -> Any:
        if isinstance(value, dict) and "number" not in value and value.get("e164"):
            return {**value, "number": value["e164"]}
        return value

    @model_validator(mode="after")
    def _dialable(self, info: ValidationInfo) -> PhoneIn:
        check_phone(self.number, info)
        return self


def check_phone(number: str, info: ValidationInfo) -> str:
    """The number in E.164 when the caller's context names the default region (``{"region": "US"}``).

    Checking here, during validation, puts a bad number in the same 422 as every other bad field;
    without a context the number is left for the CRM to normalise (and refuse) when it stores it.
    """
    region = (info.context or {}).get("region")
    if region is None:
        return number
    try:
        return to_e164(number, region)
    except InvalidPhoneNumber as exc:
        raise PydanticCustomError("phone_number", "{reason}", {"reason": str(exc)}) from None


class PhoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: str
    e164: str
    kind: str


def phones_before(value: Any) -> Any:
    # Plain strings are the common case: "(415) 555-0142".
    if isinstance(value, list):
        return [{"number": v} if isinstance(v, str) else v for v in value]
    return value
