"""`contact-center calendar override NAME open|closed --until TIME` and `calendar status NAME`, as the
README tells a newcomer outside opening hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .test_commands import cli


def test_opening_the_line_now_and_going_back_to_the_hours(tmp_path: Path) -> None:
    assert cli(tmp_path, "seed", "--customers", "10").returncode == 0
    opened = cli(tmp_path, "calendar", "override", "support-hours", "open", "--until", "23:59", "--reason", "demo")
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.startswith("support-hours: open until ") and "(override: demo)" in opened.stdout
    status = cli(tmp_path, "calendar", "status", "support-hours")
    assert status.returncode == 0 and status.stdout == opened.stdout

    exported = cli(tmp_path, "config", "export")
    assert "override" not in exported.stdout  # operations, not configuration
    (tmp_path / "all.yaml").write_text(exported.stdout)
    assert cli(tmp_path, "config", "plan", str(tmp_path / "all.yaml")).returncode == 0

    cleared = cli(tmp_path, "calendar", "override", "support-hours", "clear")
    assert cleared.returncode == 0 and "override" not in cleared.stdout


def test_bad_override_commands_say_what_to_fix(tmp_path: Path) -> None:
    assert cli(tmp_path, "seed", "--customers", "10").returncode == 0
    no_until = cli(tmp_path, "calendar", "override", "support-hours", "closed")
    assert no_until.returncode == 2 and "--until TIME is needed" in no_until.stderr
    bad_time = cli(tmp_path, "calendar", "override", "support-hours", "closed", "--until", "teatime")
    assert bad_time.returncode == 2 and "--until: 'teatime' is neither HH:MM nor" in bad_time.stderr
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    in_the_past = cli(tmp_path, "calendar", "override", "support-hours", "closed", "--until", past)
    assert in_the_past.returncode == 2 and "is not in the future" in in_the_past.stderr
    unknown = cli(tmp_path, "calendar", "override", "nowhere", "open", "--until", "23:00")
    assert unknown.returncode == 1 and "no calendar nowhere" in unknown.stderr
