"""Who may use the MCP routes, what a project file may start, and what never reaches the browser."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import sys

import httpx
import pytest
from mcp_support import (
    FAULTY,
    INSTRUMENT,
    api,
    instrument_over_http,
    mcp_config,
    new_mark,
    processes_with,
    server_entry,
    stdio,
)

ADMIN_SECRET = "admin-secret-" + secrets.token_hex(16)
PROJECT_SECRET = "project-secret-" + secrets.token_hex(16)
HEADER_SECRET = "header-secret-" + secrets.token_hex(16)

ROUTES = [
    ("GET", "claude/mcp/servers"),
    ("POST", "claude/mcp/connect"),
    ("POST", "claude/mcp/servers/uvvis/tools/get_status"),
    ("GET", "claude/mcp/servers/uvvis/resources"),
    ("GET", "claude/mcp/servers/uvvis/resources?uri=uvvis://calibration"),
    ("POST", "claude/mcp/servers/uvvis/resources"),
    ("POST", "claude/mcp/servers/uvvis/prompts/melting_curve"),
    ("POST", "claude/mcp/servers/uvvis/restart"),
    ("GET", "claude/mcp/calls/abc"),
    ("POST", "claude/mcp/calls/abc/cancel"),
    ("POST", "claude/mcp/trust"),
    ("DELETE", "claude/mcp/trust"),
]


@pytest.fixture
def mark():
    return new_mark()


@pytest.fixture
def project_mark():
    return new_mark()


@pytest.fixture
def mcp_extra():
    return {}


@pytest.fixture
def jp_server_config(mock, api_key, tmp_path, mark, mcp_extra):
    servers = {
        "uvvis": stdio(INSTRUMENT, mark, ADMIN_TOKEN=ADMIN_SECRET),
        "remote": {"type": "http", "url": "http://127.0.0.1:9/mcp", "headers": {"X-Api-Key": HEADER_SECRET}},
    }
    return mcp_config(mock.url, api_key, tmp_path, servers=servers, **mcp_extra)


@pytest.fixture
def live(jp_serverapp, http_server, jp_http_port, jp_base_url):
    return {"url": f"http://127.0.0.1:{jp_http_port}{jp_base_url}", "token": jp_serverapp.identity_provider.token}


def write_project(root, mark, command=None, **env):
    entry = stdio(FAULTY, mark, PROJECT_TOKEN=PROJECT_SECRET, **env)
    if command:
        entry["command"] = command
    data = {"mcpServers": {"proj": entry}}
    raw = json.dumps(data, indent=1).encode()
    (root / ".mcp.json").write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()


def assert_no_secrets(r) -> None:
    body = r.body if hasattr(r, "body") else r.content
    for secret in (ADMIN_SECRET, PROJECT_SECRET, HEADER_SECRET):
        assert secret.encode() not in (body or b"")
        for value in r.headers.values():
            assert secret not in value


# -- authentication and XSRF ------------------------------------------------------------


@pytest.mark.parametrize("method,path", ROUTES)
async def test_every_route_refuses_requests_without_a_token(live, method, path, mark):
    async with httpx.AsyncClient() as client:
        r = await client.request(method, live["url"] + path, json={"arguments": {}, "sha256": "x"})
    assert r.status_code == 403
    await asyncio.sleep(0.2)
    assert processes_with(mark) == []


@pytest.mark.parametrize("method,path", [(m, p) for m, p in ROUTES if m != "GET"])
async def test_cookie_authenticated_writes_need_the_xsrf_token(live, method, path, mark):
    async with httpx.AsyncClient() as client:
        r = await client.get(live["url"] + "api/status", headers={"Authorization": f"token {live['token']}"})
        login = next(c.split(";")[0] for c in r.headers.get_list("set-cookie") if c.startswith("username-"))
        # A page on another site can make the browser send the cookie, but cannot read or set _xsrf.
        r = await client.request(method, live["url"] + path, headers={"Cookie": login}, json={"arguments": {}})
        assert r.status_code == 403
        # With its Origin on it, Jupyter's origin check refuses it too.
        r = await client.request(
            method,
            live["url"] + path,
            headers={"Cookie": login, "Origin": "https://evil.example"},
            json={"arguments": {}},
        )
        assert r.status_code in (403, 404)
        await asyncio.sleep(0.2)
        assert processes_with(mark) == []
        if path.endswith("get_status"):
            r = await client.post(
                live["url"] + path,
                headers={"Cookie": f"{login}; _xsrf=abc", "X-XSRFToken": "abc"},
                json={"arguments": {}},
            )
            assert r.status_code == 200  # the refusal above was XSRF
            assert processes_with(mark)


@pytest.mark.parametrize(
    "path",
    [
        "claude/mcp/servers/..%2Fuvvis/tools/get_status",
        "claude/mcp/servers/uvvis%2F..%2Fuvvis/tools/get_status",
        "claude/mcp/servers/%2e%2e/tools/get_status",
        "claude/mcp/servers/uvvis/tools/..%2F..%2Fget_status",
        "claude/mcp/servers/uvvis/tools/get_status%00",
        "claude/mcp/servers/uvvis/tools/get_status%2F..",
        "claude/mcp/servers/uvvis/tools/get_status/extra",
        "claude/mcp/servers/UVVIS/tools/get_status",
        "claude/mcp/servers/uvvis%20/tools/get_status",
        "claude/mcp/servers/python/tools/x",
    ],
)
async def test_path_tricks_in_server_and_tool_names_reach_nothing(live, path, mark):
    async with httpx.AsyncClient() as client:
        r = await client.post(
            live["url"] + path, headers={"Authorization": f"token {live['token']}"}, json={"arguments": {}}
        )
    assert r.status_code == 404, (path, r.text)
    if path.startswith("claude/mcp/servers/uvvis/tools/"):
        pass  # a configured server: it may have started to list its tools; the call was refused
    else:
        await asyncio.sleep(0.2)
        assert processes_with(mark) == []


async def test_no_env_value_or_header_in_any_reply(jp_fetch, jp_root_dir, project_mark):
    sha = write_project(jp_root_dir, project_mark)
    replies = []
    replies.append(await api(jp_fetch, "POST", "connect"))
    replies.append(await api(jp_fetch, "POST", "servers", "uvvis", "tools", "get_status", body={"arguments": {}}))
    replies.append(await api(jp_fetch, "POST", "servers", "remote", "tools", "x", body={"arguments": {}}))
    replies.append(await api(jp_fetch, "POST", "trust", body={"sha256": sha}))
    replies.append(
        await api(
            jp_fetch, "POST", "servers", "proj", "tools", "env_secret", body={"arguments": {"name": "PROJECT_TOKEN"}}
        )
    )
    replies.append(
        await api(
            jp_fetch, "POST", "servers", "proj", "tools", "env_secret", body={"arguments": {"name": "ADMIN_TOKEN"}}
        )
    )
    replies.append(await api(jp_fetch, "GET", "servers", "uvvis", "resources", params={"uri": "uvvis://calibration"}))
    replies.append(await api(jp_fetch, "POST", "servers", "uvvis", "restart"))
    replies.append(await api(jp_fetch, "GET", "servers"))
    for _code, _data, r in replies:
        assert_no_secrets(r)
    listing = replies[-1][1]
    assert server_entry(listing, "remote")["config"] == {
        "transport": "http",
        "url": "http://127.0.0.1:9/mcp",
        "headers": ["X-Api-Key"],
    }
    assert "ADMIN_TOKEN" in server_entry(listing, "uvvis")["config"]["env"]
    assert replies[4][1]["structuredContent"]["plain"] == "[redacted]"
    assert replies[2][0] == 502  # nothing listens there: a clear failure


# -- the project file --------------------------------------------------------------------


async def test_untrusted_project_file_starts_nothing_then_trust_starts_it(
    jp_fetch, jp_root_dir, project_mark, tmp_path
):
    sha = write_project(jp_root_dir, project_mark)
    code, listing, _ = await api(jp_fetch, "POST", "connect")
    assert listing["project"]["exists"] is True and listing["project"]["trusted"] is False
    assert listing["project"]["sha256"] == sha
    entry = server_entry(listing, "proj")
    assert entry["source"] == "project" and entry["state"] == "disabled"
    assert "trust this project's .mcp.json" in entry["error"]
    assert entry["config"]["command"] == sys.executable  # what trusting would run is shown
    code, err, _ = await api(jp_fetch, "POST", "servers", "proj", "tools", "echo", body={"arguments": {"text": "x"}})
    assert code == 409 and err["error"]["type"] == "mcp_server_disabled"
    code, err, _ = await api(jp_fetch, "POST", "servers", "proj", "restart")
    assert code == 409
    await asyncio.sleep(0.5)
    assert processes_with(project_mark) == []

    code, err, _ = await api(jp_fetch, "POST", "trust", body={"sha256": "0" * 64})
    assert code == 409 and "changed since you looked" in err["error"]["message"]
    code, listing, _ = await api(jp_fetch, "POST", "trust", body={"sha256": sha})
    assert code == 200 and listing["project"]["trusted"] is True
    assert server_entry(listing, "proj")["state"] == "stopped"  # trusted; starts on first use
    code, result, _ = await api(
        jp_fetch, "POST", "servers", "proj", "tools", "echo", body={"arguments": {"text": "hi"}}
    )
    assert code == 200 and result["content"][0]["text"] == "hi"
    assert len(processes_with(project_mark)) == 1
    # Trust lives in the Jupyter data folder, not in the (cloned) project.
    assert not any(p.name.startswith("mcp_trust") for p in jp_root_dir.rglob("*"))
    assert (tmp_path / "data" / "jupyterlab_claude" / "mcp_trust.json").exists()

    # A changed file is untrusted again: its server stops and nothing restarts it.
    write_project(jp_root_dir, project_mark, EXTRA="changed")
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    assert listing["project"]["trusted"] is False
    assert server_entry(listing, "proj")["state"] == "disabled"
    assert processes_with(project_mark) == []
    code, err, _ = await api(jp_fetch, "POST", "servers", "proj", "tools", "echo", body={"arguments": {"text": "x"}})
    assert code == 409
    # Putting the trusted content back is trusted again (remembered per hash).
    write_project(jp_root_dir, project_mark)
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    assert listing["project"]["trusted"] is True


async def test_forgetting_trust_stops_the_project_server(jp_fetch, jp_root_dir, project_mark):
    sha = write_project(jp_root_dir, project_mark)
    await api(jp_fetch, "POST", "trust", body={"sha256": sha})
    code, result, _ = await api(
        jp_fetch, "POST", "servers", "proj", "tools", "echo", body={"arguments": {"text": "hi"}}
    )
    assert code == 200 and processes_with(project_mark)
    code, listing, _ = await api(jp_fetch, "DELETE", "trust", body={"sha256": sha})
    assert code == 200 and listing["project"]["trusted"] is False
    assert processes_with(project_mark) == []


async def test_project_cannot_replace_an_admin_server(jp_fetch, jp_root_dir, project_mark, mark):
    raw = json.dumps({"mcpServers": {"uvvis": stdio(FAULTY, project_mark)}}).encode()
    (jp_root_dir / ".mcp.json").write_bytes(raw)
    await api(jp_fetch, "POST", "trust", body={"sha256": hashlib.sha256(raw).hexdigest()})
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    (entry,) = [s for s in listing["servers"] if s["name"] == "uvvis"]
    assert entry["source"] == "config"
    code, result, _ = await api(jp_fetch, "POST", "servers", "uvvis", "tools", "get_status", body={"arguments": {}})
    assert code == 200 and processes_with(mark) and processes_with(project_mark) == []


async def test_a_symlinked_project_file_is_ignored(jp_fetch, jp_root_dir, tmp_path, project_mark):
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps({"mcpServers": {"proj": stdio(FAULTY, project_mark)}}))
    os.symlink(outside, jp_root_dir / ".mcp.json")
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    assert "symbolic link" in listing["project"]["error"]
    assert [s for s in listing["servers"] if s["source"] == "project"] == []


@pytest.mark.parametrize("mcp_extra", [{"allowed_commands": ["node"]}])
async def test_allowed_commands_are_enforced_on_project_servers(jp_fetch, jp_root_dir, project_mark, mcp_extra):
    sha = write_project(jp_root_dir, project_mark)
    code, listing, _ = await api(jp_fetch, "POST", "trust", body={"sha256": sha})
    entry = server_entry(listing, "proj")
    assert entry["state"] == "disabled" and "allowed commands (c.ClaudeMCP.allowed_commands)" in entry["error"]
    code, err, _ = await api(jp_fetch, "POST", "servers", "proj", "tools", "echo", body={"arguments": {"text": "x"}})
    assert code == 409
    await asyncio.sleep(0.3)
    assert processes_with(project_mark) == []
    # Admin servers are the admin's own choice.
    code, result, _ = await api(jp_fetch, "POST", "servers", "uvvis", "tools", "get_status", body={"arguments": {}})
    assert code == 200


@pytest.mark.parametrize("mcp_extra", [{"allowed_commands": [sys.executable]}])
async def test_allowed_command_may_run_once_trusted(jp_fetch, jp_root_dir, project_mark, mcp_extra):
    sha = write_project(jp_root_dir, project_mark)
    await api(jp_fetch, "POST", "trust", body={"sha256": sha})
    code, result, _ = await api(
        jp_fetch, "POST", "servers", "proj", "tools", "echo", body={"arguments": {"text": "ok"}}
    )
    assert code == 200 and result["content"][0]["text"] == "ok"


@pytest.mark.parametrize("mcp_extra", [{"allow_project_servers": False}])
async def test_project_servers_can_be_turned_off(jp_fetch, jp_root_dir, project_mark, mcp_extra):
    sha = write_project(jp_root_dir, project_mark)
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    assert listing["project"]["enabled"] is False
    assert [s["name"] for s in listing["servers"]] == ["uvvis", "remote"]
    code, err, _ = await api(jp_fetch, "POST", "trust", body={"sha256": sha})
    assert code == 403
    code, err, _ = await api(jp_fetch, "POST", "servers", "proj", "tools", "echo", body={"arguments": {"text": "x"}})
    assert code == 404
    assert processes_with(project_mark) == []


async def test_a_project_http_server_needs_trust_too(jp_fetch, jp_root_dir):
    with instrument_over_http() as url:
        raw = json.dumps({"mcpServers": {"remote_proj": {"type": "http", "url": url}}}).encode()
        (jp_root_dir / ".mcp.json").write_bytes(raw)
        code, err, _ = await api(
            jp_fetch, "POST", "servers", "remote_proj", "tools", "get_status", body={"arguments": {}}
        )
        assert code == 409 and err["error"]["type"] == "mcp_server_disabled"
        await api(jp_fetch, "POST", "trust", body={"sha256": hashlib.sha256(raw).hexdigest()})
        code, result, _ = await api(
            jp_fetch, "POST", "servers", "remote_proj", "tools", "get_status", body={"arguments": {}}
        )
        assert code == 200 and result["structuredContent"]["setpoint_c"] == 25.0
