"""Which variables a prompt may speak: a forward "may be set" analysis over every flow.

A template field that no path from a flow's start sets always speaks as nothing,
which is almost always a typo (``{custmer.first_name}``). Variables are shared with
sub-flows and across gotos, so the analysis runs over all flows together; it starts
at the flows nothing else calls (and those with service numbers), where a call
begins with ``caller``, ``dialed`` and ``language``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.flow_graph import entry_of
from contact_center.domain.ivr.graph import GraphProblem
from contact_center.domain.ivr.template import Template

Key = tuple[str, str]
AT_START = frozenset({"caller", "dialed", "language"})


def unset_variables(flows: Mapping[str, m.Flow]) -> dict[str, list[GraphProblem]]:
    """Per flow: nodes that speak a variable no path to them sets."""
    have = _may_be_set(flows)
    found: dict[str, list[GraphProblem]] = {}
    for flow in flows.values():
        for node in flow.nodes.values():
            known = have.get((flow.name, node.id))
            if known is None:  # never reached from a start: reported as unreachable, or only called
                continue
            if isinstance(node, m.SetVars):
                known = known | _writes(node)
            for name in dict.fromkeys(_reads(node)):
                if not _is_set(name, known):
                    message = f"variable {name!r} is never set on any path to this node, so it speaks as nothing"
                    found.setdefault(flow.name, []).append(GraphProblem(node.id, message))
    return found


def _is_set(name: str, known: frozenset[str]) -> bool:
    if name in known:
        return True
    # A look-up sets "<into>.*": its fields depend on what the CRM returns.
    return any(name.startswith(item) for item in known if item.endswith("."))


def _roots(flows: Mapping[str, m.Flow]) -> list[str]:
    called = {n.flow for f in flows.values() for n in f.nodes.values() if isinstance(n, m.Goto | m.SubFlow)}
    roots = [name for name, flow in flows.items() if name not in called or flow.numbers]
    return roots or list(flows)


def _may_be_set(flows: Mapping[str, m.Flow]) -> dict[Key, frozenset[str]]:
    """For each reachable node, the variables some path from a start has set on arrival."""
    returns_to: dict[str, list[Key]] = {}
    for flow in flows.values():
        for node in flow.nodes.values():
            if isinstance(node, m.SubFlow) and node.next in flow.nodes:
                returns_to.setdefault(node.flow, []).append((flow.name, node.next))
    have: dict[Key, frozenset[str]] = {}
    todo: list[Key] = []
    for name in _roots(flows):
        key = (name, flows[name].start)
        if key[1] in flows[name].nodes:
            have[key] = AT_START
            todo.append(key)
    while todo:
        key = todo.pop()
        flow = flows[key[0]]
        node = flow.nodes[key[1]]
        leaving = have[key] | _writes(node)
        for target in _successors(flow, node, flows, returns_to):
            before = have.get(target)
            after = leaving if before is None else before | leaving
            if after != before:
                have[target] = after
                todo.append(target)
    return have


def _successors(
    flow: m.Flow, node: m.Node, flows: Mapping[str, m.Flow], returns_to: Mapping[str, list[Key]]
) -> Iterator[Key]:
    if isinstance(node, m.Goto | m.SubFlow) and node.flow:
        landing = entry_of(flows, node)
        if landing is not None:
            yield landing
    if isinstance(node, m.Return):
        yield from returns_to.get(flow.name, [])
    if not isinstance(node, m.SubFlow):  # a sub-flow's `next` is reached through its `return`
        yield from ((flow.name, t) for t in node.targets() if t in flow.nodes)


def _writes(node: m.Node) -> frozenset[str]:
    if isinstance(node, m.SetVars):
        return frozenset(node.values)
    if isinstance(node, m.Menu):
        return frozenset({node.into}) if node.into else frozenset()
    if isinstance(node, m.Collect):
        return frozenset({node.into})
    if isinstance(node, m.Lookup):
        return frozenset({f"{node.into}.", f"{node.into}.found"})
    if isinstance(node, m.Hours):
        return frozenset({"hours.status", "hours.holiday"})
    return frozenset()


def _reads(node: m.Node) -> Iterator[str]:
    """Variable names in the node's templates (conditions are left out: testing an unset one is normal)."""
    values: list[object] = []
    if isinstance(node, m.Say):
        values.append(node.prompt)
    elif isinstance(node, m.Ask):
        values.extend((node.prompt, node.invalid, node.no_input))
    elif isinstance(node, m.SetVars):
        values.extend(node.values.values())
    if isinstance(node, m.End):
        values.append(node.say)
    if isinstance(node, m.QueueCall):
        values.extend((node.priority, node.agent, *node.skills, *node.data.values()))
    elif isinstance(node, m.Callback):
        values.extend((node.number, node.priority, *node.skills))
    elif isinstance(node, m.Voicemail):
        values.append(node.prompt)
    elif isinstance(node, m.Transfer):
        values.append(node.number)
    for value in values:
        if isinstance(value, Template):
            yield from value.names
        elif isinstance(value, m.Prompt):
            for variant in value.variants.values():
                if variant.text is not None:
                    yield from variant.text.names
