"""Building flows by hand for interpreter tests: no YAML, only the domain.

Tests take the ``kit`` fixture, which is this module (its helpers, without import tricks).
"""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.actions import Action, FlowEnd, Input, Play, Start
from contact_center.domain.ivr.interpreter import begin, step
from contact_center.domain.ivr.state import SessionState
from contact_center.domain.ivr.template import Template, parse_template

AT = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)  # Monday 10:00 in New York


def p(text: str | None = None, **languages: str) -> m.Prompt:
    if text is not None:
        return m.Prompt({m.ANY_LANGUAGE: m.PromptVariant(text=parse_template(text))})
    return m.Prompt({lang: m.PromptVariant(text=parse_template(t)) for lang, t in languages.items()})


def t(text: str) -> Template:
    return parse_template(text)


def flows(*nodes: m.Node, name: str = "f", start: str | None = None, **kw: object) -> m.Flow:
    return m.Flow(name=name, version=f"v-{name}", start=start or nodes[0].id, nodes={n.id: n for n in nodes}, **kw)  # type: ignore[arg-type]


def run(
    flow_set: m.FlowSet | m.Flow, *inputs: Input, caller: str = "+12125550101", entry: str | None = None
) -> tuple[SessionState, list[Action]]:
    """Start the flow and feed ``inputs``; returns the last state and every action, in order."""
    fs = flow_set if isinstance(flow_set, m.FlowSet) else m.FlowSet.of(flow_set)
    name = entry or next(iter(fs.flows))
    state, actions = begin(fs, name, Start(at=AT, caller=caller))
    seen = list(actions)
    for event in inputs:
        state, actions = step(state, event)
        seen.extend(actions)
    return state, seen


def spoken(actions: list[Action]) -> list[str]:
    return [a.speech.text for a in actions if isinstance(a, Play)]


def ending(actions: list[Action]) -> FlowEnd:
    ends = [a for a in actions if isinstance(a, FlowEnd)]
    assert len(ends) == 1, ends
    return ends[0]


@pytest.fixture
def kit() -> types.ModuleType:
    return sys.modules[__name__]
