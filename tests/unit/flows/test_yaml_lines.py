from __future__ import annotations

import pytest

from contact_center.flows.yaml_lines import LineDict, LineList, YamlProblem, load_yaml


def test_mappings_and_lists_remember_their_lines() -> None:
    doc, duplicates = load_yaml("a: 1\nb:\n  c: x\nl:\n  - one\n  - two\n")
    assert isinstance(doc, LineDict) and doc == {"a": 1, "b": {"c": "x"}, "l": ["one", "two"]}
    assert (doc.line_of("a"), doc.line_of("b"), doc["b"].line_of("c")) == (1, 2, 3)
    assert isinstance(doc["l"], LineList) and doc["l"].item_lines == [5, 6]
    assert duplicates == []


def test_duplicate_keys_are_reported() -> None:
    _, duplicates = load_yaml("a: 1\nb: 2\na: 3\n")
    assert duplicates == [(3, "duplicate key 'a' (first on line 1)")]


def test_syntax_errors_carry_a_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml("a: [1, 2\nb: 3\n")
    assert caught.value.line >= 2 and "YAML syntax error" in caught.value.message
