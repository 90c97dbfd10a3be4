from __future__ import annotations

import pytest

from contact_center.domain.ivr.conditions import ConditionError, parse_condition
from contact_center.domain.ivr.template import Variables

VARS: Variables = {
    "customer.vip": True,
    "customer.id": 12,
    "order.status": "shipped",
    "digits": "4521",
    "empty": "",
    "zero": 0,
    "padded": " 07",
    "negative": "-3",
    "fraction": ".5",
    "word": "nan",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("customer.vip", True),
        ("missing", False),
        ("empty", False),
        ("zero", False),
        ("not missing", True),
        ('order.status == "shipped"', True),
        ("order.status != 'shipped'", False),
        ("digits == 4521", True),  # collected digits are text; numbers compare as numbers
        ("digits > 4000 and digits <= 4521", True),
        ("customer.id < 10", False),
        ('order.status in ["pending", "shipped"]', True),
        ('order.status not in ["pending", "shipped"]', False),
        ("missing or customer.vip", True),
        ("(missing or customer.vip) and not customer.vip", False),
        ("customer.vip == true", True),
        ("missing == null", True),
        ("order.status > 5", False),  # text against a number: never true, never an error
        ('"b" > "a"', True),
        ("padded == 7", True),  # text that reads as a number, whatever its sign, padding or point
        ("negative < 0", True),
        ("fraction == 0.5", True),
        ("word == word", True),
        ("word > 1", False),  # "nan" and "inf" are words here, not numbers
    ],
)
def test_conditions_evaluate_over_variables(source: str, expected: bool) -> None:
    assert parse_condition(source).holds(VARS) is expected


def test_a_condition_knows_the_variables_it_reads() -> None:
    assert parse_condition('customer.vip and order.status == "x"').names == {"customer.vip", "order.status"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty condition"),
        ("a ==", "ends too early"),
        ("a b", "unexpected 'b'"),
        ("a == $", "cannot read"),
        ("a in [b]", "lists hold literals only"),
        ("(a", "ends too early"),
        ("a in [1 2]", "expected ',' or ']'"),
        ("and", "unexpected 'and'"),
    ],
)
def test_bad_conditions_are_refused_with_a_reason(source: str, message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        parse_condition(source)
