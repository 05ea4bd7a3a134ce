"""`make run` listens on PORT from the environment (default 8000), issue 12 item 10.

The Makefile exports PORT; honcho hands it to the first Procfile.dev process (web), whose
runserver address reads it. Checked without starting a server: `make` evaluates the variable
as `make run` would, and honcho's own expansion gives the web process its environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from honcho.environ import expand_processes, parse_procfile

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make_port(env_port: str | None) -> str:
    """PORT as the recipes of the Makefile see it (the shell's environment), as a string."""
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    if env_port is not None:
        env["PORT"] = env_port
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "print-port: ; @echo $$PORT", "print-port"],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


def test_makefile_port_defaults_to_8000_and_follows_the_environment():
    assert _make_port(None) == "8000"
    assert _make_port("8123") == "8123"


def test_make_run_announces_the_port_it_uses():
    env = dict(os.environ, PORT="8123")
    out = subprocess.run(["make", "-n", "run"], cwd=REPO, env=env, capture_output=True, text=True)
    assert "http://127.0.0.1:8123" in out.stdout
    assert "127.0.0.1:8000" not in out.stdout


def test_procfile_web_process_listens_on_honchos_port():
    processes = parse_procfile((REPO / "Procfile.dev").read_text(encoding="utf-8")).processes
    expanded = {p.name: p for p in expand_processes(processes, port=8123)}
    web = expanded["web.1"]
    assert web.env["PORT"] == "8123"
    # honcho runs each command through the shell: expand it the same way (echo, not run).
    shown = subprocess.run(
        ["sh", "-c", "echo " + web.cmd], env=dict(os.environ, **web.env),
        capture_output=True, text=True, check=True,
    ).stdout
    assert "runserver 127.0.0.1:8123" in shown
