"""Templated prompt text: ``"Your order {order.number|digits} shipped on {order.shipped_at|weekday}"``.

A template is parsed once when the flow loads; rendering is a join over literal
parts and variable look-ups, so speaking a variable costs microseconds. A missing
variable renders as an empty string: prompts must never crash a call.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Value = str | int | float | bool | None
Variables = Mapping[str, Value]

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")

WEEKDAY_NAMES: Mapping[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}

MONTH_NAMES: Mapping[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}
_DATE_FORMS: Mapping[str, str] = {
    "en": "{month} {day}",
    "es": "{day} de {month}",
    "de": "{day}. {month}",
    "fr": "{day} {month}",
}


# Case and order statuses as a caller should hear them; anything else is spoken as its words.
STATUS_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "new": "new",
        "open": "open",
        "pending_customer": "waiting for your reply",
        "resolved": "resolved",
        "closed": "closed",
        "pending": "pending",
        "processing": "being prepared",
        "shipped": "shipped",
        "delivered": "delivered",
        "cancelled": "cancelled",
        "returned": "returned",
    },
    "es": {
        "new": "nuevo",
        "open": "abierto",
        "pending_customer": "pendiente de su respuesta",
        "resolved": "resuelto",
        "closed": "cerrado",
        "pending": "pendiente",
        "processing": "en preparación",
        "shipped": "enviado",
        "delivered": "entregado",
        "cancelled": "cancelado",
        "returned": "devuelto",
    },
    "de": {
        "new": "neu",
        "open": "offen",
        "pending_customer": "wartet auf Ihre Antwort",
        "resolved": "gelöst",
        "closed": "geschlossen",
        "pending": "ausstehend",
        "processing": "in Bearbeitung",
        "shipped": "versandt",
        "delivered": "zugestellt",
        "cancelled": "storniert",
        "returned": "zurückgesandt",
    },
    "fr": {
        "new": "nouveau",
        "open": "ouvert",
        "pending_customer": "en attente de votre réponse",
        "resolved": "résolu",
        "closed": "fermé",
        "pending": "en attente",
        "processing": "en préparation",
        "shipped": "expédié",
        "delivered": "livré",
        "cancelled": "annulé",
        "returned": "retourné",
    },
}


class TemplateError(ValueError):
    """A template that cannot be parsed (unbalanced brace, bad name, unknown filter)."""


def _as_date(value: Value) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _digits(value: Value, _language: str) -> str:
    return " ".join(str(value)) if value not in (None, "") else ""


def _weekday(value: Value, language: str) -> str:
    day = _as_date(value)
    if day is None:
        return ""
    return WEEKDAY_NAMES.get(language, WEEKDAY_NAMES["en"])[day.weekday()]


def _date(value: Value, language: str) -> str:
    """A spoken date without the year: "March 3", "3 de marzo"."""
    day = _as_date(value)
    if day is None:
        return ""
    language = language if language in MONTH_NAMES else "en"
    return _DATE_FORMS[language].format(month=MONTH_NAMES[language][day.month - 1], day=day.day)


def _words(value: Value, _language: str) -> str:
    # "pending_customer" is spoken as "pending customer".
    return "" if value is None else str(value).replace("_", " ")


def _status(value: Value, language: str) -> str:
    """A status in the caller's language: "resolved" is "resuelto" in Spanish."""
    words = STATUS_WORDS.get(language, STATUS_WORDS["en"])
    return words.get(str(value), "") or _words(value, language)


FILTERS: Mapping[str, Callable[[Value, str], str]] = {
    "digits": _digits,
    "weekday": _weekday,
    "date": _date,
    "words": _words,
    "status": _status,
}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    filter: Callable[[Value, str], str] | None


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    parts: tuple[str | Field, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts if isinstance(p, Field))

    @property
    def literal(self) -> str | None:
        """The text itself when there is nothing to fill in."""
        if not self.parts:
            return ""
        return self.parts[0] if len(self.parts) == 1 and isinstance(self.parts[0], str) else None

    def render(self, variables: Variables, language: str = "en") -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = variables.get(part.name)
            if part.filter is not None:
                out.append(part.filter(value, language))
            elif value is None:
                out.append("")
            elif isinstance(value, bool):
                out.append("yes" if value else "no")
            else:
                out.append(str(value))
        return "".join(out)


def parse_template(source: str) -> Template:
    """Parse ``{name}`` / ``{name|filter}`` fields; ``{{`` and ``}}`` are literal braces."""
    parts: list[str | Field] = []
    pos = 0
    for match in _FIELD.finditer(source):
        if match.start() > pos:
            parts.append(source[pos : match.start()])
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
        elif token in ("{", "}"):
            raise TemplateError(f"unbalanced {token!r} in {source!r} (write {token * 2} for a literal brace)")
        else:
            parts.append(_field(match.group(1).strip(), source))
        pos = match.end()
    if pos < len(source):
        parts.append(source[pos:])
    merged: list[str | Field] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return Template(source, tuple(merged))


def _field(body: str, source: str) -> Field:
    name, _, filter_name = (s.strip() for s in body.partition("|"))
    if not NAME.match(name):
        raise TemplateError(f"{{{body}}} in {source!r} is not a variable name")
    if not filter_name:
        return Field(name, None)
    if filter_name not in FILTERS:
        raise TemplateError(f"unknown filter {filter_name!r} in {source!r} (known: {', '.join(sorted(FILTERS))})")
    return Field(name, FILTERS[filter_name])
