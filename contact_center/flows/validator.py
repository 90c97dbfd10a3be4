"""Validating flow files: schema and graph per file, then what flows refer to across files and in the CRM.

``validate_paths`` is what ``contact-center ivr validate`` runs. Known queue and
calendar names come from the CRM directory; ``None`` skips those checks (the caller
says so to the user). A file with schema errors still has its references checked,
so one run shows every problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from contact_center.domain.ivr import model as m
from contact_center.flows.reader import Problem
from contact_center.flows.references import check_references, node_references
from contact_center.flows.schema import flow_name, read_flow_file

__all__ = ["Validation", "called_flows", "check_references", "flow_files", "validate_paths"]


@dataclass
class Validation:
    flows: dict[str, m.Flow] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

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
    paths: Iterable[Path], *, queues: set[str] | None = None, calendars: set[str] | None = None, region: str = "US"
) -> Validation:
    """Check every file; flows they call that were not named are looked for beside them."""
    result = Validation()
    files = flow_files(paths)
    broken: set[str] = set()
    drafts: list[m.Flow] = []
    for path in files:
        parsed = read_flow_file(path, region=region)
        result.problems.extend(parsed.problems)
        if not path.exists():
            continue
        if parsed.flow is None:
            broken.add(flow_name(path))
            if parsed.draft is not None:
                drafts.append(parsed.draft)
        else:
            result.flows[parsed.flow.name] = parsed.flow
    helpers = _referenced_siblings([*result.flows.values(), *drafts], files, broken, region)
    usable = {**helpers, **result.flows}
    for name, problems in check_references(usable, queues, calendars, broken).items():
        if name in result.flows:
            result.problems.extend(problems)
            if any(p.severity == "error" for p in problems):
                del result.flows[name]
    for draft in drafts:  # refused already; still say what else is wrong with it
        result.problems.extend(node_references(draft, {**usable, draft.name: draft}, queues, calendars, broken))
    result.problems.sort(key=lambda p: (p.file, p.line))
    return result


def _referenced_siblings(
    flows: Iterable[m.Flow], files: list[Path], broken: set[str], region: str
) -> dict[str, m.Flow]:
    """Load flows called by ``flows`` from the same directories; missing ones are reported later."""
    flows = list(flows)
    named = {f.name for f in flows}
    helpers: dict[str, m.Flow] = {}
    folders = list(dict.fromkeys(p.parent for p in files))
    todo = [name for flow in flows for name in called_flows(flow)]
    while todo:
        name = todo.pop()
        if name in named or name in helpers or name in broken:
            continue
        for folder in folders:
            candidate = next(
                (folder / f"{name}{s}" for s in (".yaml", ".yml") if (folder / f"{name}{s}").exists()), None
            )
            if candidate is None:
                continue
            parsed = read_flow_file(candidate, region=region)
            if parsed.flow is None:
                broken.add(name)
            else:
                helpers[name] = parsed.flow
                todo.extend(called_flows(parsed.flow))
            break
    return helpers


def called_flows(flow: m.Flow) -> list[str]:
    return [node.flow for node in flow.nodes.values() if isinstance(node, m.SubFlow | m.Goto) and node.flow]
