"""The flow language reference: its full example validates and every node type has an example."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from contact_center.flows.nodes import BUILDERS
from contact_center.flows.schema import parse_flow

DOC = Path(__file__).parents[3] / "docs" / "ivr-flows.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)


def test_the_complete_example_is_a_valid_flow() -> None:
    flow, problems = parse_flow(BLOCKS[0], "hello.yaml")
    assert problems == [] and flow is not None and flow.start == "welcome"


def test_every_node_type_has_a_parseable_example() -> None:
    kinds: set[str] = set()
    for block in BLOCKS[1:]:
        for node in yaml.safe_load(block).values():
            kinds.update(k for k in node if k in BUILDERS)
    assert kinds == set(BUILDERS)
