"""IVR flow files changed from the administration: checked as `contact-center ivr validate` checks them
(against the other flows and the CRM's queues and calendars) before anything is written, the replaced
version kept in the history, written atomically so the registry never reads half a file. Calls in
progress keep the version they started with; new calls take the new one once the registry reloads."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from contact_center.flows.registry import FlowRegistry
from contact_center.flows.validator import flow_files, validate_paths

NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_BYTES = 512 * 1024


class FlowRefused(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SavedVersion:
    id: str  # when it was replaced, e.g. 20261206T101500Z
    path: Path


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise FlowRefused([f"{name}: a flow name is lower-case letters, digits and '_' (it names the file)"])


def check(registry: FlowRegistry, name: str, text: str) -> None:
    """Refuse the text with every problem as ``NAME.yaml:LINE: reason``; nothing is written."""
    check_name(name)
    if len(text.encode()) > MAX_BYTES:
        raise FlowRefused([f"{name}.yaml:1: the file is over {MAX_BYTES // 1024} KiB"])
    with tempfile.TemporaryDirectory(prefix="flow-check-") as scratch:
        folder = Path(scratch)
        for path in flow_files([registry.directory]):
            if path.stem != name:
                shutil.copy(path, folder / path.name)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        known = registry.known
        result = validate_paths(
            [folder],
            queues=set(known.queues) if known.queues is not None else None,
            calendars=set(known.calendars) if known.calendars is not None else None,
            region=registry.region,
        )
    errors = [p for p in result.errors if Path(p.file).stem == name]
    if errors:
        raise FlowRefused([f"{name}.yaml:{p.line}: {p.message}" for p in errors])
    others = [p for p in result.errors if Path(p.file).stem != name and not _broken_before(registry, p.file)]
    if others:  # e.g. a number this flow now claims that another flow has, or a flow it no longer provides
        raise FlowRefused([f"{Path(p.file).name}:{p.line}: {p.message}" for p in others])


def _broken_before(registry: FlowRegistry, file: str) -> bool:
    """A flow that is refused today already is not this change's fault."""
    return Path(file).stem not in registry.current().flows


def save(registry: FlowRegistry, history: Path, name: str, text: str, now: dt.datetime) -> SavedVersion | None:
    """Write the (checked) text as the flow's file; the version it replaces goes to ``history``."""
    target = registry.directory / f"{name}.yaml"
    kept = None
    if target.exists():
        stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        folder = history / name
        folder.mkdir(parents=True, exist_ok=True)
        kept = SavedVersion(stamp, folder / f"{stamp}.yaml")
        shutil.copy2(target, kept.path)
    handle, temporary = tempfile.mkstemp(dir=registry.directory, prefix=f".{name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, target)  # atomic: the registry sees the old file or the new one
    return kept


def versions(history: Path, name: str) -> list[SavedVersion]:
    """Earlier versions of the flow, newest first."""
    folder = history / name
    if not folder.is_dir():
        return []
    return [SavedVersion(p.stem, p) for p in sorted(folder.glob("*.yaml"), reverse=True)]
