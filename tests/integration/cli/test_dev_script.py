"""`scripts/dev serve` on a fresh Debian/Ubuntu: it installs python3-venv and npm before it needs them.

The script runs for real against stand-ins for apt-get, python3, pip, npm and the server, on a PATH
that holds nothing else, and each stand-in writes what it was asked to do to one log.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ("env", "dirname", "rm", "mkdir", "touch", "cat", "chmod", "grep")

APT_GET = """#!/bin/bash
echo "apt-get $*" >> "$LOG"
if [ "$1" = install ]; then
  for pkg in "$@"; do
    touch "$STATE/$pkg"
    if [ "$pkg" = npm ]; then printf '#!/bin/bash\\necho "npm $*" >> "$LOG"\\n' > "$BIN/npm"; chmod +x "$BIN/npm"; fi
  done
fi
"""
# Debian's python3 without python3-venv: no ensurepip, and `-m venv` leaves a half-made environment.
PYTHON = """#!/bin/bash
if [ "$1" = -c ]; then
  case "$2" in
    *ensurepip*) [ -e "$STATE/python3-venv" ]; exit $? ;;
    *print*) echo 3.11; exit 0 ;;
  esac
  exit 0
fi
if [ "$1" = -m ] && [ "$2" = venv ]; then
  echo "python3 -m venv" >> "$LOG"
  mkdir -p "$3/bin"
  printf '#!/bin/bash\\n' > "$3/bin/python"; chmod +x "$3/bin/python"
  [ -e "$STATE/python3-venv" ] || exit 1
  printf '#!/bin/bash\\necho "pip $*" >> "$LOG"\\n' > "$3/bin/pip"
  printf '#!/bin/bash\\necho "contact-center $*" >> "$LOG"\\n' > "$3/bin/contact-center"
  chmod +x "$3/bin/pip" "$3/bin/contact-center"
fi
"""


def stub(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


def fresh_machine(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo, bin_dir, state = tmp_path / "repo", tmp_path / "bin", tmp_path / "state"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "dev", repo / "scripts" / "dev")
    (repo / "agent_ui").mkdir()
    (repo / "agent_ui" / "package-lock.json").write_text("{}")
    (repo / "agent_ui" / "node_modules" / "socket.io-client").mkdir(parents=True)  # newer than the lock file
    bin_dir.mkdir()
    state.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_dir / tool).symlink_to(found)
    stub(bin_dir / "apt-get", APT_GET)
    stub(bin_dir / "apt-cache", "#!/bin/bash\nexit 1\n")
    stub(bin_dir / "id", "#!/bin/bash\necho 0\n")
    stub(bin_dir / "python3", PYTHON)
    env = {
        "PATH": str(bin_dir),
        "LOG": str(tmp_path / "log"),
        "STATE": str(state),
        "BIN": str(bin_dir),
        "HOME": str(tmp_path),
    }
    return repo, env


def run_dev(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(repo / "scripts" / "dev"), *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_serve_installs_python3_venv_and_npm_then_starts_the_server(tmp_path: Path) -> None:
    repo, env = fresh_machine(tmp_path)
    result = run_dev(repo, env, "serve", "--port", "8081")
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "log").read_text().splitlines()
    assert log.count("apt-get update -qq") == 1
    installs = [line for line in log if line.startswith("apt-get install")]
    assert installs == [
        "apt-get install -y -qq --no-install-recommends python3-venv",
        "apt-get install -y -qq --no-install-recommends espeak-ng",  # the prompts are spoken
        "apt-get install -y -qq --no-install-recommends nodejs npm",
    ]
    assert log.index(installs[0]) < log.index("python3 -m venv")
    locked = "pip install --quiet --disable-pip-version-check --require-hashes -r requirements-serve.lock"
    project = "pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e ."
    assert log.index(locked) < log.index(project)  # every library from the lock, pinned by hash; then ours alone
    assert log[-1] == "contact-center serve --port 8081"


def test_serve_replaces_a_venv_left_half_made(tmp_path: Path) -> None:
    repo, env = fresh_machine(tmp_path)
    (repo / ".venv" / "bin").mkdir(parents=True)
    stub(repo / ".venv" / "bin" / "python", "#!/bin/bash\n")  # no pip: `python3 -m venv` failed here before
    result = run_dev(repo, env, "serve")
    assert result.returncode == 0, result.stderr
    assert "removing the incomplete" in result.stderr
    assert (repo / ".venv" / "bin" / "pip").exists()


def test_serve_without_apt_names_what_to_install(tmp_path: Path) -> None:
    repo, env = fresh_machine(tmp_path)
    os.unlink(Path(env["PATH"]) / "apt-get")
    result = run_dev(repo, env, "serve")
    assert result.returncode == 2
    assert "this needs python3-venv" in result.stderr
