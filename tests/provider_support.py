"""Starting the provider stand-ins and the LiteLLM gateway as processes, and talking to the proxy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

import httpx
import pytest

from mock_api.fixtures import parse_sse

ROOT = Path(__file__).resolve().parent.parent
STANDINS = Path(__file__).resolve().parent / "provider_standins.py"

API_HEADERS = MappingProxyType({"anthropic-version": "2023-06-01", "content-type": "application/json"})
BODY = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
STREAM_BODY = dict(BODY, stream=True)


class Process:
    """A server process; ``url`` is read from the line it prints once listening."""

    def __init__(self, argv: Sequence[str], ready: str, env: dict[str, str] | None = None, timeout: float = 90):
        self.proc = subprocess.Popen(
            list(argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
        )
        self.output: list[str] = []
        found = threading.Event()
        self.url = ""

        def read() -> None:
            for line in self.proc.stdout:
                self.output.append(line)
                match = re.search(ready, line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        end = time.monotonic() + timeout
        while not found.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > end:
                self.stop()
                raise RuntimeError(f"{argv[0]} did not start:\n{''.join(self.output[-40:])}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Standin(Process):
    def __init__(self, kind: str, mock_url: str, mock_key: str, *args: str):
        super().__init__(
            [sys.executable, str(STANDINS), kind, "--upstream", mock_url, "--upstream-key", mock_key, *args],
            r"standin listening on (http://\S+)",
        )

    def requests(self) -> list[dict]:
        return httpx.get(self.url + "/_standin/requests").json()["requests"]

    def reset(self, revoke: bool = False) -> None:
        httpx.delete(self.url + "/_standin/requests" + ("?revoke=1" if revoke else ""))


def events_of(data: bytes) -> list[tuple[str, str]]:
    return [(e.event, e.data) for e in parse_sse(data.decode())]


def text_of(data: bytes) -> str:
    """The answer's text, from the text deltas of an SSE body."""
    out = []
    for event, payload in events_of(data):
        if event == "content_block_delta":
            delta = json.loads(payload)["delta"]
            out.append(delta.get("text", ""))
    return "".join(out)


def error_of(response) -> dict:
    body = json.loads(response.body if hasattr(response, "body") else response.content)
    assert body["type"] == "error", body
    return body["error"]


async def post(jp_fetch, *path: str, body=BODY, headers: dict | None = None):
    return await jp_fetch(
        "claude",
        *path,
        method="POST",
        body=json.dumps(body) if not isinstance(body, (bytes, str)) else body,
        headers={**API_HEADERS, **(headers or {})},
        raise_error=False,
    )


async def direct_stream(mock, api_key: str, fixture: str, **overrides) -> bytes:
    """What the mock itself sends for ``fixture``: the Anthropic path's bytes, to compare with."""
    mock.queue(fixture, **overrides)
    async with httpx.AsyncClient() as client:
        r = await client.post(
            mock.url + "/v1/messages", headers={**API_HEADERS, "x-api-key": api_key}, json=STREAM_BODY
        )
    return r.content


def assert_no_secret(response, *secrets: str) -> None:
    body = response.body if hasattr(response, "body") else response.content
    for secret in secrets:
        assert secret.encode() not in (body or b"")
        for name, value in response.headers.items():
            assert secret not in value, name


@pytest.fixture
def live_url(jp_serverapp, http_server, jp_http_port, jp_base_url):
    """URL prefix and auth header of the running server, for clients that need a real socket."""
    return {
        "url": f"http://127.0.0.1:{jp_http_port}{jp_base_url}",
        "auth": {"Authorization": f"token {jp_serverapp.identity_provider.token}"},
    }
