"""The flow registry: the current good version of every flow in a directory, handed out as snapshots.

``reload()`` reads every file again. A file with errors is refused and its last
good version stays in service (the problems are logged and returned). ``current()``
returns an immutable ``FlowSet``; a call keeps the one it started with, so a
reload never changes a call in progress.
"""

from __future__ import annotations

import logging
from pathlib import Path

from contact_center.domain.ivr.model import Flow, FlowSet
from contact_center.ivr.reader import Problem
from contact_center.ivr.schema import flow_name, load_flow_file
from contact_center.ivr.validator import check_references, flow_files

log = logging.getLogger(__name__)


class NoSuchFlow(LookupError):
    """No good version of this flow has ever loaded."""


class FlowRegistry:
    def __init__(self, directory: Path, *, queues: set[str] | None = None, calendars: set[str] | None = None) -> None:
        self.directory = directory
        self.queues = queues
        self.calendars = calendars
        self._good: dict[str, Flow] = {}
        self._snapshot = FlowSet.of()
        self._stamps: dict[Path, tuple[int, int]] = {}

    def current(self) -> FlowSet:
        return self._snapshot

    def flow(self, name: str) -> Flow:
        try:
            return self._snapshot[name]
        except KeyError:
            raise NoSuchFlow(name) from None

    def set_known_names(self, *, queues: set[str] | None, calendars: set[str] | None) -> None:
        """Names from the CRM to check flows against from the next reload on."""
        self.queues, self.calendars = queues, calendars

    def reload(self) -> list[Problem]:
        """Load every flow file again; returns the problems (errors mean that file kept its old version)."""
        files = flow_files([self.directory])
        self._stamps = {p: _stamp(p) for p in files}
        problems: list[Problem] = []
        fresh: dict[str, Flow] = {}
        broken: set[str] = set()
        for path in files:
            flow, found = load_flow_file(path)
            problems.extend(found)
            if flow is not None:
                fresh[flow.name] = flow
            else:
                broken.add(flow_name(path))
        candidates = {**{n: f for n, f in self._good.items() if n in broken}, **fresh}
        # Refusing one flow can break the flows that call it, so settle until nothing changes.
        while True:
            found_now = check_references(candidates, self.queues, self.calendars, broken - set(candidates))
            bad = {n for n, ps in found_now.items() if any(p.severity == "error" for p in ps)}
            if not bad:
                break
            for name in bad:
                problems.extend(found_now[name])
                old = self._good.get(name)
                if old is not None and candidates[name] is not old:
                    candidates[name] = old
                else:
                    del candidates[name]
        for problem in problems:
            log.warning("IVR flow refused or suspicious: %s", problem)
        for name in sorted(set(candidates) - set(self._good)):
            log.info("IVR flow %s loaded (version %s)", name, candidates[name].version)
        for name, flow in candidates.items():
            old = self._good.get(name)
            if old is not None and old.version != flow.version:
                log.info("IVR flow %s reloaded: version %s -> %s", name, old.version, flow.version)
        self._good = candidates
        self._snapshot = FlowSet.of(*candidates.values())
        return problems

    def changed(self) -> bool:
        """Whether any flow file was added, removed or modified since the last reload."""
        files = flow_files([self.directory])
        return set(files) != set(self._stamps) or any(_stamp(p) != self._stamps[p] for p in files)

    def reload_if_changed(self) -> list[Problem] | None:
        return self.reload() if self.changed() else None


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)
