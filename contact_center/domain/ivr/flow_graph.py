"""Graph checks across flows: what a flow's own check must take on trust.

``check_graph`` counts a goto into another flow as a way out and assumes a sub-flow
waits for the caller. Here, with every flow at hand, a jump only counts as a way out
when the flow it enters has one, and loops that take no input are followed through
gotos and sub-flows (mutual gotos between files, a flow calling itself).
"""

from __future__ import annotations

from collections.abc import Mapping

from contact_center.domain.ivr import model as m
from contact_center.domain.ivr.graph import GraphProblem

Key = tuple[str, str]  # (flow, node)


def check_flows(flows: Mapping[str, m.Flow]) -> dict[str, list[GraphProblem]]:
    """Problems per flow name (flows without problems are left out)."""
    found: dict[str, list[GraphProblem]] = {}
    out = _ways_out(flows)
    for flow in flows.values():
        for node in flow.nodes.values():
            message = _dead_jump(node, flows, out)
            if message:
                found.setdefault(flow.name, []).append(GraphProblem(node.id, message))
    for cycle in _silent_cycles(flows):
        for name in dict.fromkeys(f for f, _ in cycle):
            # Each flow's file hears of the loop from its own first node on it.
            at = next(i for i, (f, _) in enumerate(cycle) if f == name)
            turned = [*cycle[at:], *cycle[:at]]
            route = " -> ".join(f"{f}:{n}" for f, n in [*turned, turned[0]])
            found.setdefault(name, []).append(GraphProblem(turned[0][1], f"loop that takes no input: {route}"))
    return found


def entry_of(flows: Mapping[str, m.Flow], node: m.Goto | m.SubFlow) -> Key | None:
    """Where a jump into another flow lands; None when that flow or node is missing (reported elsewhere)."""
    target = flows.get(node.flow or "")
    if target is None:
        return None
    landing = (node.target if isinstance(node, m.Goto) else None) or target.start
    return (target.name, landing) if landing in target.nodes else None


def _ways_out(flows: Mapping[str, m.Flow]) -> set[Key]:
    """Nodes from which some path ends the call or returns (a fixpoint over every flow at once)."""
    out = {(f.name, n.id) for f in flows.values() for n in f.nodes.values() if isinstance(n, m.END_NODES)}
    changed = True
    while changed:
        changed = False
        for flow in flows.values():
            for node in flow.nodes.values():
                key = (flow.name, node.id)
                if key not in out and _leaves(flow, node, flows, out):
                    out.add(key)
                    changed = True
    return out


def _leaves(flow: m.Flow, node: m.Node, flows: Mapping[str, m.Flow], out: set[Key]) -> bool:
    if isinstance(node, m.Goto) and node.flow is not None:
        landing = entry_of(flows, node)
        return landing is None or landing in out
    local = [t for t in node.targets() if t in flow.nodes]
    if isinstance(node, m.SubFlow):
        landing = entry_of(flows, node)
        return (landing is None or landing in out) and (node.next not in flow.nodes or (flow.name, node.next) in out)
    # An unknown target was reported by the flow's own check; do not report its callers again.
    return len(local) < len([t for t in node.targets() if t]) or any((flow.name, t) in out for t in local)


def _dead_jump(node: m.Node, flows: Mapping[str, m.Flow], out: set[Key]) -> str | None:
    if not isinstance(node, m.Goto | m.SubFlow) or not node.flow:
        return None
    landing = entry_of(flows, node)
    if landing is None or landing in out:
        return None
    if isinstance(node, m.SubFlow):
        return f"flow {node.flow!r} never returns or ends the call, so the call cannot go on from here"
    return f"no way out: no path from flow {landing[0]!r} (node {landing[1]!r}) ends the call"


def _silent_edges(flows: Mapping[str, m.Flow]) -> dict[Key, list[Key]]:
    """Hops that take no input, across flows; a sub-flow continues silently only if it can return silently."""
    returns = {name: _returns_silently(flow) for name, flow in flows.items()}
    edges: dict[Key, list[Key]] = {}
    for flow in flows.values():
        for node in flow.nodes.values():
            if isinstance(node, m.INPUT_NODES):
                continue
            hops: list[Key] = []
            if isinstance(node, m.Goto | m.SubFlow) and node.flow:
                landing = entry_of(flows, node)
                if landing is not None:
                    hops.append(landing)
            if isinstance(node, m.SubFlow):
                local = [node.next] if returns.get(node.flow, False) else []
            else:
                local = list(node.targets())
            hops.extend((flow.name, t) for t in local if t in flow.nodes)
            edges[(flow.name, node.id)] = [k for k in hops if not isinstance(flows[k[0]].nodes[k[1]], m.INPUT_NODES)]
    return edges


def _returns_silently(flow: m.Flow) -> bool:
    """Whether a path from the start reaches ``return`` without asking the caller (nested calls not followed)."""
    seen: set[str] = set()
    todo = [flow.start]
    while todo:
        nid = todo.pop()
        node = flow.nodes.get(nid)
        if nid in seen or node is None or isinstance(node, (*m.INPUT_NODES, m.SubFlow)):
            continue
        if isinstance(node, m.Return):
            return True
        seen.add(nid)
        todo.extend(node.targets())
    return False


def _silent_cycles(flows: Mapping[str, m.Flow]) -> list[list[Key]]:
    """Silent cycles that pass through a goto into another flow or a sub-flow (the others are per flow)."""
    edges = _silent_edges(flows)
    cycles: list[list[Key]] = []
    state: dict[Key, int] = {}  # 1 = on the current path, 2 = done
    for root in edges:
        if root in state:
            continue
        stack: list[tuple[Key, int]] = [(root, 0)]
        path: list[Key] = [root]
        state[root] = 1
        while stack:
            key, index = stack[-1]
            targets = edges.get(key, [])
            if index >= len(targets):
                stack.pop()
                path.pop()
                state[key] = 2
                continue
            stack[-1] = (key, index + 1)
            target = targets[index]
            if state.get(target) == 1:
                cycle = path[path.index(target) :]
                if any(_crosses(flows[f].nodes[n]) for f, n in cycle):
                    cycles.append(cycle)
            elif target not in state and target in edges:
                state[target] = 1
                stack.append((target, 0))
                path.append(target)
    return cycles


def _crosses(node: m.Node) -> bool:
    return isinstance(node, m.SubFlow) or (isinstance(node, m.Goto) and node.flow is not None)
