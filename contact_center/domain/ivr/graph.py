"""Graph checks on one flow: unknown targets, unreachable nodes, dead ends, loops that take no input."""

from __future__ import annotations

from dataclasses import dataclass

from contact_center.domain.ivr import model as m


@dataclass(frozen=True, slots=True)
class GraphProblem:
    node: str | None  # None: the flow as a whole
    message: str


def check_graph(start: str, nodes: dict[str, m.Node] | m.Flow) -> list[GraphProblem]:
    if isinstance(nodes, m.Flow):
        nodes = dict(nodes.nodes)
    problems: list[GraphProblem] = []
    if start not in nodes:
        problems.append(GraphProblem(None, f"start node {start!r} is not defined"))
    for node in nodes.values():
        for target in dict.fromkeys(node.targets()):
            if target and target not in nodes:  # an empty target was reported where it was read
                problems.append(GraphProblem(node.id, f"node {node.id!r} goes to unknown node {target!r}"))
    edges = {nid: [t for t in node.targets() if t in nodes] for nid, node in nodes.items()}
    reachable = _reach(edges, [start] if start in nodes else [])
    for nid in nodes:
        if nid not in reachable:
            problems.append(GraphProblem(nid, f"node {nid!r} is unreachable from the start node {start!r}"))
    reverse: dict[str, list[str]] = {nid: [] for nid in nodes}
    for nid, targets in edges.items():
        for t in targets:
            reverse[t].append(nid)
    ends = [nid for nid, node in nodes.items() if _ends(node) or "" in node.targets()]
    can_end = _reach(reverse, ends)
    for nid in nodes:
        if nid in reachable and nid not in can_end:
            problems.append(GraphProblem(nid, f"node {nid!r} has no way out: no path from it ends the call"))
    for cycle in _silent_cycles(nodes, edges):
        route = " -> ".join([*cycle, cycle[0]])
        problems.append(GraphProblem(cycle[0], f"loop that takes no input: {route}"))
    return problems


def _ends(node: m.Node) -> bool:
    return isinstance(node, m.END_NODES) or (isinstance(node, m.Goto) and node.flow is not None)


def _reach(edges: dict[str, list[str]], roots: list[str]) -> set[str]:
    seen = set(roots)
    todo = list(roots)
    while todo:
        for target in edges[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _silent_cycles(nodes: dict[str, m.Node], edges: dict[str, list[str]]) -> list[list[str]]:
    """Cycles through nodes that never wait for the caller (menus and collects cut every loop)."""
    silent = {
        nid: [t for t in targets if not isinstance(nodes[t], m.INPUT_NODES)]
        for nid, targets in edges.items()
        if not isinstance(nodes[nid], (*m.INPUT_NODES, m.SubFlow))
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in nodes:
        if root in state or root not in silent:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        state[root] = 1
        while stack:
            nid, index = stack[-1]
            targets = silent.get(nid, [])
            if index >= len(targets):
                stack.pop()
                path.pop()
                state[nid] = 2
                continue
            stack[-1] = (nid, index + 1)
            target = targets[index]
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :])
            elif target not in state and target in silent:
                state[target] = 1
                stack.append((target, 0))
                path.append(target)
    return cycles
