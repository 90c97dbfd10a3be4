from __future__ import annotations

import pytest

from contact_center.domain.ivr.template import TemplateError, parse_template


def test_literal_text_renders_as_is_and_knows_it_is_literal() -> None:
    template = parse_template("Welcome to Acme.")
    assert template.render({}) == "Welcome to Acme."
    assert template.literal == "Welcome to Acme."
    assert template.names == ()


def test_variables_are_filled_in_and_missing_ones_are_empty() -> None:
    template = parse_template("Hello {customer.first_name}, order {order.number}.")
    assert template.names == ("customer.first_name", "order.number")
    assert template.literal is None
    assert template.render({"customer.first_name": "Ana", "order.number": "104521"}) == "Hello Ana, order 104521."
    assert template.render({}) == "Hello , order ."


def test_filters_speak_digits_weekdays_dates_and_words() -> None:
    values = {"n": "4521", "at": "2026-03-03T14:00:00+00:00", "s": "pending_customer"}
    assert parse_template("{n|digits}").render(values) == "4 5 2 1"
    assert parse_template("{at|weekday}, {at|date}").render(values) == "Tuesday, March 3"
    assert parse_template("{at|weekday}, {at|date}").render(values, "es") == "martes, 3 de marzo"
    assert parse_template("{at|date}").render(values, "de") == "3. März"
    assert parse_template("{s|words}").render(values) == "pending customer"


def test_filters_tolerate_missing_or_malformed_values() -> None:
    assert (
        parse_template("[{x|weekday}][{x|date}][{x|digits}]").render({"x": "not a date"}) == "[][][n o t   a   d a t e]"
    )
    assert parse_template("[{y|weekday}]").render({}) == "[]"


def test_booleans_and_numbers_render_as_words_and_digits() -> None:
    assert parse_template("{vip} {n}").render({"vip": True, "n": 7}) == "yes 7"


def test_double_braces_are_literal_braces() -> None:
    assert parse_template("{{not a field}}").render({}) == "{not a field}"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Hello {name", "unbalanced '{'"),
        ("Hello name}", "unbalanced '}'"),
        ("{1abc}", "is not a variable name"),
        ("{n|shout}", "unknown filter 'shout'"),
    ],
)
def test_bad_templates_are_refused_with_a_reason(source: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse_template(source)


def test_statuses_are_spoken_in_the_callers_language() -> None:
    t = parse_template("{case.status|status}")
    assert t.render({"case.status": "resolved"}, "es") == "resuelto"
    assert t.render({"case.status": "pending_customer"}, "en") == "waiting for your reply"
    assert t.render({"case.status": "on_hold"}, "es") == "on hold"  # unknown: its words
    assert t.render({"case.status": "open"}, "it") == "open"  # a language without a table speaks English
    assert t.render({}, "es") == ""
