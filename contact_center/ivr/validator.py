"""Validating flow files: schema and graph per file, then what flows refer to across files and in the CRM.

``validate_paths`` is what ``contact-center ivr validate`` and the flow registry run.
Known queue and calendar names come from the CRM directory; ``None`` skips those
checks (the caller says so to the user).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from contact_center.domain.ivr import model as m
from contact_center.ivr.reader import Problem
from contact_center.ivr.schema import flow_name, load_flow_file

KIND_NAMES: dict[type[m.Node], str] = {
    m.SubFlow: "subflow", m.Goto: "goto", m.QueueCall: "queue", m.Callback: "callback", m.Voicemail: "voicemail",
    m.Hours: "hours",
}  # fmt: skip


@dataclass
class Validation:
    flows: dict[str, m.Flow] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def flow_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(path)
    return files


def validate_paths(
    paths: Iterable[Path], *, queues: set[str] | None = None, calendars: set[str] | None = None
) -> Validation:
    """Check every file; flows they call that were not named are looked for beside them."""
    result = Validation()
    files = flow_files(paths)
    broken: set[str] = set()
    for path in files:
        flow, problems = load_flow_file(path)
        result.problems.extend(problems)
        if not path.exists():
            continue
        if flow is None:
            broken.add(flow_name(path))
        else:
            result.flows[flow.name] = flow
    helpers = _referenced_siblings(result.flows, files, broken)
    for name, problem in check_references({**helpers, **result.flows}, queues, calendars, broken).items():
        if name in result.flows:
            result.problems.extend(problem)
            if any(p.severity == "error" for p in problem):
                del result.flows[name]
    return result


def _referenced_siblings(flows: Mapping[str, m.Flow], files: list[Path], broken: set[str]) -> dict[str, m.Flow]:
    """Load flows called by ``flows`` from the same directories; missing ones are reported later."""
    helpers: dict[str, m.Flow] = {}
    folders = list(dict.fromkeys(p.parent for p in files))
    todo = [name for flow in flows.values() for name in called_flows(flow)]
    while todo:
        name = todo.pop()
        if name in flows or name in helpers or name in broken:
            continue
        for folder in folders:
            candidate = next(
                (folder / f"{name}{s}" for s in (".yaml", ".yml") if (folder / f"{name}{s}").exists()), None
            )
            if candidate is None:
                continue
            flow, _problems = load_flow_file(candidate)
            if flow is None:
                broken.add(name)
            else:
                helpers[name] = flow
                todo.extend(called_flows(flow))
            break
    return helpers


def called_flows(flow: m.Flow) -> list[str]:
    names = []
    for node in flow.nodes.values():
        if isinstance(node, m.SubFlow | m.Goto) and node.flow:
            names.append(node.flow)
    return names


def check_references(
    flows: Mapping[str, m.Flow],
    queues: set[str] | None,
    calendars: set[str] | None,
    broken: set[str] | None = None,
) -> dict[str, list[Problem]]:
    """Problems per flow name: calls to missing or broken flows, unknown queues and calendars."""
    found: dict[str, list[Problem]] = {}
    for flow in flows.values():
        found[flow.name] = [
            Problem(flow.source, node.line, f"{KIND_NAMES.get(type(node), 'a')} node {node.id!r}: {message}")
            for node in flow.nodes.values()
            for message in _node_references(node, flows, queues, calendars, broken or set())
        ]
    return found


def _node_references(
    node: m.Node, flows: Mapping[str, m.Flow], queues: set[str] | None, calendars: set[str] | None, broken: set[str]
) -> list[str]:
    messages = []
    if isinstance(node, m.SubFlow | m.Goto) and node.flow:
        if node.flow in broken:
            messages.append(f"flow {node.flow!r} has errors and cannot be used")
        elif node.flow not in flows:
            messages.append(f"unknown flow {node.flow!r} (no {node.flow}.yaml beside this file)")
        elif isinstance(node, m.Goto) and node.target and node.target not in flows[node.flow].nodes:
            messages.append(f"flow {node.flow!r} has no node {node.target!r}")
    queue = _queue_of(node)
    if queue and queues is not None and queue not in queues:
        messages.append(f"unknown queue {queue!r} (known: {', '.join(sorted(queues)) or 'none'})")
    if isinstance(node, m.Hours) and calendars is not None and node.calendar not in calendars:
        messages.append(f"unknown calendar {node.calendar!r} (known: {', '.join(sorted(calendars)) or 'none'})")
    return messages


def _queue_of(node: m.Node) -> str | None:
    if isinstance(node, m.QueueCall | m.Callback):
        return node.queue
    if isinstance(node, m.Voicemail):
        return node.mailbox
    return None
