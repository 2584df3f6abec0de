"""The bridge against a server nobody here wrote: the MCP reference server ``server-everything`` (npm)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import shutil
import subprocess

import pytest
from mcp_support import (
    EVERYTHING_JS,
    MARK,
    api,
    free_port,
    mcp_config,
    new_mark,
    processes_with,
    server_entry,
    wait_for_port,
)

SECRET = "everything-secret-" + secrets.token_hex(16)

pytestmark = pytest.mark.skipif(
    not (os.path.exists(EVERYTHING_JS) and shutil.which("node")),
    reason="server-everything is not installed: run `npm ci --prefix tests/mcp_servers` (needs Node 20+)",
)


@pytest.fixture
def mark():
    return new_mark()


@pytest.fixture
def everything_http():
    """server-everything on its Streamable HTTP transport, on a free local port."""
    port = free_port()
    proc = subprocess.Popen(
        ["node", EVERYTHING_JS, "streamableHttp"],
        env={"PATH": os.environ.get("PATH", ""), "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, 30)
    yield f"http://127.0.0.1:{port}/mcp"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def jp_server_config(mock, api_key, tmp_path, mark, request):
    servers = {
        "everything": {
            "command": "node",
            "args": [EVERYTHING_JS, "stdio"],
            "env": {MARK: mark, "LAB_SERVICE_TOKEN": SECRET},
        }
    }
    if "everything_http" in request.fixturenames:
        url = request.getfixturevalue("everything_http")
        servers["everything_http"] = {"type": "http", "url": url, "headers": {"Authorization": f"Bearer {SECRET}"}}
    return mcp_config(mock.url, api_key, tmp_path, servers=servers, call_timeout=30.0)


async def call(jp_fetch, tool, arguments=None, **body):
    return await api(
        jp_fetch, "POST", "servers", "everything", "tools", tool, body={"arguments": arguments or {}, **body}
    )


async def test_tools_with_annotations_are_listed(jp_fetch, mark):
    code, listing, _ = await api(jp_fetch, "POST", "connect")
    assert code == 200
    entry = server_entry(listing, "everything")
    assert entry["state"] == "connected", entry
    assert entry["server_info"]["name"] == "mcp-servers/everything"
    tools = {t["name"]: t for t in entry["tools"]}
    assert {"echo", "get-sum", "get-tiny-image", "trigger-long-running-operation", "get-structured-content"} <= set(
        tools
    )
    assert tools["echo"]["annotations"]["readOnlyHint"] is True
    assert tools["gzip-file-as-resource"]["annotations"]["readOnlyHint"] is False
    assert len(processes_with(mark)) == 1


async def test_text_sum_image_and_structured_content(jp_fetch):
    code, result, _ = await call(jp_fetch, "echo", {"message": "hello from the lab"})
    assert code == 200 and result["content"][0]["text"] == "Echo: hello from the lab"
    code, result, _ = await call(jp_fetch, "get-sum", {"a": 2, "b": 40})
    assert code == 200 and "42" in result["content"][0]["text"]
    code, result, _ = await call(jp_fetch, "get-tiny-image")
    images = [c for c in result["content"] if c["type"] == "image"]
    assert images and images[0]["mimeType"] == "image/png"
    assert base64.b64decode(images[0]["data"])[:8] == b"\x89PNG\r\n\x1a\n"
    code, result, _ = await call(jp_fetch, "get-structured-content", {"location": "New York"})
    assert code == 200 and isinstance(result["structuredContent"], dict) and result["structuredContent"]


async def test_invalid_arguments_come_back_as_a_tool_error(jp_fetch):
    code, result, _ = await call(jp_fetch, "get-sum", {"a": "two"})
    assert code == 200 and result["isError"] is True
    assert "expected number" in result["content"][0]["text"]


async def test_long_running_operation_reports_progress(jp_fetch):
    pending = asyncio.ensure_future(
        call(jp_fetch, "trigger-long-running-operation", {"duration": 2, "steps": 5}, call_id="everything-long")
    )
    seen = set()
    while not pending.done():
        code, state, _ = await api(jp_fetch, "GET", "calls", "everything-long")
        if code == 200 and state["progress"]:
            seen.add(state["progress"]["progress"])
        await asyncio.sleep(0.05)
    code, result, _ = pending.result()
    assert code == 200, result
    assert "Long running operation completed" in result["content"][0]["text"]
    code, state, _ = await api(jp_fetch, "GET", "calls", "everything-long")
    assert [e["progress"] for e in state["progress_events"]] == [1, 2, 3, 4, 5]
    assert all(e["total"] == 5 for e in state["progress_events"])
    assert len(seen) >= 2  # visible while it ran


async def test_resources_list_and_read(jp_fetch):
    code, listed, _ = await api(jp_fetch, "GET", "servers", "everything", "resources")
    assert code == 200
    uris = [r["uri"] for r in listed["resources"]]
    assert any(u.startswith("demo://resource/static/document/") for u in uris)
    code, read, _ = await api(jp_fetch, "GET", "servers", "everything", "resources", params={"uri": uris[0]})
    assert code == 200, read
    assert read["contents"][0]["uri"] == uris[0] and read["contents"][0]["text"]
    code, err, _ = await api(jp_fetch, "GET", "servers", "everything", "resources", params={"uri": "demo://nope"})
    assert code == 502 and err["error"]["type"] == "mcp_error"


async def test_prompts(jp_fetch):
    code, listing, _ = await api(jp_fetch, "POST", "connect")
    names = [p["name"] for p in server_entry(listing, "everything")["prompts"]]
    assert {"simple-prompt", "args-prompt"} <= set(names)
    code, prompt, _ = await api(
        jp_fetch, "POST", "servers", "everything", "prompts", "simple-prompt", body={"arguments": {}}
    )
    assert code == 200 and prompt["messages"][0]["role"] == "user"
    code, prompt, _ = await api(
        jp_fetch,
        "POST",
        "servers",
        "everything",
        "prompts",
        "args-prompt",
        body={"arguments": {"city": "Grenoble", "state": "Isère"}},
    )
    assert code == 200 and "Grenoble" in prompt["messages"][0]["content"]["text"]


async def test_its_env_dump_is_redacted(jp_fetch):
    code, result, r = await call(jp_fetch, "get-env")
    assert code == 200
    assert SECRET.encode() not in r.body
    assert "LAB_SERVICE_TOKEN" in r.body.decode()  # the name is there, the value is not


async def test_over_streamable_http_with_progress(jp_fetch, everything_http):
    code, result, r = await api(
        jp_fetch, "POST", "servers", "everything_http", "tools", "echo", body={"arguments": {"message": "over http"}}
    )
    assert code == 200, result
    assert result["content"][0]["text"] == "Echo: over http"
    code, result, r = await api(
        jp_fetch,
        "POST",
        "servers",
        "everything_http",
        "tools",
        "trigger-long-running-operation",
        body={"arguments": {"duration": 1, "steps": 4}, "stream": True},
    )
    assert code == 200
    lines = [json.loads(line) for line in r.body.decode().splitlines()]
    assert [line["type"] for line in lines] == ["progress"] * 4 + ["result"]
    code, listing, r = await api(jp_fetch, "GET", "servers")
    entry = server_entry(listing, "everything_http")
    assert entry["state"] == "connected" and entry["config"]["headers"] == ["Authorization"]
    assert SECRET.encode() not in r.body
