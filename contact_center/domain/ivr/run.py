"""One step's mutable working copy of a session: collects actions, then freezes into the next state."""

from __future__ import annotations

import datetime as dt
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
    __slots__ = (
        "actions",
        "answers",
        "at",
        "end",
        "failures",
        "flow",
        "flows",
        "inputs",
        "node",
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
        self.variables: dict[str, Value] = dict(state.variables)
        self.failures = state.failures
        self.inputs = state.inputs
        self.stack = list(state.stack)
        self.started_at = state.started_at
        self.path = list(state.path)
        self.trail_inputs = list(state.trail_inputs)
        self.answers: list[TrailAnswer] = list(state.answers)
        self.prompts = list(state.prompts)
        self.actions: list[Action] = []
        self.end: FlowEnd | None = None

    @property
    def language(self) -> str:
        value = self.variables.get("language")
        return value if isinstance(value, str) and value else self.flow.default_language

    def enter(self, node: m.Node) -> None:
        self.node = node.id
        self.failures = 0
        self.path.append(node.id if self.flow.name == self.state.entry else f"{self.flow.name}:{node.id}")

    def speech(self, prompt: m.Prompt) -> Speech:
        language, variant = prompt.variant(self.language, self.flow.default_language)
        text = variant.text.render(self.variables, language) if variant.text is not None else ""
        return Speech(text, variant.audio, language)

    def play(self, prompt: m.Prompt) -> None:
        speech = self.speech(prompt)
        self.prompts.append(speech.text or f"[audio {speech.audio}]")
        self.actions.append(Play(speech=speech))

    def record_input(self, node: str, event: Digits | NoInput, *, ok: bool) -> None:
        if isinstance(event, Digits):
            self.trail_inputs.append(TrailInput(node, "digits", event.digits, ok))
        else:
            self.trail_inputs.append(TrailInput(node, "timeout", "", ok))

    def clear(self, prefix: str) -> None:
        dotted = prefix + "."
        for name in [n for n in self.variables if n.startswith(dotted)]:
            del self.variables[name]

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

    def finish(self, kind: type[FlowEnd], fields: dict[str, Any]) -> None:
        self.waiting = "done"
        trail = IvrTrail(
            flow=self.state.entry,
            version=self.flows[self.state.entry].version,
            caller=str(self.variables.get("caller") or ""),
            started_at=self.started_at,
            ended_at=self.at,
            path=tuple(self.path),
            inputs=tuple(self.trail_inputs),
            answers=tuple(self.answers),
            prompts=tuple(self.prompts),
            variables=dict(self.variables),
            outcome=kind.action,
        )
        self.end = kind(trail=trail, **fields)
        self.actions.append(self.end)

    def freeze(self) -> tuple[SessionState, tuple[Action, ...]]:
        state = SessionState(
            flows=self.flows,
            entry=self.state.entry,
            flow=self.flow,
            node=self.node,
            waiting=self.waiting,
            variables=self.variables,
            failures=self.failures,
            inputs=self.inputs,
            stack=tuple(self.stack),
            started_at=self.started_at,
            path=tuple(self.path),
            trail_inputs=tuple(self.trail_inputs),
            answers=tuple(self.answers),
            prompts=tuple(self.prompts),
            end=self.end,
        )
        return state, tuple(self.actions)
