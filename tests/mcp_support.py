"""Shared pieces of the MCP bridge tests: real server processes, the Jupyter config, helpers."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = str(ROOT / "examples" / "mcp" / "uvvis_instrument.py")
FAULTY = str(ROOT / "tests" / "mcp_servers" / "faulty.py")
EVERYTHING = ROOT / "tests" / "mcp_servers" / "node_modules" / "@modelcontextprotocol" / "server-everything"
EVERYTHING_JS = str(EVERYTHING / "dist" / "index.js")
MARK = "JLC_MCP_TEST_MARK"


def new_mark() -> str:
    return "mark-" + secrets.token_hex(8)


def stdio(script: str, mark: str | None = None, **env: str) -> dict[str, Any]:
    """A ``mcpServers`` entry running ``script`` with this Python; ``mark`` tags its process."""
    env = dict(env)
    if mark:
        env[MARK] = mark
    env.setdefault("UVVIS_SCAN_SECONDS", "0.6")
    return {"command": sys.executable, "args": [script], "env": env}


def processes_with(mark: str) -> list[int]:
    """Live processes whose environment carries ``JLC_MCP_TEST_MARK=<mark>``."""
    found = []
    needle = f"{MARK}={mark}".encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    with open(f"/proc/{pid}/stat") as s:
                        if s.read().split(") ", 1)[1].startswith("Z"):
                            continue  # a zombie is dead, only not yet reaped
                    found.append(int(pid))
        except OSError:
            continue
    return found


async def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return bool(predicate())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def api(jp_fetch, method: str, *path: str, body: Any = None, params: dict | None = None, **kwargs):
    """``(status, parsed body)`` of a call to ``claude/mcp/...``."""
    args: dict[str, Any] = {"method": method, "raise_error": False, "request_timeout": 120, **kwargs}
    if body is not None:
        args["body"] = body if isinstance(body, (bytes, str)) else json.dumps(body)
        if method == "DELETE":
            args["allow_nonstandard_methods"] = True
    elif method in ("POST", "DELETE", "PUT"):
        args["body"] = "{}" if method != "DELETE" else None
        if method == "DELETE":
            args["allow_nonstandard_methods"] = True
    if params:
        args["params"] = params
    r = await jp_fetch("claude", "mcp", *path, **args)
    text = r.body.decode() if r.body else ""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = text
    return r.code, data, r


def server_entry(listing: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in listing["servers"] if s["name"] == name)


def mcp_config(mock_url: str, api_key: str, tmp_path: Path, **mcp: Any):
    from traitlets.config import Config

    settings: dict[str, Any] = {
        "servers": {},
        "config_file": "",
        "trust_file": str(tmp_path / "data" / "jupyterlab_claude" / "mcp_trust.json"),
        "connect_timeout": 20.0,
    }
    settings.update(mcp)
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_claude": True}},
            "ClaudeProxy": {"base_url": mock_url, "api_key": api_key, "auth_token": ""},
            "ClaudeMCP": settings,
        }
    )


@contextmanager
def instrument_over_http():
    """The example instrument on the SDK's streamable-http transport, on a free local port: its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, INSTRUMENT, "--transport", "streamable-http", "--port", str(port)],
        env={"PATH": "/usr/bin:/bin", "UVVIS_SCAN_SECONDS": "0.6"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 20)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)


def wait_for_port(port: int, seconds: float) -> None:
    """Wait until something listens on a local port (or the time is up: the test then fails on connect)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
