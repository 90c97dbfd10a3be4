"""Phone numbers in any common format, normalised to E.164 (the key caller lookup uses)."""

from __future__ import annotations

import re

import phonenumbers

_INTERNATIONAL_PREFIXES = ("00", "011")
_SEPARATORS = re.compile(r"[\s().\-/]")


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number we could dial; the message says why."""


def to_e164(raw: str, default_region: str = "US") -> str:
    """``(415) 555-0142``, ``+1 415 555 0142``, ``004420 7946 0000`` → ``+14155550142`` etc."""
    text = raw.strip()
    if not text:
        raise InvalidPhoneNumber("empty phone number")
    compact = _SEPARATORS.sub("", text)
    # "00"/"011" dialled from abroad mean "+"; phonenumbers only knows the default region's own prefix.
    for prefix in _INTERNATIONAL_PREFIXES:
        if compact.startswith(prefix) and len(compact) > len(prefix) + 6:
            text = "+" + compact[len(prefix) :]
            break
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{raw!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhoneNumber(f"{raw!r} has the wrong number of digits for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_e164(raw: str, default_region: str = "US") -> str | None:
    """The E.164 form, or None for anything unusable (an anonymous or garbled caller id)."""
    try:
        return to_e164(raw, default_region)
    except InvalidPhoneNumber:
        return None


def region_of(e164: str) -> str | None:
    """Two-letter region of an E.164 number (for time-zone and language guesses)."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None
