from __future__ import annotations

import asyncio
import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest

from contact_center.domain.ivr import actions as a
from contact_center.domain.ivr.interpreter import begin, step
from contact_center.flows.memory_directory import InMemoryDirectory
from contact_center.flows.registry import FlowRegistry, KnownNames, NoSuchFlow

AT = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)
FLOW = """
start: menu
nodes:
  menu:
    menu: "{greeting}"
    options: {{1: done}}
    fallback: done
  done:
    queue: {queue}
"""


def write(folder: Path, name: str, greeting: str = "Press 1.", queue: str = "general") -> None:
    (folder / f"{name}.yaml").write_text(FLOW.format(greeting=greeting, queue=queue))


def test_loads_a_directory_and_hands_out_flows_by_name(tmp_path: Path) -> None:
    write(tmp_path, "main")
    registry = FlowRegistry(tmp_path)
    assert registry.reload() == []
    assert registry.flow("main").name == "main"
    with pytest.raises(NoSuchFlow):
        registry.flow("sales")


def test_an_invalid_file_keeps_the_last_good_version_and_logs_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "main", "Version one.")
    registry = FlowRegistry(tmp_path)
    registry.reload()
    good = registry.flow("main").version
    (tmp_path / "main.yaml").write_text("start: menu\nnodes:\n  menu:\n    say: broken\n")
    with caplog.at_level(logging.WARNING):
        problems = registry.reload()
    assert any("missing 'next'" in str(p) for p in problems)
    assert registry.flow("main").version == good
    assert "IVR flow refused" in caplog.text


def test_a_call_in_progress_keeps_its_version_across_a_reload(tmp_path: Path) -> None:
    write(tmp_path, "main", "Version one.", queue="general")
    registry = FlowRegistry(tmp_path)
    registry.reload()
    state, actions = begin(registry.current(), "main", a.Start(at=AT, caller="+1"))
    assert isinstance(actions[-1], a.CollectDigits) and actions[-1].prompt is not None
    assert actions[-1].prompt.text == "Version one."
    write(tmp_path, "main", "Version two.", queue="billing")
    assert registry.changed()
    registry.reload()
    _, actions = step(state, a.Digits(at=AT, digits="1"))
    end = actions[-1]
    assert isinstance(end, a.Enqueue) and end.queue == "general"  # the old call, the old flow
    _, fresh = begin(registry.current(), "main", a.Start(at=AT, caller="+1"))
    assert isinstance(fresh[-1], a.CollectDigits) and fresh[-1].prompt is not None
    assert fresh[-1].prompt.text == "Version two."  # a new call, the new flow


def test_unknown_queues_are_refused_when_the_crm_names_are_known(tmp_path: Path) -> None:
    write(tmp_path, "main", queue="nowhere")
    registry = FlowRegistry(tmp_path, queues={"general"}, calendars=set())
    problems = registry.reload()
    assert any("unknown queue 'nowhere'" in str(p) for p in problems)
    assert "main" not in registry.current()


def test_reload_only_when_files_changed(tmp_path: Path) -> None:
    write(tmp_path, "main")
    registry = FlowRegistry(tmp_path)
    registry.reload()
    assert registry.reload_if_changed() is None
    write(tmp_path, "sales", "Sales.")
    assert registry.reload_if_changed() == []
    assert "sales" in registry.current()


def test_the_shipped_flows_load(tmp_path: Path) -> None:
    shutil.copytree(Path(__file__).parents[3] / "ivr_flows", tmp_path / "flows")
    registry = FlowRegistry(
        tmp_path / "flows",
        queues={"general", "billing", "technical", "sales", "retention", "vip"},
        calendars={"support-hours", "sales-hours", "24x7"},
    )
    assert registry.reload() == []
    assert {"main", "sales", "after_hours", "callback_number"} <= set(registry.current().flows)
    assert registry.flow_for("+14155550100").entry == "sales"
    assert registry.flow_for("8005550123").entry == "sales"
    assert registry.flow_for("(415) 555-0190").entry == "after_hours"
    assert registry.flow_for("+14155550142").entry == "main"


MAIN_CALLS_HELPER = """
start: ask
nodes:
  ask:
    subflow: helper
    next: done
  done:
    queue: general
"""
HELPER = """
start: back
nodes:
  back:
    return: true
"""


def test_a_deleted_helper_that_others_call_keeps_its_last_good_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "main.yaml").write_text(MAIN_CALLS_HELPER)
    (tmp_path / "helper.yaml").write_text(HELPER)
    write(tmp_path, "sales")
    registry = FlowRegistry(tmp_path)
    assert registry.reload() == []
    before = registry.current()
    state, _ = begin(before, "main", a.Start(at=AT, caller="+1"))
    (tmp_path / "helper.yaml").unlink()
    with caplog.at_level(logging.ERROR):
        problems = registry.reload()
    assert [p.message for p in problems] == [
        "flow file deleted, but main still use(s) flow 'helper': its last good version "
        f"({before['helper'].version}) stays in service"
    ]
    assert "IVR flow refused or kept at its last good version" in caplog.text
    assert set(registry.current().flows) == {"main", "helper", "sales"}  # main is not taken out of service
    assert registry.current()["helper"] is before["helper"]
    assert state.flows is before  # the call in progress still runs its own snapshot
    # Once nothing calls it any more, the deleted flow goes.
    write(tmp_path, "main")
    assert registry.reload() == []
    assert set(registry.current().flows) == {"main", "sales"}


