"""The flow registry: the current good version of every flow in a directory, handed out as snapshots.

``reload()`` reads every file again. A file with errors is refused and its last
good version stays in service (the problems are logged and returned). A deleted
file that other flows still call, or the entry flow, also keeps its last good
version (logged as an error) instead of taking its callers down with it.
``current()`` returns an immutable ``FlowSet``; a call keeps the one it started
with, so a reload never changes a call in progress.

Queue and calendar names are checked as the CRM has them at each reload:
``refresh(directory)`` reads them and reloads when they or the files changed.
``flow_for(dialled)`` picks the flow whose ``numbers`` list the dialled number.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from contact_center.crm.phones import try_e164
from contact_center.domain.ivr.model import Flow, FlowSet
from contact_center.flows.directory import Directory
from contact_center.flows.reader import Problem
from contact_center.flows.references import check_references
from contact_center.flows.schema import flow_name, load_flow_file
from contact_center.flows.validator import called_flows, flow_files

log = logging.getLogger(__name__)


class NoSuchFlow(LookupError):
    """No good version of this flow has ever loaded."""


@dataclass(frozen=True)
class KnownNames:
    """The CRM's queue and calendar names; ``None`` skips that check (an empty, unseeded CRM)."""

    queues: frozenset[str] | None = None
    calendars: frozenset[str] | None = None


async def known_names(directory: Directory) -> KnownNames:
    queues, calendars = await directory.queue_names(), await directory.calendar_names()
    return KnownNames(frozenset(queues) or None, frozenset(calendars) or None)


class Route(NamedTuple):
    """What a call starts with: the flows snapshot and the name of its entry flow in it."""

    flows: FlowSet
    entry: str

    @property
    def flow(self) -> Flow:
        return self.flows[self.entry]


