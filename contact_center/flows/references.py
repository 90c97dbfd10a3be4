"""What flows refer to beyond their own file: other flows, the CRM's queues and calendars, service numbers.

Also the checks that need every flow at once: jumps into flows with no way out,
loops that take no input through gotos and sub-flows, and (as warnings) prompts
that speak variables no path sets.
"""

from __future__ import annotations

from collections.abc import Mapping

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.flow_graph import check_flows
from contact_center.domain.ivr.variables import unset_variables
from contact_center.flows.reader import Problem

KIND_NAMES: dict[type[m.Node], str] = {
    m.Say: "say",
    m.Menu: "menu",
    m.Collect: "collect",
    m.Lookup: "lookup",
    m.Branch: "branch",
    m.Hours: "hours",
    m.SetVars: "set",
    m.QueueCall: "queue",
    m.Callback: "callback",
    m.Voicemail: "voicemail",
    m.Transfer: "transfer",
    m.Hangup: "hangup",
    m.Goto: "goto",
    m.SubFlow: "subflow",
    m.Return: "return",
}


def kind_of(node: m.Node) -> str:
    return KIND_NAMES.get(type(node), "a")


def check_references(
    flows: Mapping[str, m.Flow],
    queues: set[str] | None,
    calendars: set[str] | None,
    broken: set[str] | None = None,
    owners: Mapping[str, str] | None = None,
) -> dict[str, list[Problem]]:
    """Problems per flow name (every flow gets a list, maybe empty).

    ``broken`` names flows whose files have errors; ``owners`` maps each service
    number to the flow that held it before (that one keeps it when another claims it).
    """
    found: dict[str, list[Problem]] = {
        name: node_references(flow, flows, queues, calendars, broken) for name, flow in flows.items()
    }
    for name, problems in _number_conflicts(flows, owners or {}).items():
        found[name].extend(problems)
    for name, graph_problems in check_flows(flows).items():
        flow = flows[name]
        found[name].extend(_at_node(flow, p.node, p.message) for p in graph_problems)
    for name, graph_problems in unset_variables(flows).items():
        flow = flows[name]
        found[name].extend(_at_node(flow, p.node, p.message, "warning") for p in graph_problems)
    return found


def node_references(
    flow: m.Flow,
    flows: Mapping[str, m.Flow],
    queues: set[str] | None,
    calendars: set[str] | None,
    broken: set[str] | None = None,
) -> list[Problem]:
    """Calls to missing or broken flows, unknown queues and calendars; works on a draft with errors too."""
    return [
        _at_node(flow, node.id, message)
        for node in flow.nodes.values()
        for message in _node_references(node, flows, queues, calendars, broken or set())
    ]


def _at_node(flow: m.Flow, node_id: str | None, message: str, severity: str = "error") -> Problem:
    node = flow.nodes.get(node_id or "")
    if node is None:
        return Problem(flow.source, 1, message, "warning" if severity == "warning" else "error")
    text = f"{kind_of(node)} node {node.id!r}: {message}"
    return Problem(flow.source, node.line, text, "warning" if severity == "warning" else "error")


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
    if isinstance(node, m.Hours) and node.calendar and calendars is not None and node.calendar not in calendars:
        messages.append(f"unknown calendar {node.calendar!r} (known: {', '.join(sorted(calendars)) or 'none'})")
    return messages


def _queue_of(node: m.Node) -> str | None:
    if isinstance(node, m.QueueCall | m.Callback):
        return node.queue
    if isinstance(node, m.Voicemail):
        return node.mailbox
    return None


def _number_conflicts(flows: Mapping[str, m.Flow], owners: Mapping[str, str]) -> dict[str, list[Problem]]:
    """A dialled number can start only one flow: every claimant but the number's previous owner is at fault."""
    claims: dict[str, list[str]] = {}
    for flow in flows.values():
        for number in flow.numbers:
            claims.setdefault(number, []).append(flow.name)
    found: dict[str, list[Problem]] = {}
    for number, names in claims.items():
        if len(names) < 2:
            continue
        owner = owners.get(number)
        for name in names:
            if name == owner:
                continue
            others = ", ".join(repr(n) for n in sorted(names) if n != name)
            flow = flows[name]
            line = dict(zip(flow.numbers, flow.number_lines, strict=False)).get(number, 1)
            held = f"; {owner!r} keeps it" if owner in names else ""
            message = f"number {number} is also claimed by flow {others}: a dialled number starts one flow{held}"
            found.setdefault(name, []).append(Problem(flow.source, line, message))
    return found