def test_the_deleted_entry_flow_stays_and_unused_flows_go(tmp_path: Path) -> None:
    write(tmp_path, "main")
    write(tmp_path, "sales")
    registry = FlowRegistry(tmp_path, entry="main")
    registry.reload()
    (tmp_path / "main.yaml").unlink()
    (tmp_path / "sales.yaml").unlink()
    problems = registry.reload()
    assert len(problems) == 1 and "the server (its entry flow) still use(s) flow 'main'" in problems[0].message
    assert set(registry.current().flows) == {"main"}


def test_queue_names_are_read_again_at_each_refresh(tmp_path: Path) -> None:
    write(tmp_path, "main", queue="brand_new")
    crm = InMemoryDirectory(queues={"general"})
    registry = FlowRegistry(tmp_path)
    asyncio.run(registry.refresh(crm))
    assert "main" not in registry.current()  # the queue does not exist yet
    assert asyncio.run(registry.refresh(crm)) is None  # nothing changed: no reload
    crm.queues.add("brand_new")  # created in the CRM after start-up; the file is unchanged
    assert asyncio.run(registry.refresh(crm)) == []
    assert registry.flow("main").nodes["done"].queue == "brand_new"  # type: ignore[attr-defined]


def test_reload_if_changed_takes_names_and_an_unreadable_crm_keeps_the_last_ones(tmp_path: Path) -> None:
    write(tmp_path, "main", queue="general")
    registry = FlowRegistry(tmp_path)
    registry.reload(KnownNames(frozenset({"general"}), None))
    assert registry.reload_if_changed(KnownNames(frozenset({"general"}), None)) is None
    problems = registry.reload_if_changed(KnownNames(frozenset({"billing"}), None))
    assert problems is not None and len(problems) == 1 and "unknown queue 'general'" in str(problems[0])
    assert "main" in registry.current()  # refused now, so its last good version stays

    class Down(InMemoryDirectory):
        async def queue_names(self) -> set[str]:
            raise ConnectionError("database unavailable")

    write(tmp_path, "main", "Edited.", queue="general")
    assert asyncio.run(registry.refresh(Down())) is not None  # the edit is still seen, checked with the last names
    assert registry.queues == frozenset({"billing"})


def numbered(folder: Path, name: str, *numbers: str) -> None:
    listed = ", ".join(f'"{n}"' for n in numbers)
    (folder / f"{name}.yaml").write_text(f"numbers: [{listed}]\n" + FLOW.format(greeting=name, queue="general"))


def test_the_dialled_number_picks_the_flow_and_anything_else_gets_the_entry_flow(tmp_path: Path) -> None:
    write(tmp_path, "main")
    numbered(tmp_path, "sales", "+1 (415) 555-0100", "415-555-0101")
    registry = FlowRegistry(tmp_path, entry="main", region="US")
    assert registry.reload() == []
    for dialled in ("+14155550100", "4155550100", "(415) 555-0101", "0014155550100"):
        route = registry.flow_for(dialled)
        assert route.entry == "sales" and route.flow is registry.current()["sales"], dialled
        assert route.flows is registry.current()
    for dialled in ("", "2000", "+14155550199", "anonymous"):
        assert registry.flow_for(dialled).entry == "main", dialled
    _state, actions = begin(*registry.flow_for("4155550100"), a.Start(at=AT, caller="+1", dialed="4155550100"))
    assert isinstance(actions[-1], a.CollectDigits) and actions[-1].prompt is not None
    assert actions[-1].prompt.text == "sales"
    with pytest.raises(NoSuchFlow):
        FlowRegistry(tmp_path, entry="nowhere").flow_for("2000")


def test_a_number_already_in_service_stays_with_its_flow_when_another_claims_it(tmp_path: Path) -> None:
    write(tmp_path, "main")
    numbered(tmp_path, "sales", "+14155550100")
    registry = FlowRegistry(tmp_path)
    registry.reload()
    numbered(tmp_path, "support", "415 555 0100")  # a new flow claims the sales number
    numbered(tmp_path, "sales", "+14155550100", "+14155550101")  # while sales is edited
    problems = registry.reload()
    assert [p.message for p in problems] == [
        "number +14155550100 is also claimed by flow 'sales': a dialled number starts one flow; 'sales' keeps it"
    ]
    assert "support" not in registry.current()
    assert registry.current()["sales"].numbers == ("+14155550100", "+14155550101")  # the edit loaded
    assert registry.flow_for("+14155550100").entry == "sales"
