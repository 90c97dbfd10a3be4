"""How deeply JSON nests: request bodies and free-form ``details`` are refused past a fixed depth."""

from __future__ import annotations

from typing import Any

# No request has a use for deeper JSON; deeper input only costs recursion in parsing, validation and storage.
MAX_BODY_DEPTH = 32
MAX_DETAILS_DEPTH = 8


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in item)
    return deepest
