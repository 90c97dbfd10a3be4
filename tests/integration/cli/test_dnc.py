"""`contact-center dnc`: numbers added by hand or from a file (bad lines named), checked, taken off."""

from __future__ import annotations

from pathlib import Path

from .test_commands import cli


def test_the_do_not_call_list_from_the_command_line(tmp_path: Path) -> None:
    assert cli(tmp_path, "migrate").returncode == 0
    added = cli(tmp_path, "dnc", "add", "(212) 555-0100", "--region", "US", "--reason", "asked on the phone")
    assert added.returncode == 0 and "+12125550100: added to" in added.stdout
    assert "already on" in cli(tmp_path, "dnc", "add", "+1 212 555 0100").stdout
    assert cli(tmp_path, "dnc", "check", "+12125550100").returncode == 0
    assert cli(tmp_path, "dnc", "check", "+12125550199").returncode == 1
    refused = cli(tmp_path, "dnc", "add", "nope")
    assert refused.returncode == 2 and "'nope' is not a phone number" in refused.stderr

    path = tmp_path / "national-dnc.csv"
    path.write_text("number,name\n415 555 0142,x\nbogus,y\n\n+12125550100,z\n")
    loaded = cli(tmp_path, "dnc", "import", str(path), "--region", "US")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stderr.splitlines() == [f"{path}:3: 'bogus' is not a phone number"]
    assert "1 number(s) added, 1 already listed, 1 refused" in loaded.stdout
    assert cli(tmp_path, "dnc", "check", "+14155550142").returncode == 0

    assert "taken off" in cli(tmp_path, "dnc", "remove", "+14155550142").stdout
    assert cli(tmp_path, "dnc", "check", "+14155550142").returncode == 1
