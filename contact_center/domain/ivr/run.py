"""One step's mutable working copy of a session: collects actions, then freezes into the next state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.actions import (
    Action,
    Digits,
    Enqueue,
    FlowEnd,
    HangUp,
    NoInput,
    Play,
    RecordVoicemail,
    RequestCallback,
    Speech,
    TransferCall,
)
from contact_center.domain.ivr.state import SessionState, Waiting
from contact_center.domain.ivr.template import Template, Value
from contact_center.domain.ivr.trail import IvrTrail, TrailAnswer, TrailInput


class Run:
    """Only what a step changes is copied: variables on first write, trail entries as additions."""

    __slots__ = (
        "actions",
        "answers",
        "at",
        "end",
        "failures",
        "flow",
        "flows",
        "inputs",
        "language",
        "node",
        "own_variables",
        "path",
        "prompts",
        "stack",
        "started_at",
        "state",
        "trail_inputs",
        "variables",
        "waiting",
    )

    def __init__(self, state: SessionState, at: dt.datetime) -> None:
        self.state = state
        self.at = at
        self.flows = state.flows
        self.flow = state.flow
        self.node = state.node
        self.waiting: Waiting = state.waiting
        self.variables: Mapping[str, Value] = state.variables
        self.own_variables: dict[str, Value] | None = None
        self.failures = state.failures
        self.inputs = state.inputs
        self.stack = state.stack
        self.started_at = state.started_at
        self.path: list[str] = []
        self.trail_inputs: list[TrailInput] = []
        self.answers: list[TrailAnswer] = []
        self.prompts: list[str] = []
        self.actions: list[Action] = []
        self.end: FlowEnd | None = None
        language = state.variables.get("language")  # SessionState.language, inlined: once per step
        self.language = language if isinstance(language, str) and language else state.flow.default_language

    def language_changed(self) -> None:
        value = self.variables.get("language")
        self.language = value if isinstance(value, str) and value else self.flow.default_language

    def writable(self) -> dict[str, Value]:
        if self.own_variables is None:
            self.own_variables = dict(self.variables)
            self.variables = self.own_variables
        return self.own_variables

    def speech(self, prompt: m.Prompt) -> Speech:
        return self._spoken(prompt).speech

    def _spoken(self, prompt: m.Prompt) -> Play:
        """The prompt as spoken in the call's language; a literal prompt's Play is made once per flow."""
        wanted = self.language
        memo = self.flow.memo
        key = (id(prompt), wanted)
        hit = memo.get(key)
        if hit is not None and hit[0] is prompt:
            cached: Play = hit[1]
            return cached
        language, variant = prompt.variant(wanted, self.flow.default_language)
        if variant.text is None:
            speech = Speech("", variant.audio, language)
        elif (literal := variant.text.literal) is not None:
            speech = Speech(literal, variant.audio, language)
        else:
            return Play(speech=Speech(variant.text.render(self.variables, language), variant.audio, language))
        play = Play(speech=speech)
        memo[key] = (prompt, play)
        return play

    def play(self, prompt: m.Prompt) -> None:
        play = self._spoken(prompt)
        speech = play.speech
        self.prompts.append(speech.text or f"[audio {speech.audio}]")
        self.actions.append(play)

    def record_input(self, node: str, event: Digits | NoInput, *, ok: bool) -> None:
        if isinstance(event, Digits):
            self.trail_inputs.append(TrailInput(node, "digits", event.digits, ok))
        else:
            self.trail_inputs.append(TrailInput(node, "timeout", "", ok))

    def clear(self, prefix: str) -> None:
        """Forget what an earlier look-up into ``prefix`` found (every look-up sets ``prefix.found``)."""
        if prefix + ".found" not in self.variables:
            return
        dotted = prefix + "."
        stale = [n for n in self.variables if n.startswith(dotted)]
        if stale:
            variables = self.writable()
            for name in stale:
                del variables[name]

    def text(self, template: Template | None) -> str:
        return template.render(self.variables, self.language) if template is not None else ""

    def number(self, value: Template | int) -> int:
        if isinstance(value, int):
            return value
        try:
            return int(self.text(value) or 0)
        except ValueError:
            return 0

    def skills(self, templates: tuple[Template, ...]) -> tuple[str, ...]:
        rendered = (self.text(t).strip() for t in templates)
        return tuple(dict.fromkeys(s for s in rendered if s))

    def end_at(self, node: m.End) -> None:
        """Finish with the action an end node stands for."""
        if isinstance(node, m.QueueCall):
            data = {k: m.render_value(v, self.variables, self.language) for k, v in node.data.items()}
            self.finish(
                Enqueue,
                {
                    "queue": node.queue,
                    "priority": self.number(node.priority),
                    "skills": self.skills(node.skills),
                    "agent": self.text(node.agent) or None,
                    "data": data,
                },
            )
        elif isinstance(node, m.Callback):
            self.finish(
                RequestCallback,
                {
                    "queue": node.queue,
                    "number": self.text(node.number),
                    "priority": self.number(node.priority),
                    "skills": self.skills(node.skills),
                },
            )
        elif isinstance(node, m.Voicemail):
            prompt = self.speech(node.prompt) if node.prompt is not None else None
            if prompt is not None:
                self.prompts.append(prompt.text)
            self.finish(RecordVoicemail, {"mailbox": node.mailbox, "prompt": prompt, "max_seconds": node.max_seconds})
        elif isinstance(node, m.Transfer):
            self.finish(TransferCall, {"number": self.text(node.number)})
        else:
            self.finish(HangUp, {"reason": node.reason if isinstance(node, m.Hangup) else "flow"})

    def labels_of(self, path: tuple[str, ...]) -> dict[str, str]:
        """The human labels of the nodes on the path (``flow:node`` entries are nodes of another flow)."""
        labels: dict[str, str] = {}
        for entry in set(path):
            flow_name, _, node_id = entry.rpartition(":")
            flow = self.flows.flows.get(flow_name or self.state.entry)
            node = flow.nodes.get(node_id) if flow is not None else None
            if node is not None and node.label:
                labels[entry] = node.label
        return labels

    def finish(self, kind: type[FlowEnd], fields: dict[str, Any]) -> None:
        self.waiting = "done"
        trail = IvrTrail(
            flow=self.state.entry,
            version=self.flows[self.state.entry].version,
            caller=str(self.variables.get("caller") or ""),
            started_at=self.started_at,
            ended_at=self.at,
            path=self.state.path + tuple(self.path),
            inputs=self.state.trail_inputs + tuple(self.trail_inputs),
            answers=self.state.answers + tuple(self.answers),
            prompts=self.state.prompts + tuple(self.prompts),
            variables=dict(self.variables),
            outcome=kind.action,
            labels=self.labels_of(self.state.path + tuple(self.path)),
        )
        self.end = kind(trail=trail, **fields)
        self.actions.append(self.end)

    def freeze(self) -> tuple[SessionState, tuple[Action, ...]]:
        old = self.state
        # tuple.__new__ skips NamedTuple's keyword-handling __new__: a step's largest fixed cost.
        state: SessionState = _new_state(
            SessionState,
            (
                self.flows,
                old.entry,
                self.flow,
                self.node,
                self.waiting,
                self.variables,
                self.failures,
                self.inputs,
                self.stack,
                self.started_at,
                old.path + tuple(self.path) if self.path else old.path,
                old.trail_inputs + tuple(self.trail_inputs) if self.trail_inputs else old.trail_inputs,
                old.answers + tuple(self.answers) if self.answers else old.answers,
                old.prompts + tuple(self.prompts) if self.prompts else old.prompts,
                self.end,
            ),
        )
        return state, tuple(self.actions)


_new_state = tuple.__new__
