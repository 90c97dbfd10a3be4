"""Every validator message, each from a bad file under bad_flows/, at the line it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from contact_center.flows.validator import validate_paths

BAD = Path(__file__).parent / "bad_flows"
SHIPPED = Path(__file__).parents[3] / "ivr_flows"
QUEUES = {"general", "billing", "technical", "sales", "retention", "vip"}
CALENDARS = {"support-hours", "sales-hours", "24x7"}

CASES = [
    ("yaml_syntax", 5, "YAML syntax error"),
    ("not_a_mapping", 1, "a flow file must be a mapping with 'start' and 'nodes'"),
    ("top_level", 8, "unknown key 'nodez' (known: flow, description, start"),
    ("top_level", 1, "flow is named 'something_else' but the file makes it 'top_level'"),
    ("top_level", 3, "'languages' must be a list like [en, es]"),
    ("top_level", 4, "default language 'fr' is not one of the flow's languages (en)"),
    ("top_level", 6, "unknown default 'colour'"),
    ("top_level", 1, "missing 'nodes': a mapping of node id to node"),
    ("top_level", 7, "'max_inputs' must be a whole number from 1 to 1000, got 0"),
    ("duplicate_key", 6, "duplicate key 'a' (first on line 3)"),
    ("missing_start", 1, "missing 'start': the id of the first node"),
    ("node_types", 4, "node 'a' has no type; give exactly one of: say, menu"),
    ("node_types", 6, "node 'b' has several types (menu, hangup)"),
    ("node_types", 8, "node 'c' must be a mapping with one of"),
    ("node_types", 9, "node id 1 must be text (quote it)"),
    ("node_types", 13, "say node 'd': unknown key 'nxt' (allowed: next)"),
    ("node_types", 12, "say node 'd': missing 'next' (the node to go to next)"),
    ("prompts", 5, "say node 'a': missing prompt ('say' needs text or audio)"),
    ("prompts", 8, "say node 'b': language 'fr' is not one of the flow's languages (en, es)"),
    ("prompts", 11, "say node 'c': prompt 'say' has no 'es' text (the flow speaks en, es)"),
    ("prompts", 14, "voicemail node 'd': missing voicemail prompt ('prompt' needs text or audio)"),
    ("prompts", 16, "say node 'e': audio must be a file name, got 42"),
    ("menu", 6, "menu node 'a': a menu needs 'options': a mapping of key to node"),
    ("menu", 6, "menu node 'a': 'retries' must be a whole number from 0 to 10, got 20"),
    ("menu", 10, "menu node 'b': option 11 is not a phone key (0-9, * or #)"),
    ("menu", 10, "menu node 'b': option '2' must name a node, got ['z']"),
    ("menu", 11, "menu node 'b': 'timeout' must be a number from 1 to 60, got 0"),
    ("menu", 13, "menu node 'c': missing 'fallback'"),
    ("collect", 5, "collect node 'a': min_length 8 is greater than max_length 4"),
    ("collect", 7, "collect node 'a': terminator must be '#', '*' or null, got 'X'"),
    ("collect", 8, "collect node 'a': pattern '[0-9' is not a regular expression"),
    ("collect", 4, "collect node 'a': missing 'into' (a variable name)"),
    (
        "lookup",
        4,
        "lookup node 'a': cannot look up 'invoice' (known: customer, order, case, account_manager, contract, equipment, visit)",
    ),
    ("lookup", 9, "lookup node 'b': cannot look up 'order' by 'phone' (by: number, customer)"),
    ("lookup", 14, "lookup node 'c': 'into' must be a variable name like order_number, got 'bad name'"),
    ("lookup", 13, "lookup node 'c': missing 'found'"),
    ("branch", 5, "branch node 'a': each case needs exactly 'if' and 'then'"),
    ("branch", 6, "branch node 'a': condition 'order.status ==' ends too early"),
    ("branch", 8, "branch node 'a': 'then' must be a node id, got ['z']"),
    ("branch", 12, "branch node 'b': 'branch' must be a list of {if: CONDITION, then: NODE}"),
    ("templates", 4, "say node 'a': unbalanced '{' in 'Your order {order.number is ready'"),
    ("templates", 7, "say node 'b': unknown filter 'shout'"),
    ("graph", 4, "node 'a' goes to unknown node 'ghost'"),
    ("graph", 7, "node 'orphan' is unreachable from the start node 'a'"),
    ("dead_end", 4, "node 'a' has no way out: no path from it ends the call"),
    ("silent_loop", 4, "loop that takes no input: a -> b -> a"),
    ("crm_names", 4, "hours node 'a': unknown calendar 'weekend-hours' (known: 24x7, sales-hours, support-hours)"),
    ("crm_names", 8, "queue node 'b': unknown queue 'nowhere' (known: billing, general, retention"),
    ("crm_names", 10, "voicemail node 'c': unknown queue 'no-mailbox'"),
    ("flows", 4, "subflow node 'a': unknown flow 'missing_flow' (no missing_flow.yaml beside this file)"),
    ("flows", 7, "subflow node 'b': flow 'broken_helper' has errors and cannot be used"),
    ("flows", 10, "goto node 'c': flow 'good_helper' has no node 'nope'"),
    ("values", 4, "set node 'a': 'bad name' is not a variable name"),
    ("values", 4, "set node 'a': variable 'ok' must be text, a number, true/false or null, got [1, 2]"),
    ("values", 7, "set node 'b': 'set' must be a mapping of variable name to value"),
    ("values", 10, "transfer node 'c': 'transfer' must be a quoted phone number"),
    ("values", 12, "goto node 'd': 'goto' must be a node id or {flow: NAME, node: NODE}"),
    ("values", 14, "queue node 'e': 'queue' must name a queue, got 5"),
    ("values", 15, "queue node 'e': 'skills' must be a list of skill names, got 'billing'"),
    ("values", 16, "queue node 'e': 'priority' must be a whole number from 0 to 100, got 500"),
    ("values", 18, "hours node 'f': 'hours' must name a calendar, got 24"),
    ("messages", 5, "queue node 'a': 'data' must be a mapping of name to value"),
    ("messages", 6, "queue node 'a': 'agent' must be text, got ['maria']"),
    ("messages", 8, "subflow node 'b': 'subflow' must name a flow, got ['x']"),
    ("messages", 11, "voicemail node 'c': 'voicemail' must name a mailbox, got ''"),
    ("messages", 13, "voicemail node 'c': 'max_seconds' must be a whole number from 5 to 600, got 1000"),
    ("messages", 15, "say node 'd': a prompt needs text or audio"),
    ("messages", 18, "say node 'e': prompt 'say' must be non-empty text or {audio: FILE, text: ...}, got ''"),
    ("messages", 22, "callback node 'f': 'number' must be text, got {'x': 1}"),
    ("defaults", 2, "'defaults' must be a mapping"),
    ("complex_key", 3, "a mapping key must be a plain value"),
    ("menu_keys", 7, "menu node 'a': option '1' is given twice (as 1 and '1')"),
    ("phones", 2, "number in 'numbers': 'not a number' is not a phone number"),
    ("phones", 2, "number '(415) 555-0100' (+14155550100) is listed twice (first on line 2)"),
    ("phones", 2, "number 4155550101 in 'numbers' must be quoted text"),
    ("phones", 9, "transfer node 'b': 'transfer' must be a phone number: '12345' has the wrong number of digits"),
    ("phones", 12, "callback node 'c': 'number' must be a phone number: '555' has the wrong number of digits"),
    ("audio", 4, "audio file 'no_such_greeting.wav' not found (looked for "),
    # References are checked although the file has schema errors elsewhere.
    ("refs_despite_errors", 4, "say node 'a': missing 'next'"),
    ("refs_despite_errors", 6, "queue node 'b': unknown queue 'nowhere'"),
    ("refs_despite_errors", 8, "hours node 'c': unknown calendar 'weekend-hours'"),
    ("refs_despite_errors", 12, "subflow node 'd': unknown flow 'missing_flow'"),
    # Across flows: mutual gotos with no input, a flow calling itself, jumps into flows with no way out.
    ("ping", 4, "say node 'hello': loop that takes no input: ping:hello -> ping:over -> pong:hello -> pong:back"),
    ("pong", 4, "say node 'hello': loop that takes no input: pong:hello -> pong:back -> ping:hello -> ping:over"),
    ("recursive", 4, "subflow node 'again': loop that takes no input: recursive:again -> recursive:again"),
    ("recursive", 4, "subflow node 'again': flow 'recursive' never returns or ends the call"),
    ("menu_ping", 8, "goto node 'over': no way out: no path from flow 'menu_pong' (node 'ask') ends the call"),
    ("menu_pong", 8, "goto node 'back': no way out: no path from flow 'menu_ping' (node 'ask') ends the call"),
]


@pytest.mark.parametrize(("name", "line", "message"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_each_problem_is_reported_at_its_line(name: str, line: int, message: str) -> None:
    path = BAD / f"{name}.yaml"
    result = validate_paths([path], queues=QUEUES, calendars=CALENDARS)
    printed = [str(p) for p in result.problems]
    assert any(text.startswith(f"{path}:{line}: ") and message in text for text in printed), printed
    assert not result.ok and name not in result.flows


def test_every_bad_file_is_refused() -> None:
    result = validate_paths([BAD], queues=QUEUES, calendars=CALENDARS)
    assert sorted(result.flows) == ["good_helper"]


def test_yaml_errors_and_unreadable_files(tmp_path: Path) -> None:
    control = tmp_path / "control.yaml"
    control.write_text("start: a\nnodes:\n  a: \x07\n")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"start: a\n\xff\xfe\n")
    printed = [str(p) for p in validate_paths([control, binary]).problems]
    assert f"{binary}:1: cannot read the file: 'utf-8' codec can't decode byte 0xff" in printed[0]
    assert (
        printed[1] == f"{control}:3: YAML error: character #x0007 is not allowed (special characters are not allowed)"
    )


def test_an_audio_file_beside_the_flow_is_found_and_opened_from_there(tmp_path: Path) -> None:
    (tmp_path / "hello.wav").write_bytes(b"RIFF")
    (tmp_path / "hi.yaml").write_text(
        "start: a\nnodes:\n  a:\n    say: {audio: hello.wav, text: Hi}\n    next: z\n  z:\n    hangup: true\n"
    )
    result = validate_paths([tmp_path / "hi.yaml"])
    assert result.ok, [str(p) for p in result.problems]
    variant = result.flows["hi"].nodes["a"].prompt.variants["*"]  # type: ignore[attr-defined]
    assert variant.audio == str(tmp_path / "hello.wav")


def test_a_number_claimed_by_two_flows_is_an_error_in_both(tmp_path: Path) -> None:
    flow = 'numbers: ["{number}"]\nstart: a\nnodes:\n  a:\n    hangup: true\n'
    (tmp_path / "one.yaml").write_text(flow.format(number="+1 (415) 555-0100"))
    (tmp_path / "two.yaml").write_text(flow.format(number="415.555.0100"))
    result = validate_paths([tmp_path])
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'one.yaml'}:1: number +14155550100 is also claimed by flow 'two': a dialled number starts one flow",
        f"{tmp_path / 'two.yaml'}:1: number +14155550100 is also claimed by flow 'one': a dialled number starts one flow",
    ]
    assert result.flows == {}


def test_numbers_are_read_in_the_given_region(tmp_path: Path) -> None:
    (tmp_path / "uk.yaml").write_text('numbers: ["020 7946 0000"]\nstart: a\nnodes:\n  a:\n    hangup: true\n')
    assert validate_paths([tmp_path], region="GB").flows["uk"].numbers == ("+442079460000",)


def test_a_variable_no_path_sets_is_a_warning_and_the_flow_still_loads(tmp_path: Path) -> None:
    (tmp_path / "typo.yaml").write_text(
        "start: who\nnodes:\n  who:\n    lookup: customer\n    found: hi\n    not_found: hi\n"
        "  hi:\n    say: 'Hello {customer.first_name} {custmer.last_name}, you dialled {dialed}. {too_late}'\n"
        "    next: later\n"
        "  later:\n    set: {too_late: x}\n    next: bye\n"
        "  bye:\n    hangup: 'Goodbye {too_late}, {never_here}.'\n"
    )
    result = validate_paths([tmp_path])
    assert result.ok and "typo" in result.flows
    typo = tmp_path / "typo.yaml"
    assert [str(p) for p in result.problems] == [
        f"{typo}:8: warning: say node 'hi': variable 'custmer.last_name' is never set on any path to this node, "
        "so it speaks as nothing",
        f"{typo}:8: warning: say node 'hi': variable 'too_late' is never set on any path to this node, "
        "so it speaks as nothing",  # it is set, but only after
        f"{typo}:14: warning: hangup node 'bye': variable 'never_here' is never set on any path to this node, "
        "so it speaks as nothing",
    ]


def test_crm_names_are_only_checked_when_known() -> None:
    result = validate_paths([BAD / "crm_names.yaml"])
    assert result.ok and result.problems == []


def test_the_shipped_flows_validate_against_the_demo_queues_and_calendars() -> None:
    result = validate_paths([SHIPPED], queues=QUEUES, calendars=CALENDARS)
    assert [str(p) for p in result.problems] == []
    assert {"main", "sales", "after_hours", "order_status", "say_order"} <= set(result.flows)


def test_flows_called_from_a_file_are_found_beside_it() -> None:
    result = validate_paths([SHIPPED / "main.yaml"], queues=QUEUES, calendars=CALENDARS)
    assert result.ok and list(result.flows) == ["main"]


def test_a_node_may_carry_a_label_for_people_and_a_bad_one_is_refused_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "lab.yaml").write_text(
        "start: a\nnodes:\n  a:\n    label: 'Main menu'\n    say: hi\n    next: b\n"
        "  b:\n    label: 7\n    hangup: true\n"
    )
    result = validate_paths([tmp_path])
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'lab.yaml'}:8: hangup node 'b': 'label' must be text of 1 to 80 characters"
    ]
    (tmp_path / "lab.yaml").write_text("start: a\nnodes:\n  a:\n    label: 'Main menu'\n    hangup: true\n")
    assert validate_paths([tmp_path]).flows["lab"].nodes["a"].label == "Main menu"
