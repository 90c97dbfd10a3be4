"""A flow file's schema: YAML text in, a ``Flow`` and its ``file:line`` problems out."""

from __future__ import annotations

import hashlib
from pathlib import Path

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.graph import check_graph
from contact_center.ivr.nodes import BUILDERS
from contact_center.ivr.reader import FlowContext, NodeReader, Problem
from contact_center.ivr.yaml_lines import LineDict, YamlProblem, load_yaml

FLOW_KEYS = ("flow", "description", "start", "language", "languages", "defaults", "max_inputs", "nodes")
DEFAULT_KEYS = ("retries", "timeout", "inter_digit_timeout", "fallback", "invalid", "no_input", "terminator")


def flow_name(path: Path | str) -> str:
    return Path(path).stem


def parse_flow(text: str, file: str, name: str | None = None) -> tuple[m.Flow | None, list[Problem]]:
    """Build the flow in ``text``; the flow is None when any problem is an error."""
    try:
        doc, duplicates = load_yaml(text)
    except YamlProblem as exc:
        return None, [Problem(file, exc.line, exc.message)]
    problems = [Problem(file, line, message) for line, message in duplicates]
    if not isinstance(doc, LineDict):
        return None, [*problems, Problem(file, 1, "a flow file must be a mapping with 'start' and 'nodes'")]
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
    context = FlowContext(file, languages, defaults, problems)
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
    if any(p.severity == "error" for p in problems) or not nodes:
        return None, problems
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
    )
    return flow, problems


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
            if key != kind and key not in allowed:
                context.error(
                    data.line_of(key),
                    f"{kind} node {node_id!r}: unknown key {key!r} (allowed: {', '.join(allowed) or 'none'})",
                )
        nodes[node_id] = build(NodeReader(context, node_id, data, kind))
    return nodes


def load_flow_file(path: Path) -> tuple[m.Flow | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 1, f"cannot read the file: {exc}")]
    return parse_flow(text, str(path))
