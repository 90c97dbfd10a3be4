"""One builder per node type: YAML mapping in, domain node out, problems recorded on the way.

This module holds the nodes that continue the flow and the table of all builders;
``end_nodes`` holds those that end it or leave it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.conditions import ConditionError, parse_condition
from contact_center.domain.ivr.template import NAME, Template, Value
from contact_center.flows.end_nodes import (
    callback,
    goto,
    hangup,
    queue,
    return_,
    static_text,
    subflow,
    transfer,
    voicemail,
)
from contact_center.flows.reader import NodeReader
from contact_center.flows.yaml_lines import LineDict, LineList

MENU_KEYS = frozenset("0123456789*#")
# (kind, by) -> the variable that holds the key by default.
LOOKUPS: dict[tuple[str, str], str] = {
    ("customer", "phone"): "caller",
    ("customer", "id"): "account_number",
    ("customer", "order"): "order_number",
    ("customer", "case"): "case_number",
    ("order", "number"): "order_number",
    ("order", "customer"): "customer.id",
    ("case", "number"): "case_number",
    ("account_manager", "customer"): "customer.id",
    ("contract", "customer"): "customer.id",
    ("equipment", "serial"): "serial",
    ("equipment", "customer"): "customer.id",
    ("visit", "customer"): "customer.id",
}
DEFAULT_BY = {
    "customer": "phone",
    "order": "number",
    "case": "number",
    "account_manager": "customer",
    "contract": "customer",
    "equipment": "serial",
    "visit": "customer",
}
ASK_KEYS = ("invalid", "no_input", "retries", "timeout", "fallback")
END_KEYS = ("say",)


def _ask(r: NodeReader) -> dict[str, Any]:
    return {
        "prompt": r.required_prompt(r.kind),
        "invalid": r.prompt("invalid", required=False),
        "no_input": r.prompt("no_input", required=False),
        "retries": r.number("retries", 2, 0, 10),
        "timeout": r.number("timeout", 5, 1, 60, whole=False),
        "fallback": r.target("fallback"),
    }


def say(r: NodeReader) -> m.Node:
    return m.Say(id=r.id, line=r.line(), prompt=r.required_prompt("say"), next=r.target("next"))


def menu(r: NodeReader) -> m.Node:
    options: dict[str, str] = {}
    raw = r.data.get("options")
    if not isinstance(raw, dict) or not raw:
        r.error("options" if "options" in r.data else None, "a menu needs 'options': a mapping of key to node")
    else:
        written: dict[str, Any] = {}  # key as pressed -> key as written, to catch `1` and "1" together
        for key, target in raw.items():
            digit = str(key)
            line = raw.line_of(key) if isinstance(raw, LineDict) else r.line("options")
            if digit not in MENU_KEYS:
                r.context.error(line, f"menu node {r.id!r}: option {key!r} is not a phone key (0-9, * or #)")
            elif digit in written:
                r.context.error(
                    line, f"menu node {r.id!r}: option {digit!r} is given twice (as {written[digit]!r} and {key!r})"
                )
            elif not isinstance(target, str) or not target:
                r.context.error(line, f"menu node {r.id!r}: option {digit!r} must name a node, got {target!r}")
            if digit in MENU_KEYS and digit not in written:
                written[digit] = key
                if isinstance(target, str) and target:
                    options[digit] = target
    into = r.name("into", required=False) or None
    return m.Menu(id=r.id, line=r.line(), options=options, into=into, **_ask(r))


def collect(r: NodeReader) -> m.Node:
    low = r.number("min_length", 1, 1, 32)
    high = r.number("max_length", max(low, 20), 1, 32)
    if low > high:
        r.error("min_length", f"min_length {low} is greater than max_length {high}")
    terminator = r.raw("terminator") if "terminator" in r.data or "terminator" in r.context.defaults else "#"
    if terminator not in ("#", "*", None):
        r.error("terminator", f"terminator must be '#', '*' or null, got {terminator!r}")
        terminator = "#"
    pattern = None
    if r.raw("pattern") is not None:
        try:
            pattern = re.compile(str(r.raw("pattern")))
        except re.error as exc:
            r.error("pattern", f"pattern {r.raw('pattern')!r} is not a regular expression: {exc}")
    return m.Collect(
        id=r.id,
        line=r.line(),
        into=r.name("into", required=True),
        min_length=low,
        max_length=high,
        terminator=terminator,
        inter_digit_timeout=r.number("inter_digit_timeout", 3, 1, 30, whole=False),
        pattern=pattern,
        next=r.target("next"),
        **_ask(r),
    )


def lookup(r: NodeReader) -> m.Node:
    kind = r.data.get("lookup")
    if kind not in DEFAULT_BY:
        r.error("lookup", f"cannot look up {kind!r} (known: {', '.join(DEFAULT_BY)})")
        kind = "customer"
    by = r.data.get("by", DEFAULT_BY[kind])
    source = LOOKUPS.get((kind, by))
    if source is None:
        ways = ", ".join(b for k, b in LOOKUPS if k == kind)
        r.error("by", f"cannot look up {kind!r} by {by!r} (by: {ways})")
        source = ""
    return m.Lookup(
        id=r.id,
        line=r.line(),
        kind=kind,
        by=str(by),
        source=r.name("from", required=False, default=source),
        into=r.name("into", required=False, default=kind),
        found=r.target("found"),
        not_found=r.target("not_found"),
        error=r.target("error", default=r.target("not_found", required=False)),
    )


def branch(r: NodeReader) -> m.Node:
    raw = r.data.get("branch")
    cases: list[tuple[Any, str]] = []
    if not isinstance(raw, LineList) or not raw:
        r.error("branch", "'branch' must be a list of {if: CONDITION, then: NODE}")
        raw = LineList()
    for index, item in enumerate(raw):
        line = raw.line_of(index)
        if not isinstance(item, dict) or set(item) != {"if", "then"}:
            r.context.error(line, f"branch node {r.id!r}: each case needs exactly 'if' and 'then', got {item!r}")
            continue
        try:
            condition = parse_condition(str(item["if"]).lower() if isinstance(item["if"], bool) else str(item["if"]))
        except ConditionError as exc:
            r.context.error(line, f"branch node {r.id!r}: {exc}")
            continue
        if not isinstance(item["then"], str):
            r.context.error(line, f"branch node {r.id!r}: 'then' must be a node id, got {item['then']!r}")
            continue
        cases.append((condition, item["then"]))
    return m.Branch(id=r.id, line=r.line(), cases=tuple(cases), otherwise=r.target("else"))


def hours(r: NodeReader) -> m.Node:
    calendar = r.data.get("hours")
    if not isinstance(calendar, str) or not calendar:
        r.error("hours", f"'hours' must name a calendar, got {calendar!r}")
        calendar = ""
    closed = r.target("closed")
    return m.Hours(
        id=r.id,
        line=r.line(),
        calendar=calendar,
        open=r.target("open"),
        closed=closed,
        holiday=r.target("holiday", default=closed or None),
    )


def set_(r: NodeReader) -> m.Node:
    raw = r.data.get("set")
    values: dict[str, Template | Value] = {}
    if not isinstance(raw, dict) or not raw:
        r.error("set", "'set' must be a mapping of variable name to value")
        raw = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not NAME.match(name):
            r.error("set", f"{name!r} is not a variable name")
        elif isinstance(value, str):
            values[name] = static_text(r.template("set", value))
        elif value is None or isinstance(value, bool | int | float):
            values[name] = value
        else:
            r.error("set", f"variable {name!r} must be text, a number, true/false or null, got {value!r}")
    return m.SetVars(id=r.id, line=r.line(), values=values, next=r.target("next"))


BUILDERS: dict[str, tuple[Callable[[NodeReader], m.Node], tuple[str, ...]]] = {
    "say": (say, ("next",)),
    "menu": (menu, ("options", "into", *ASK_KEYS)),
    "collect": (
        collect,
        ("into", "min_length", "max_length", "terminator", "inter_digit_timeout", "pattern", "next", *ASK_KEYS),
    ),
    "lookup": (lookup, ("by", "from", "into", "found", "not_found", "error")),
    "branch": (branch, ("else",)),
    "hours": (hours, ("open", "closed", "holiday")),
    "set": (set_, ("next",)),
    "queue": (queue, ("priority", "skills", "agent", "data", *END_KEYS)),
    "callback": (callback, ("number", "priority", "skills", *END_KEYS)),
    "voicemail": (voicemail, ("prompt", "max_seconds", *END_KEYS)),
    "transfer": (transfer, END_KEYS),
    "goto": (goto, ()),
    "subflow": (subflow, ("next",)),
    "return": (return_, ()),
    "hangup": (hangup, ()),
}
