from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest

from contact_center.domain.ivr import actions as a
from contact_center.domain.ivr.interpreter import begin, step
from contact_center.ivr.registry import FlowRegistry, NoSuchFlow

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
    registry = FlowRegistry(tmp_path / "flows", queues={"general", "billing", "technical", "sales", "retention", "vip"},
                            calendars={"support-hours", "sales-hours", "24x7"})  # fmt: skip
    assert registry.reload() == []
    assert {"main", "sales", "after_hours"} <= set(registry.current().flows)
