"""`contact-center config export | plan | apply` as an admin runs them: configuration as code."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from contact_center.store.engine import engine_for_url
from contact_center.store.tables import AuditEntry, Queue

from .test_commands import cli


def _seeded(tmp_path: Path) -> None:
    seeded = cli(tmp_path, "seed", "--customers", "10")
    assert seeded.returncode == 0, seeded.stderr


def _export(tmp_path: Path) -> dict[str, Any]:
    exported = cli(tmp_path, "config", "export")
    assert exported.returncode == 0, exported.stderr
    document: dict[str, Any] = yaml.safe_load(exported.stdout)
    return document


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _in_order(document: dict[str, Any]) -> dict[str, Any]:
    return {
        kind: sorted(items, key=lambda i: i.get("name") or i.get("code") or i["username"])
        for kind, items in document.items()
    }


def _stored(tmp_path: Path, query: Any) -> list[Any]:
    async def go() -> list[Any]:
        engine = engine_for_url(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(query)).all())
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_export_then_apply_changes_nothing(tmp_path: Path) -> None:
    _seeded(tmp_path)
    document = _export(tmp_path)
    assert {q["name"] for q in document["queues"]} >= {"general", "billing"}
    path = _write(tmp_path, "all.yaml", document)
    planned = cli(tmp_path, "config", "plan", str(path))
    assert (planned.returncode, planned.stdout.strip()) == (0, "no changes")
    applied = cli(tmp_path, "config", "apply", str(path))
    assert applied.returncode == 0 and "no changes" in applied.stdout
    assert _stored(tmp_path, select(AuditEntry.id)) == []
    assert _export(tmp_path) == document


def test_plan_shows_each_kind_of_change_and_apply_makes_it(tmp_path: Path) -> None:
    _seeded(tmp_path)
    document = _export(tmp_path)
    copied = {**document["queues"][0], "name": "billing-eu", "sl_threshold_seconds": 40}
    document["queues"].append(copied)  # an item copied with a new name is a new queue
    document["queues"][1]["wrapup_seconds"] = 75
    changed = document["queues"][1]["name"]
    removed = document["dispositions"].pop()["code"]
    document["skills"].append({"name": "latin", "description": "Reads Latin"})
    path = _write(tmp_path, "change.yaml", document)

    planned = cli(tmp_path, "config", "plan", str(path))
    assert planned.returncode == 2, planned.stderr
    assert planned.stdout.splitlines() == [
        "+ skill latin",
        "+ queue billing-eu",
        f"~ queue {changed}: wrapup_seconds",
        f"- disposition {removed}",
    ]
    applied = cli(tmp_path, "config", "apply", str(path))
    assert applied.returncode == 0, applied.stderr
    assert _export(tmp_path) == _in_order(document)  # export lists each kind by name
    assert cli(tmp_path, "config", "plan", str(path)).returncode == 0
    trail = _stored(tmp_path, select(AuditEntry.action, AuditEntry.target, AuditEntry.actor).order_by(AuditEntry.id))
    assert sorted((action, target) for action, target, _ in trail) == sorted(
        [
            ("skill.create", "skill:latin"),
            ("queue.create", "queue:billing-eu"),
            ("queue.change", f"queue:{changed}"),
            ("disposition.remove", f"disposition:{removed}"),
        ]
    )
    assert all(actor.startswith("cli:") for _, _, actor in trail)


def test_a_broken_file_is_refused_with_file_and_line_and_changes_nothing(tmp_path: Path) -> None:
    _seeded(tmp_path)
    before = _export(tmp_path)
    document = _export(tmp_path)
    document["queues"].append({**document["queues"][0], "name": "fine-new-queue"})  # valid on its own
    document["queues"][0]["strategy"] = "fastest"
    document["queues"][1]["calendar"] = "nowhere"
    document["nonsense"] = []
    path = _write(tmp_path, "broken.yaml", document)
    lines = path.read_text().splitlines()
    strategy_line = next(n for n, text in enumerate(lines, 1) if "strategy: fastest" in text)
    calendar_line = next(n for n, text in enumerate(lines, 1) if "calendar: nowhere" in text)
    nonsense_line = next(n for n, text in enumerate(lines, 1) if text.startswith("nonsense:"))

    for action in ("plan", "apply"):
        refused = cli(tmp_path, "config", action, str(path))
        assert refused.returncode == 1, (action, refused.stdout)
        problems = [line for line in refused.stderr.splitlines() if line.startswith(str(path))]
        assert [int(p.split(":")[1]) for p in problems] == sorted([strategy_line, calendar_line, nonsense_line])
        assert "strategy" in problems[0] and "nothing was changed" in refused.stderr
    assert _export(tmp_path) == before
    assert _stored(tmp_path, select(Queue.name).where(Queue.name == "fine-new-queue")) == []

    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("queues:\n  - name: a\n    strategy: [unclosed\n")
    refused = cli(tmp_path, "config", "plan", str(syntax))
    assert refused.returncode == 1 and refused.stderr.startswith(f"{syntax}:")
    missing = cli(tmp_path, "config", "apply", str(tmp_path / "none.yaml"))
    assert missing.returncode == 1 and "none.yaml:1: cannot read the file" in missing.stderr


def test_users_come_and_change_through_the_file_but_are_never_removed_by_it(tmp_path: Path) -> None:
    _seeded(tmp_path)
    before = _export(tmp_path)["users"]
    assert before and all("password" not in u and "password_hash" not in u for u in before)
    newcomer = {
        "username": "kofi",
        "display_name": "Kofi Mensah",
        "role": "agent",
        "extension": "2099",
        "team": None,
        "active": True,
        "skills": {"english": 6},
        "queues": {"general": 1},
    }
    document = {"users": [newcomer]}  # only kofi: everyone else is left alone, never removed
    path = _write(tmp_path, "users.yaml", document)
    planned = cli(tmp_path, "config", "plan", str(path))
    assert (planned.returncode, planned.stdout.splitlines()) == (2, ["+ user kofi"]), planned.stderr
    assert cli(tmp_path, "config", "apply", str(path)).returncode == 0
    after = {u["username"]: u for u in _export(tmp_path)["users"]}
    assert after["kofi"] == newcomer and {u["username"] for u in before} < set(after)

    newcomer["queues"] = {"general": 1, "nowhere": 2}
    path = _write(tmp_path, "users.yaml", {"users": [newcomer]})
    refused = cli(tmp_path, "config", "plan", str(path))
    queues_line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.strip() == "queues:")
    assert (
        refused.returncode == 1 and f"{path}:{queues_line}: user kofi: no queue 'nowhere' is stored" in refused.stderr
    )
