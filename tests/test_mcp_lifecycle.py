"""A real ``jupyter server`` process: its MCP servers end with it, however it ends."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time

import httpx
import pytest
from mcp_support import INSTRUMENT, ROOT, free_port, new_mark, processes_with, stdio


def wait(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


@pytest.fixture
def jupyter(tmp_path):
    """Start a Jupyter server with two stdio servers (one autostarted); yield (process, url, auth, marks)."""
    marks = {"lazy": new_mark(), "auto": new_mark()}
    servers = {"lazy": stdio(INSTRUMENT, marks["lazy"]), "auto": dict(stdio(INSTRUMENT, marks["auto"]), autostart=True)}
    config = tmp_path / "claude_mcp.json"
    config.write_text(json.dumps({"mcpServers": servers}))
    root = tmp_path / "root"
    root.mkdir()
    token, port = secrets.token_hex(16), free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path), JUPYTER_RUNTIME_DIR=str(tmp_path))
    env["JUPYTER_DATA_DIR"] = str(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}",
            "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
            f"--IdentityProvider.token={token}", "--ServerApp.jpserver_extensions={'jupyterlab_claude': True}",
            f"--ClaudeMCP.config_file={config}",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url, auth = f"http://127.0.0.1:{port}", {"Authorization": f"token {token}"}

    def up() -> bool:
        try:
            return httpx.get(url + "/claude/mcp/servers", headers=auth).status_code == 200
        except httpx.HTTPError:
            return False

    assert wait(up, 60), "the Jupyter server did not start"
    yield proc, url, auth, marks
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def use_both(url, auth, marks) -> None:
    r = httpx.post(url + "/claude/mcp/servers/lazy/tools/get_status", headers=auth, json={"arguments": {}}, timeout=60)
    assert r.status_code == 200, r.text
    assert wait(lambda: processes_with(marks["auto"]) and processes_with(marks["lazy"]), 30)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_servers_stop_when_jupyter_stops(jupyter, sig):
    proc, url, auth, marks = jupyter
    use_both(url, auth, marks)
    if sig == signal.SIGINT:
        proc.send_signal(sig)
        time.sleep(0.5)
        proc.send_signal(sig)  # Jupyter asks for confirmation on the first ^C; twice skips it
    else:
        proc.send_signal(sig)
    proc.wait(30)
    assert wait(lambda: not processes_with(marks["auto"]) and not processes_with(marks["lazy"]), 10)


def test_servers_end_even_when_jupyter_is_killed(jupyter):
    """SIGKILL runs no cleanup: the servers see their stdin close and exit on their own."""
    proc, url, auth, marks = jupyter
    use_both(url, auth, marks)
    proc.kill()
    proc.wait(10)
    assert wait(lambda: not processes_with(marks["auto"]) and not processes_with(marks["lazy"]), 10)
