"""Branch conditions: a small, safe expression language over flow variables.

    customer.vip
    order.status == "shipped" and not order.carrier == ""
    case.status in ["resolved", "closed"]
    attempts >= 3 or (language != "en" and customer.id)

A bare name is true when the variable is set and not empty, zero or false.
Comparisons between a number and a string of digits compare as numbers, because
collected digits arrive as strings. Expressions are compiled to closures once,
when the flow loads; evaluation never raises.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contact_center.domain.ivr.template import Value, Variables

Evaluator = Callable[[Variables], Value]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>\"[^\"]*\"|'[^']*')|(?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))"
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
_LITERALS: dict[str, Value] = {"true": True, "false": False, "null": None}


class ConditionError(ValueError):
    """A condition that cannot be parsed."""


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    names: frozenset[str]
    evaluate: Evaluator

    def holds(self, variables: Variables) -> bool:
        return truthy(self.evaluate(variables))


def truthy(value: Value) -> bool:
    return value is not None and value is not False and value != "" and value != 0


def _number(value: Value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        # Most compared strings are words ("en", "shipped"): skip float()'s costly ValueError for them.
        head = value.lstrip()[:1]
        if not head or not (head.isdigit() or head in "+-."):
            return None
    try:
        return float(value)
    except ValueError:
        return None


def equal(a: Value, b: Value) -> bool:
    if a == b:
        return True
    na, nb = _number(a), _number(b)
    return na is not None and na == nb


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _order(op: str, a: Value, b: Value) -> bool:
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return _COMPARE[op](na, nb)
    if isinstance(a, str) and isinstance(b, str):
        return _COMPARE[op](a, b)
    return False


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens: list[tuple[str, str]] = []
        pos, text = 0, source.rstrip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise ConditionError(f"cannot read {text[pos:].strip()!r} in condition {source!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.pos = 0
        self.names: set[str] = set()

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ConditionError(f"condition {self.source!r} ends too early")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ConditionError(f"expected {expected!r} but found {token[1]!r} in condition {self.source!r}")
        self.pos += 1
        return token

    def parse(self) -> Evaluator:
        if not self.tokens:
            raise ConditionError("empty condition")
        result = self.or_()
        if self.pos != len(self.tokens):
            raise ConditionError(f"unexpected {self.peek()!r} in condition {self.source!r}")
        return result

    def or_(self) -> Evaluator:
        left = self.and_()
        while self.peek() == "or":
            self.take()
            left = (lambda a, b: lambda v: truthy(a(v)) or truthy(b(v)))(left, self.and_())
        return left

    def and_(self) -> Evaluator:
        left = self.not_()
        while self.peek() == "and":
            self.take()
            left = (lambda a, b: lambda v: truthy(a(v)) and truthy(b(v)))(left, self.not_())
        return left

    def not_(self) -> Evaluator:
        if self.peek() == "not":
            self.take()
            inner = self.not_()
            return lambda v: not truthy(inner(v))
        return self.comparison()

    def comparison(self) -> Evaluator:
        left = self.operand()
        op = self.peek()
        if op in ("==", "!="):
            self.take()
            right = self.operand()
            if op == "==":
                return lambda v: equal(left(v), right(v))
            return lambda v: not equal(left(v), right(v))
        if op in ("<", "<=", ">", ">="):
            self.take()
            right, compare = self.operand(), op
            return lambda v: _order(compare, left(v), right(v))
        negate = False
        if op == "not" and self.pos + 1 < len(self.tokens) and self.tokens[self.pos + 1][1] == "in":
            self.take()
            negate = True
            op = "in"
        if op == "in":
            self.take()
            options = self.literal_list()
            return lambda v: negate != any(equal(left(v), o) for o in options)
        return left

    def literal_list(self) -> tuple[Value, ...]:
        self.take("[")
        items: list[Value] = []
        while self.peek() != "]":
            kind, text = self.take()
            if kind == "num":
                items.append(float(text) if "." in text else int(text))
            elif kind == "str":
                items.append(text[1:-1])
            elif text in _LITERALS:
                items.append(_LITERALS[text])
            else:
                raise ConditionError(f"lists hold literals only, found {text!r} in condition {self.source!r}")
            if self.peek() == ",":
                self.take()
            elif self.peek() != "]":
                raise ConditionError(f"expected ',' or ']' in condition {self.source!r}")
        self.take("]")
        return tuple(items)

    def operand(self) -> Evaluator:
        kind, text = self.take()
        if text == "(":
            inner = self.or_()
            self.take(")")
            return inner
        if kind == "num":
            number: Value = float(text) if "." in text else int(text)
            return lambda _v: number
        if kind == "str":
            literal = text[1:-1]
            return lambda _v: literal
        if text in _LITERALS:
            constant = _LITERALS[text]
            return lambda _v: constant
        if kind == "name" and text not in _KEYWORDS:
            self.names.add(text)
            return lambda v: v.get(text)
        raise ConditionError(f"unexpected {text!r} in condition {self.source!r}")


def parse_condition(source: str) -> Condition:
    parser = _Parser(source)
    evaluate = parser.parse()
    return Condition(source, frozenset(parser.names), evaluate)
