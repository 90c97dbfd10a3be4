from __future__ import annotations

import json
from pathlib import Path

import pytest

from contact_center.cli import main

ROOT = Path(__file__).parents[3]


def test_validate_the_shipped_flows_with_the_demo_crm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ivr", "validate", "--demo", str(ROOT / "ivr_flows")]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "0 error(s)" in err


def test_validate_without_crm_says_what_it_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ivr", "validate", str(ROOT / "ivr_flows" / "main.yaml")]) == 0
    assert "queue and calendar names were not checked" in capsys.readouterr().err


def test_validate_prints_file_line_message_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    bad = Path(__file__).parent / "bad_flows" / "graph.yaml"
    assert main(["ivr", "validate", str(bad), str(ROOT / "missing.yaml")]) == 1
    out, err = capsys.readouterr()
    assert f"{bad}:4: node 'a' goes to unknown node 'ghost'" in out.splitlines()
    assert f"{ROOT / 'missing.yaml'}:1: no such file or directory" in err


def test_simulate_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC_IVR_FLOWS_DIR", str(ROOT / "ivr_flows"))
    code = main(
        [
            "ivr",
            "simulate",
            "main",
            "--demo",
            "--ani",
            "(212) 555-0101",
            "--digits",
            "1,2,104521#,0",
            "--at",
            "2026-03-09T10:00-05:00",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert "Your order 1 0 4 5 2 1 shipped on Tuesday, March 3, with UPS." in data["prompts"]
    assert data["inputs"] == [
        {"node": "main_menu", "input": "1"},
        {"node": "latest_order_menu", "input": "2"},
        {"node": "ask_order", "input": "104521#"},
        {"node": "after_order", "input": "0"},
    ]
    assert data["variables"]["customer.id"] == 1
    assert data["result"]["action"] == "queue" and data["result"]["queue"] == "general"
    assert data["trail"]["outcome"] == "queue"


def test_simulate_text_transcript_of_a_flow_file(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ivr", "simulate", str(ROOT / "ivr_flows" / "after_hours.yaml"), "--demo", "--digits", "2"])
    assert code == 0
    out = capsys.readouterr().out
    assert "caller: 2" in out and "result: {'action': 'voicemail'" in out


def test_simulate_rejects_bad_digits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ivr", "simulate", "main", "--demo", "--digits", "1,x"]) == 2
    assert "is not keys" in capsys.readouterr().err


def test_validate_with_the_demo_crm_reports_unknown_queues_and_calendars(capsys: pytest.CaptureFixture[str]) -> None:
    bad = Path(__file__).parent / "bad_flows" / "crm_names.yaml"
    assert main(["ivr", "validate", str(bad)]) == 0  # nothing to check them against
    assert "queue and calendar names were not checked" in capsys.readouterr().err
    assert main(["ivr", "validate", "--demo", str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{bad}:4: hours node 'a': unknown calendar 'weekend-hours' (known: 24x7, sales-hours, support-hours)" in out
    assert any(line.startswith(f"{bad}:8: queue node 'b': unknown queue 'nowhere'") for line in out)


def test_validate_passes_with_only_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flow = tmp_path / "hello.yaml"
    flow.write_text("start: a\nnodes:\n  a:\n    hangup: 'Goodbye {nmae}.'\n")
    assert main(["ivr", "validate", str(flow)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{flow}:4: warning: hangup node 'a': variable 'nmae' is never set on any path to "
        "this node, so it speaks as nothing"
    ]
    assert "0 error(s), 1 warning(s)" in err
