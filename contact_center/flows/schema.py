"""A flow file's schema: YAML text in, a ``Flow`` and its ``file:line`` problems out.

``read_flow`` also hands back a *draft*: the flow as far as it could be read, even
with errors, so the validator can still check what it refers to (queues, calendars,
other flows). Only ``Parsed.flow`` (no errors) may ever run.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from contact_center.crm.phones import InvalidPhoneNumber, to_e164
from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.graph import check_graph
from contact_center.flows.nodes import BUILDERS
from contact_center.flows.reader import FlowContext, NodeReader, Problem
from contact_center.flows.yaml_lines import LineDict, LineList, YamlProblem, load_yaml

FLOW_KEYS = ("flow", "description", "start", "language", "languages", "numbers", "defaults", "max_inputs", "nodes")
DEFAULT_KEYS = ("retries", "timeout", "inter_digit_timeout", "fallback", "invalid", "no_input", "terminator")


def flow_name(path: Path | str) -> str:
    return Path(path).stem


@dataclass(frozen=True)
class Parsed:
    flow: m.Flow | None  # None when any problem is an error
    draft: m.Flow | None  # what could be read despite errors (never run it)
    problems: list[Problem]


def parse_flow(
    text: str, file: str, name: str | None = None, *, region: str = "US"
) -> tuple[m.Flow | None, list[Problem]]:
    """Build the flow in ``text``; the flow is None when any problem is an error."""
    parsed = read_flow(text, file, name, region=region)
    return parsed.flow, parsed.problems


def read_flow(text: str, file: str, name: str | None = None, *, region: str = "US") -> Parsed:
    """The flow in ``text`` (phone numbers read in ``region``), its draft and its problems."""
    try:
        doc, duplicates = load_yaml(text)
    except YamlProblem as exc:
        return Parsed(None, None, [Problem(file, exc.line, exc.message)])
    problems = [Problem(file, line, message) for line, message in duplicates]
    if not isinstance(doc, LineDict):
        return Parsed(
            None, None, [*problems, Problem(file, 1, "a flow file must be a mapping with 'start' and 'nodes'")]
        )
    for key in doc:
        if key not in FLOW_KEYS:
            problems.append(Problem(file, doc.line_of(key), f"unknown key {key!r} (known: {', '.join(FLOW_KEYS)})"))
    name = name or flow_name(file)
    if doc.get("flow") not in (None, name):
        problems.append(
            Problem(
                file,
                doc.line_of("flow"),
                f"flow is named {doc['flow']!r} but the file makes it {name!r}; rename one of them",
            )
        )
    languages, default_language = _languages(doc, file, problems)
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append(Problem(file, doc.line_of("defaults"), "'defaults' must be a mapping"))
        defaults = {}
    defaults_line = doc.line_of("defaults")
    for key in defaults:
        if key not in DEFAULT_KEYS:
            problems.append(
                Problem(
                    file,
                    defaults.line_of(key) if isinstance(defaults, LineDict) else defaults_line,
                    f"unknown default {key!r} (known: {', '.join(DEFAULT_KEYS)})",
                )
            )
    context = FlowContext(file, languages, defaults, problems, folder=Path(file).parent, region=region)
    numbers = _numbers(doc, context)
    nodes = _nodes(doc, context)
    start = doc.get("start")
    if not isinstance(start, str) or not start:
        context.error(doc.line_of("start"), "missing 'start': the id of the first node")
        start = ""
    max_inputs = doc.get("max_inputs", 40)
    if isinstance(max_inputs, bool) or not isinstance(max_inputs, int) or not 1 <= max_inputs <= 1000:
        context.error(
            doc.line_of("max_inputs"), f"'max_inputs' must be a whole number from 1 to 1000, got {max_inputs!r}"
        )
        max_inputs = 40
    if nodes and start:
        for found in check_graph(start, nodes):
            line = nodes[found.node].line if found.node in nodes else doc.line_of("start")
            context.error(line, found.message)
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    flow = m.Flow(
        name=name,
        version=version,
        start=start,
        nodes=nodes,
        languages=languages,
        default_language=default_language,
        max_inputs=max_inputs,
        source=file,
        numbers=tuple(numbers),
        number_lines=tuple(numbers.values()),
    )
    if any(p.severity == "error" for p in problems) or not nodes:
        return Parsed(None, flow if nodes else None, problems)
    return Parsed(flow, flow, problems)


def _numbers(doc: LineDict, context: FlowContext) -> dict[str, int]:
    """The service numbers that start this flow, in E.164 (written in any common format), and their lines."""
    raw = doc.get("numbers")
    if raw is None:
        return {}
    if not isinstance(raw, LineList):
        context.error(doc.line_of("numbers"), f"'numbers' must be a list of phone numbers, got {raw!r}")
        return {}
    found: dict[str, int] = {}
    for index, item in enumerate(raw):
        line = raw.line_of(index)
        if not isinstance(item, str):
            context.error(line, f"number {item!r} in 'numbers' must be quoted text like \"+1 415 555 0100\"")
            continue
        try:
            number = to_e164(item, context.region)
        except InvalidPhoneNumber as exc:
            context.error(line, f"number in 'numbers': {exc}")
            continue
        if number in found:
            context.error(line, f"number {item!r} ({number}) is listed twice (first on line {found[number]})")
            continue
        found[number] = line
    return found


def _languages(doc: LineDict, file: str, problems: list[Problem]) -> tuple[tuple[str, ...], str]:
    raw = doc.get("languages")
    default = doc.get("language")
    if raw is None:
        raw = [default if isinstance(default, str) else "en"]
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x for x in raw):
        problems.append(Problem(file, doc.line_of("languages"), "'languages' must be a list like [en, es]"))
        raw = ["en"]
    languages = tuple(dict.fromkeys(raw))
    if default is None:
        default = languages[0]
    if default not in languages:
        problems.append(
            Problem(
                file,
                doc.line_of("language"),
                f"default language {default!r} is not one of the flow's languages ({', '.join(languages)})",
            )
        )
        default = languages[0]
    return languages, default


def _nodes(doc: LineDict, context: FlowContext) -> dict[str, m.Node]:
    raw = doc.get("nodes")
    if not isinstance(raw, LineDict) or not raw:
        context.error(doc.line_of("nodes"), "missing 'nodes': a mapping of node id to node")
        return {}
    nodes: dict[str, m.Node] = {}
    for node_id, data in raw.items():
        line = raw.line_of(node_id)
        if not isinstance(node_id, str):
            context.error(line, f"node id {node_id!r} must be text (quote it)")
            continue
        if not isinstance(data, LineDict):
            context.error(line, f"node {node_id!r} must be a mapping with one of: {', '.join(BUILDERS)}")
            nodes[node_id] = m.Hangup(id=node_id, line=line)
            continue
        kinds = [key for key in data if key in BUILDERS]
        if len(kinds) == 2 and "say" in kinds:  # `say:` on a queue, callback, voicemail or transfer node
            other = next(k for k in kinds if k != "say")
            if "say" in BUILDERS[other][1]:
                kinds = [other]
        if len(kinds) != 1:
            nodes[node_id] = m.Hangup(id=node_id, line=data.line)  # stands in so its callers are not reported
            found = f"has several types ({', '.join(kinds)})" if kinds else "has no type"
            context.error(data.line, f"node {node_id!r} {found}; give exactly one of: {', '.join(BUILDERS)}")
            continue
        kind = kinds[0]
        build, allowed = BUILDERS[kind]
        for key in data:
            if key != kind and key not in allowed and key != "label":
                context.error(
                    data.line_of(key),
                    f"{kind} node {node_id!r}: unknown key {key!r} (allowed: {', '.join(allowed) or 'none'})",
                )
        nodes[node_id] = _labelled(build(NodeReader(context, node_id, data, kind)), data, context, kind)
    return nodes


def _labelled(node: m.Node, data: LineDict, context: FlowContext, kind: str) -> m.Node:
    """``label:`` on any node: what the agent's screen-pop shows for it instead of its id."""
    label = data.get("label")
    if label is None:
        return node
    if not isinstance(label, str) or not label.strip() or len(label) > 80:
        context.error(data.line_of("label"), f"{kind} node {node.id!r}: 'label' must be text of 1 to 80 characters")
        return node
    return dataclasses.replace(node, label=label.strip())


def read_flow_file(path: Path, *, region: str = "US") -> Parsed:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Parsed(None, None, [Problem(str(path), 1, f"cannot read the file: {exc}")])
    return read_flow(text, str(path), region=region)


def load_flow_file(path: Path, *, region: str = "US") -> tuple[m.Flow | None, list[Problem]]:
    parsed = read_flow_file(path, region=region)
    return parsed.flow, parsed.problems
