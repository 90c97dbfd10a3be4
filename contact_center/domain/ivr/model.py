"""The flow model: immutable nodes and flows, as loaded and validated from YAML.

A ``Flow`` is a named graph of nodes with a content-hash ``version``; a ``FlowSet``
is the immutable bundle of flows a call starts with (its entry flow and every
sub-flow it may call), so reloading files never changes a call in progress.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contact_center.domain.ivr.conditions import Condition
from contact_center.domain.ivr.template import Template, Value, Variables

ANY_LANGUAGE = "*"


@dataclass(frozen=True, slots=True)
class PromptVariant:
    text: Template | None = None
    audio: str | None = None


@dataclass(frozen=True, slots=True)
class Prompt:
    """What to say, per language (``*`` serves every language): text to speak, an audio file, or both."""

    variants: Mapping[str, PromptVariant]

    def variant(self, language: str, default_language: str) -> tuple[str, PromptVariant]:
        for key in (language, ANY_LANGUAGE, default_language):
            found = self.variants.get(key)
            if found is not None:
                return (language if key == ANY_LANGUAGE else key), found
        key = next(iter(self.variants))
        return key, self.variants[key]


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    id: str
    line: int = 0
    label: str = ""  # what people see for this node (the agent's screen-pop), e.g. "Main menu"

    def targets(self) -> tuple[str, ...]:
        """Nodes of the same flow this node can continue to."""
        return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Say(Node):
    prompt: Prompt
    next: str

    def targets(self) -> tuple[str, ...]:
        return (self.next,)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ask(Node):
    """What menus and collects share: a prompt, retries and where to go when they run out."""

    prompt: Prompt
    invalid: Prompt | None = None
    no_input: Prompt | None = None
    retries: int = 2
    timeout: float = 5.0
    fallback: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Menu(Ask):
    options: Mapping[str, str]
    into: str | None = None

    def targets(self) -> tuple[str, ...]:
        return (*self.options.values(), self.fallback)


@dataclass(frozen=True, slots=True, kw_only=True)
class Collect(Ask):
    into: str
    min_length: int = 1
    max_length: int = 20
    terminator: str | None = "#"
    inter_digit_timeout: float = 3.0
    pattern: re.Pattern[str] | None = None
    next: str

    def targets(self) -> tuple[str, ...]:
        return (self.next, self.fallback)


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup(Node):
    kind: str  # customer | order | case | account_manager | contract
    by: str  # phone | id | number | order | case | customer
    source: str  # the variable holding the key
    into: str  # variable prefix for the result
    found: str
    not_found: str
    error: str

    def targets(self) -> tuple[str, ...]:
        return (self.found, self.not_found, self.error)


@dataclass(frozen=True, slots=True, kw_only=True)
class Branch(Node):
    cases: tuple[tuple[Condition, str], ...]
    otherwise: str

    def targets(self) -> tuple[str, ...]:
        return (*(target for _, target in self.cases), self.otherwise)


@dataclass(frozen=True, slots=True, kw_only=True)
class Hours(Node):
    calendar: str
    open: str
    closed: str
    holiday: str

    def targets(self) -> tuple[str, ...]:
        return (self.open, self.closed, self.holiday)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetVars(Node):
    values: Mapping[str, Template | Value]
    next: str

    def targets(self) -> tuple[str, ...]:
        return (self.next,)


@dataclass(frozen=True, slots=True, kw_only=True)
class End(Node):
    """A node that ends the flow; ``say`` is spoken first."""

    say: Prompt | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueCall(End):
    queue: str
    priority: Template | int = 0
    skills: tuple[Template, ...] = ()
    agent: Template | None = None
    data: Mapping[str, Template | Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Callback(End):
    queue: str
    number: Template
    priority: Template | int = 0
    skills: tuple[Template, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Voicemail(End):
    mailbox: str
    prompt: Prompt | None = None
    max_seconds: int = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer(End):
    number: Template


@dataclass(frozen=True, slots=True, kw_only=True)
class Hangup(End):
    reason: str = "flow"


@dataclass(frozen=True, slots=True, kw_only=True)
class Goto(Node):
    """Jump to a node of this flow, or (with ``flow``) into another flow for good."""

    target: str | None
    flow: str | None = None

    def targets(self) -> tuple[str, ...]:
        return (self.target,) if self.flow is None and self.target is not None else ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SubFlow(Node):
    """Run another flow until it returns, then continue at ``next``."""

    flow: str
    next: str

    def targets(self) -> tuple[str, ...]:
        return (self.next,)


@dataclass(frozen=True, slots=True, kw_only=True)
class Return(Node):
    pass


INPUT_NODES = (Menu, Collect)
END_NODES = (End, Return)


@dataclass(frozen=True)
class Flow:
    name: str
    version: str
    start: str
    nodes: Mapping[str, Node]
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    max_inputs: int = 40
    source: str = ""
    numbers: tuple[str, ...] = ()  # E.164 service numbers that start this flow when dialled
    number_lines: tuple[int, ...] = field(default=(), compare=False)  # where each number is written
    # Rendered prompts and collect actions that never change (no variables in them), reused by
    # every call: a memo, not state, so it is left out of equality and hashing.
    memo: dict[tuple[int, str], tuple[object, Any]] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class FlowSet:
    """The flows a call may use, frozen together; ``version`` changes when any of them does."""

    flows: Mapping[str, Flow]
    version: str = ""

    @classmethod
    def of(cls, *flows: Flow) -> FlowSet:
        digest = hashlib.sha256()
        for flow in sorted(flows, key=lambda f: f.name):
            digest.update(f"{flow.name}={flow.version};".encode())
        return cls({f.name: f for f in flows}, digest.hexdigest()[:12])

    def __getitem__(self, name: str) -> Flow:
        return self.flows[name]

    def __contains__(self, name: object) -> bool:
        return name in self.flows


def render_value(value: Template | Value, variables: Variables, language: str) -> Value:
    return value.render(variables, language) if isinstance(value, Template) else value
