"""The CLI as a user runs it: a subprocess with CC_ variables, password on stdin."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from contact_center.store.migrate import head_revision


def cli(
    tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    environ |= {"CC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db", "CC_VAR_DIR": str(tmp_path / "var")}
    environ |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "contact_center.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=120,
    )


def test_seed_user_add_and_token_create(tmp_path: Path) -> None:
    seeded = cli(tmp_path, "seed", "--customers", "300")
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded 300 customers" in seeded.stdout
    assert "username agent" in seeded.stdout  # first seed prints the demo logins
    assert "customers: 300/300" in seeded.stderr  # progress
    added = cli(
        tmp_path,
        "user",
        "add",
        "dana",
        "--role",
        "agent",
        "--extension",
        "2050",
        "--queues",
        "billing,sales",
        stdin="dana-password-1\n",
    )
    assert added.returncode == 0, added.stderr
    assert "added agent dana" in added.stdout
    again = cli(tmp_path, "user", "add", "dana", "--role", "agent", stdin="dana-password-1\n")
    assert again.returncode == 2 and "already exists" in again.stderr
    bad_queue = cli(tmp_path, "user", "add", "eve", "--role", "agent", "--queues", "nope", stdin="eve-password-1\n")
    assert bad_queue.returncode == 2 and "unknown queue(s) nope" in bad_queue.stderr
    short = cli(tmp_path, "user", "add", "fay", "--role", "admin", stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr
    token = cli(tmp_path, "token", "create", "dana")
    assert token.returncode == 0 and token.stdout.strip().startswith("cc_")
    missing = cli(tmp_path, "token", "create", "nobody")
    assert missing.returncode == 2 and "no user named 'nobody'" in missing.stderr


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "first_name,last_name,phones,email,city,country,vip\n"
        "Ann,Lee,(415) 555-0177;+44 20 7946 0001,ann@example.com,Austin,US,yes\n"
        ",NoFirst,,,,,\n"
        "Bob,Bad,12345,,,,\n"
        "Cat,Ok,+49 30 1234568,,Berlin,de,no\n"
    )
    result = cli(tmp_path, "import", "customers", str(csv_file))
    assert result.returncode == 1
    assert "imported 2 customers" in result.stdout
    assert f"{csv_file}:3: first_name" in result.stderr
    assert f"{csv_file}:4: phones.0" in result.stderr
    missing = cli(tmp_path, "import", "customers", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    header = tmp_path / "bad.csv"
    header.write_text("name,phone\nA,1\n")
    bad = cli(tmp_path, "import", "customers", str(header))
    assert bad.returncode == 2 and "line 1: the header lacks column(s) first_name, last_name" in bad.stderr


@pytest.mark.parametrize(("name", "value"), [("CC_HTTP_PORT", "x"), ("CC_DATABASE_URL", "mysql://nope")])
def test_bad_settings_stop_with_the_variable_named(tmp_path: Path, name: str, value: str) -> None:
    result = cli(tmp_path, "migrate", env={name: value})
    assert result.returncode != 0 and name in result.stderr


def test_migrate_up_and_down(tmp_path: Path) -> None:
    up = cli(tmp_path, "migrate")
    assert up.returncode == 0 and f"revision {head_revision()}" in up.stdout
    down = cli(tmp_path, "migrate", "--downgrade", "base")
    assert down.returncode == 0 and "base (empty)" in down.stdout


def test_serve_on_a_port_in_use_says_so_in_one_line_and_exits_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(tmp_path, "serve", env={"CC_HTTP_PORT": str(port), "CC_SEED_DEMO": "false"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = [x for x in result.stderr.splitlines() if x.startswith("contact-center serve:")]
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in line
    assert "CC_HTTP_HOST" in line and "CC_HTTP_PORT" in line


def test_serve_on_an_address_of_another_machine_exits_2(tmp_path: Path) -> None:
    result = cli(tmp_path, "serve", env={"CC_HTTP_HOST": "192.0.2.1", "CC_SEED_DEMO": "false"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot listen on 192.0.2.1:8080: cannot assign requested address" in result.stderr


def test_import_reports_errors_in_line_order_and_counts_records_not_lines(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "first_name,last_name,account_id,street,phones\n"
        'Ann,Lee,999,"12 High St\nFlat 3",(415) 555-0177\n'  # a quoted street over two lines; refused when written
        ",NoFirst,,,12\n"  # refused when read: both bad fields named
        "\n"
        'Cat,Ok,,"1 Long\n\nRoad",+49 30 1234568\n'
        "Dan,Extra,,,,surplus\n"
    )
    result = cli(tmp_path, "import", "customers", str(csv_file))
    assert result.returncode == 1, result.stderr
    assert "imported 1 customers" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(csv_file))]
    assert [e.split(":")[1] for e in errors] == ["2", "4", "9"]
    assert "account_id: no account with id 999" in errors[0]
    assert "first_name" in errors[1] and "phones.0" in errors[1]
    assert "more values than the header has columns" in errors[2]
    assert "importing people.csv: 4/4 (100 %" in result.stderr  # four records on nine lines


def _skills_of(tmp_path: Path, username: str) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as db:
        rows = db.execute(
            "SELECT s.name, a.level FROM agent_skills a JOIN skills s ON s.id = a.skill_id "
            "JOIN users u ON u.id = a.user_id WHERE u.username = ?",
            (username,),
        ).fetchall()
    return dict(rows)


def test_user_add_gives_agents_skills_that_let_calls_reach_them(tmp_path: Path) -> None:
    assert cli(tmp_path, "seed", "--customers", "10").returncode == 0  # queues and skills of the demo organisation
    plain = cli(
        tmp_path,
        "user",
        "add",
        "gil",
        "--role",
        "agent",
        "--extension",
        "2061",
        "--queues",
        "billing,general",
        stdin="gil-password-1\n",
    )
    assert plain.returncode == 0, plain.stderr
    skills = _skills_of(tmp_path, "gil")
    assert skills["english"] == 1 and skills["billing"] == 3  # billing asks for 3; the IVR asks a language at 1
    chosen = cli(
        tmp_path,
        "user",
        "add",
        "hal",
        "--role",
        "agent",
        "--queues",
        "all",
        "--skills",
        "english:8, spanish:5",
        stdin="hal-password-1\n",
    )
    assert chosen.returncode == 0, chosen.stderr
    assert _skills_of(tmp_path, "hal") == {"english": 8, "spanish": 5}
    assert (
        cli(
            tmp_path,
            "user",
            "add",
            "ida",
            "--role",
            "agent",
            "--queues",
            "all",
            "--skills",
            "none",
            stdin="ida-password-1\n",
        ).returncode
        == 0
    )
    assert _skills_of(tmp_path, "ida") == {}
    unknown = cli(tmp_path, "user", "add", "jo", "--role", "agent", "--skills", "klingon:5", stdin="jo-password-12\n")
    assert unknown.returncode == 2 and "unknown skill(s) klingon" in unknown.stderr
    malformed = cli(tmp_path, "user", "add", "jo", "--role", "agent", "--skills", "english", stdin="jo-password-12\n")
    assert malformed.returncode == 2 and "--skills: 'english' is not skill:level" in malformed.stderr
    too_high = cli(tmp_path, "user", "add", "jo", "--role", "agent", "--skills", "english:11", stdin="jo-password-12\n")
    assert too_high.returncode == 2 and "levels run from 1 to 10" in too_high.stderr