class FlowRegistry:
    def __init__(
        self,
        directory: Path,
        *,
        queues: set[str] | None = None,
        calendars: set[str] | None = None,
        entry: str = "main",
        region: str = "US",
    ) -> None:
        self.directory = directory
        self.entry = entry
        self.region = region
        self.known = KnownNames(_frozen(queues), _frozen(calendars))
        self._good: dict[str, Flow] = {}
        self._snapshot = FlowSet.of()
        self._numbers: dict[str, str] = {}
        self._stamps: dict[Path, tuple[int, int]] = {}
        self._checked_with = self.known

    @property
    def queues(self) -> frozenset[str] | None:
        return self.known.queues

    @property
    def calendars(self) -> frozenset[str] | None:
        return self.known.calendars

    def current(self) -> FlowSet:
        return self._snapshot

    def flow(self, name: str) -> Flow:
        try:
            return self._snapshot[name]
        except KeyError:
            raise NoSuchFlow(name) from None

    def flow_for(self, dialled: str) -> Route:
        """The flow for a dialled number (any format, or a SIP user part); else the entry flow.

        Raises ``NoSuchFlow`` when neither is loaded.
        """
        snapshot, numbers = self._snapshot, self._numbers  # one consistent pair, even across a reload
        number = try_e164(dialled, self.region) if dialled else None
        name = numbers.get(number or "", self.entry)
        if name not in snapshot:
            raise NoSuchFlow(name)
        return Route(snapshot, name)

    def reload(self, known: KnownNames | None = None) -> list[Problem]:
        """Load every flow file again; returns the problems (errors mean that file kept its old version)."""
        if known is not None:
            self.known = known
        files = flow_files([self.directory])
        self._stamps = {p: _stamp(p) for p in files}
        self._checked_with = self.known
        problems: list[Problem] = []
        fresh: dict[str, Flow] = {}
        broken: set[str] = set()
        for path in files:
            flow, found = load_flow_file(path, region=self.region)
            problems.extend(found)
            if flow is not None:
                fresh[flow.name] = flow
            else:
                broken.add(flow_name(path))
        candidates = {**{n: f for n, f in self._good.items() if n in broken}, **fresh}
        problems.extend(self._keep_deleted(candidates, {flow_name(p) for p in files}))
        candidates = self._settle(candidates, broken, problems)
        problems = list(dict.fromkeys(problems))  # a flow checked again at its old version says the same
        self._log(problems, candidates)
        self._good = candidates
        self._snapshot = FlowSet.of(*candidates.values())
        self._numbers = {number: f.name for f in candidates.values() for number in f.numbers}
        return problems

    def _keep_deleted(self, candidates: dict[str, Flow], on_disk: set[str]) -> list[Problem]:
        """Deleted flows that are still called (or are the entry flow) stay at their last good version."""
        deleted = {n: f for n, f in self._good.items() if n not in on_disk}
        problems: list[Problem] = []
        callers: dict[str, list[str]] = {}
        todo = [(name, caller.name) for caller in candidates.values() for name in called_flows(caller)]
        todo.append((self.entry, "the server (its entry flow)"))
        while todo:
            name, caller = todo.pop()
            if name not in deleted:
                continue
            if name not in callers:
                candidates[name] = deleted[name]
                todo.extend((called, name) for called in called_flows(deleted[name]))
            callers.setdefault(name, []).append(caller)
        for name, users in sorted(callers.items()):
            message = (
                f"flow file deleted, but {', '.join(sorted(set(users)))} still use(s) flow {name!r}: "
                f"its last good version ({deleted[name].version}) stays in service"
            )
            problems.append(Problem(deleted[name].source, 1, message))
        for name in sorted(set(deleted) - set(callers)):
            log.info("IVR flow %s removed (its file was deleted)", name)
        return problems

    def _settle(self, candidates: dict[str, Flow], broken: set[str], problems: list[Problem]) -> dict[str, Flow]:
        # Refusing one flow can break the flows that call it, so settle until nothing changes.
        owners = {number: name for name, f in self._good.items() for number in f.numbers}
        queues = set(self.known.queues) if self.known.queues is not None else None
        calendars = set(self.known.calendars) if self.known.calendars is not None else None
        stale: set[str] = set()  # last good versions kept in service although the CRM changed under them
        while True:
            found_now = check_references(candidates, queues, calendars, broken - set(candidates), owners)
            bad = {n for n, ps in found_now.items() if n not in stale and any(p.severity == "error" for p in ps)}
            if not bad:
                problems.extend(p for ps in found_now.values() for p in ps if p.severity == "warning")
                return candidates
            for name in bad:
                problems.extend(p for p in found_now[name] if p.severity == "error")
                old = self._good.get(name)
                if old is None:
                    del candidates[name]
                elif candidates[name] is not old:
                    candidates[name] = old
                else:  # e.g. a queue it uses was deleted: serving the old version beats serving nothing
                    stale.add(name)

    def _log(self, problems: list[Problem], candidates: Mapping[str, Flow]) -> None:
        for problem in problems:
            if problem.severity == "error":
                log.error("IVR flow refused or kept at its last good version: %s", problem)
            else:
                log.warning("IVR flow suspicious: %s", problem)
        for name in sorted(set(candidates) - set(self._good)):
            log.info("IVR flow %s loaded (version %s)", name, candidates[name].version)
        for name, flow in candidates.items():
            old = self._good.get(name)
            if old is not None and old.version != flow.version:
                log.info("IVR flow %s reloaded: version %s -> %s", name, old.version, flow.version)

    def changed(self) -> bool:
        """Whether any flow file was added, removed or modified since the last reload."""
        files = flow_files([self.directory])
        return set(files) != set(self._stamps) or any(_stamp(p) != self._stamps[p] for p in files)

    def reload_if_changed(self, known: KnownNames | None = None) -> list[Problem] | None:
        """Reload when a file changed or the CRM's names differ from those of the last reload; else None."""
        if known is not None:
            self.known = known
        if self.changed() or self.known != self._checked_with:
            return self.reload()
        return None

    async def refresh(self, directory: Directory) -> list[Problem] | None:
        """Read the CRM's queue and calendar names, then ``reload_if_changed``; what the flow watcher calls.

        When the CRM cannot be read the names of the last reload are kept (file changes still load).
        """
        try:
            known = await known_names(directory)
        except Exception as exc:  # the CRM being down must not stop flow edits from loading
            log.warning("IVR flows: cannot read queue and calendar names (%s); checking against the last ones", exc)
            known = None
        return self.reload_if_changed(known)


def _frozen(names: set[str] | frozenset[str] | None) -> frozenset[str] | None:
    return frozenset(names) if names is not None else None


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)
