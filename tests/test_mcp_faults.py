"""Faults of real MCP server processes, each ending with a clear message and a bridge that still works."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import time

import pytest
from mcp_support import FAULTY, api, mcp_config, new_mark, processes_with, server_entry, stdio, wait_until

SECRET = "faulty-secret-" + secrets.token_hex(16)


@pytest.fixture
def mark():
    return new_mark()


@pytest.fixture
def marks(tmp_path):
    folder = tmp_path / "marks"
    folder.mkdir()
    return folder


@pytest.fixture
def call_timeout():
    return 2.0


@pytest.fixture
def jp_server_config(mock, api_key, tmp_path, mark, marks, call_timeout):
    servers = {
        "faulty": stdio(FAULTY, mark, FAULTY_MARKS=str(marks), SERVICE_TOKEN=SECRET),
        "missing": {"command": "no-such-mcp-server-command", "args": []},
        "dies": stdio(FAULTY, None, FAULTY_EXIT_AT_START="1"),
    }
    return mcp_config(mock.url, api_key, tmp_path, servers=servers, call_timeout=call_timeout)


async def call(jp_fetch, tool, arguments=None, server="faulty", **body):
    return await api(jp_fetch, "POST", "servers", server, "tools", tool, body={"arguments": arguments or {}, **body})


async def test_missing_command_fails_clearly_and_the_others_still_work(jp_fetch):
    code, err, _ = await call(jp_fetch, "anything", server="missing")
    assert code == 502
    assert err["error"]["type"] == "mcp_server_failed"
    assert "'no-such-mcp-server-command' was not found" in err["error"]["message"]
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    assert server_entry(listing, "missing")["state"] == "failed"
    # A call tries again (and says the same).
    code, err, _ = await call(jp_fetch, "anything", server="missing")
    assert code == 502 and "was not found" in err["error"]["message"]
    code, result, _ = await call(jp_fetch, "echo", {"text": "still here"})
    assert code == 200 and result["content"][0]["text"] == "still here"


async def test_server_that_exits_at_start_shows_its_stderr(jp_fetch):
    code, err, _ = await call(jp_fetch, "echo", {"text": "x"}, server="dies")
    assert code == 502
    assert "configuration error, giving up" in err["error"]["message"]
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    entry = server_entry(listing, "dies")
    assert entry["state"] == "failed"
    assert "faulty: configuration error, giving up" in entry["stderr"]


async def test_crash_mid_call_is_reported_and_the_server_restarts(jp_fetch, mark):
    await call(jp_fetch, "echo", {"text": "warm"})
    (first,) = processes_with(mark)
    code, err, _ = await call(jp_fetch, "crash")
    assert code == 502
    assert err["error"]["type"] == "mcp_server_failed"
    assert "stopped during the call of 'crash'" in err["error"]["message"]
    listing = {}

    async def connected_again() -> bool:
        nonlocal listing
        _, listing, _ = await api(jp_fetch, "GET", "servers")
        return server_entry(listing, "faulty")["state"] == "connected"

    end = time.monotonic() + 20
    while not await connected_again() and time.monotonic() < end:
        await asyncio.sleep(0.1)
    entry = server_entry(listing, "faulty")
    assert entry["state"] == "connected" and entry["restarts"] == 1
    code, result, _ = await call(jp_fetch, "echo", {"text": "after the crash"})
    assert code == 200 and result["content"][0]["text"] == "after the crash"
    (second,) = processes_with(mark)
    assert second != first


async def test_hung_call_times_out_and_the_server_is_told_to_cancel(jp_fetch, marks):
    start = time.monotonic()
    code, err, _ = await call(jp_fetch, "hang", {"tag": "t1"})
    assert code == 504
    assert err["error"]["type"] == "mcp_timeout"
    assert "took longer than 2 s and was cancelled" in err["error"]["message"]
    assert time.monotonic() - start < 6
    # The server received notifications/cancelled: its handler was interrupted.
    assert await wait_until(lambda: (marks / "cancelled-t1").exists(), 5)
    code, result, _ = await call(jp_fetch, "echo", {"text": "next"})
    assert code == 200


async def test_cancel_route_cancels_on_the_server(jp_fetch, marks):
    pending = asyncio.ensure_future(call(jp_fetch, "hang", {"tag": "t2"}, call_id="hang-2"))
    assert await wait_until(lambda: (marks / "started-t2").exists(), 10)
    code, state, _ = await api(jp_fetch, "GET", "calls", "hang-2")
    assert code == 200 and state["state"] == "running"
    code, state, _ = await api(jp_fetch, "POST", "calls", "hang-2", "cancel")
    assert code == 200
    code, err, _ = await pending
    assert code == 409 and err["error"]["type"] == "cancelled"
    assert await wait_until(lambda: (marks / "cancelled-t2").exists(), 5)
    code, state, _ = await api(jp_fetch, "GET", "calls", "hang-2")
    assert state["state"] == "cancelled"


async def test_junk_on_stdout_is_skipped(jp_fetch):
    code, result, _ = await call(jp_fetch, "junk")
    assert code == 200, result
    assert result["content"][0]["text"] == "answered after junk"
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    entry = server_entry(listing, "faulty")
    assert entry["state"] == "connected" and entry["stdout_junk_lines"] >= 2


async def test_malformed_json_rpc_answer_is_an_error_not_a_crash(jp_fetch):
    code, err, _ = await call(jp_fetch, "malformed")
    assert code == 502, err
    assert err["error"]["type"] == "mcp_malformed"
    assert "malformed answer to the call of 'malformed'" in err["error"]["message"]
    code, result, _ = await call(jp_fetch, "echo", {"text": "fine"})
    assert code == 200 and result["content"][0]["text"] == "fine"


@pytest.mark.parametrize("call_timeout", [90.0])  # 12 MB through the SDK's stdio takes ~10 s here
async def test_ten_megabyte_limit_cuts_with_a_note(jp_fetch):
    code, result, r = await call(jp_fetch, "big", {"megabytes": 12})
    assert code == 200
    assert result["truncated"] is True
    assert len(r.body) <= 10 * 1024 * 1024
    assert len(r.body) > 9 * 1024 * 1024
    note = result["content"][-1]["text"]
    # The SDK sends a text result twice (content and structuredContent): 24 MB as JSON.
    assert "cut this result: it was 24.0 MB as JSON, over the 10.0 MB limit" in note
    assert "A text block was cut at the limit; the structured content was left out." in note
    assert "c.ClaudeMCP.max_result_bytes" in note
    assert result["structuredContent"] is None
    assert result["content"][0]["text"].startswith("0123456789abcdef")
    code, result, _ = await call(jp_fetch, "big", {"megabytes": 1})
    assert code == 200, result
    assert result["truncated"] is False and len(result["content"][0]["text"]) == 1024 * 1024


async def test_a_server_printing_its_env_secret_is_redacted(jp_fetch):
    code, result, r = await call(jp_fetch, "env_secret", {"name": "SERVICE_TOKEN"})
    assert code == 200
    body = r.body.decode()
    assert SECRET not in body and SECRET.upper() not in body
    assert base64.b64encode(SECRET.encode()).decode() not in body
    assert result["structuredContent"]["sentence"] == "my token is [redacted]!"
    code, listing, r = await api(jp_fetch, "GET", "servers")
    assert SECRET not in r.body.decode()
    assert server_entry(listing, "faulty")["config"]["env"] == sorted(
        ["FAULTY_MARKS", "JLC_MCP_TEST_MARK", "SERVICE_TOKEN", "UVVIS_SCAN_SECONDS"]
    )


async def test_the_api_key_never_reaches_a_server_and_is_redacted_if_echoed(jp_fetch, api_key):
    code, result, r = await call(jp_fetch, "env_secret", {"name": "ANTHROPIC_API_KEY"})
    assert code == 200 and result["structuredContent"]["plain"] == ""  # not in the server's environment


async def test_twenty_concurrent_calls(jp_fetch, mark):
    await call(jp_fetch, "echo", {"text": "warm"})
    start = time.monotonic()
    replies = await asyncio.gather(*(call(jp_fetch, "slow_echo", {"text": f"n{i}", "seconds": 0.5}) for i in range(20)))
    elapsed = time.monotonic() - start
    assert [r[0] for r in replies] == [200] * 20
    assert [r[1]["content"][0]["text"] for r in replies] == [f"n{i}" for i in range(20)]
    assert len({r[1]["call_id"] for r in replies}) == 20
    assert elapsed < 5, elapsed  # in parallel on one connection, not one after another (10 s)
    assert len(processes_with(mark)) == 1


async def test_progress_is_collected_per_call(jp_fetch):
    code, result, _ = await call(jp_fetch, "progress", {"steps": 4}, call_id="p-1")
    assert code == 200
    code, state, _ = await api(jp_fetch, "GET", "calls", "p-1")
    assert [(e["progress"], e["total"], e["message"]) for e in state["progress_events"]] == [
        (1, 4, "step 1"),
        (2, 4, "step 2"),
        (3, 4, "step 3"),
        (4, 4, "step 4"),
    ]
    code, err, _ = await call(jp_fetch, "echo", {"text": "x"}, call_id="p-1")
    assert code == 409  # ids are not reused
    code, err, _ = await call(jp_fetch, "echo", {"text": "x"}, call_id="../x")
    assert code == 400
    code, err, _ = await api(jp_fetch, "GET", "calls", "unknown")
    assert code == 404


async def test_bodies_that_are_not_json_objects_are_refused(jp_fetch):
    for body in (b"not json", b"[1]", json.dumps({"arguments": {"x": float("nan")}}).encode()):
        code, err, _ = await api(jp_fetch, "POST", "servers", "faulty", "tools", "echo", body=body)
        assert code == 400, body
    assert os.environ.get("SERVICE_TOKEN") is None


@pytest.mark.parametrize("call_timeout", [60.0])
async def test_closing_the_request_cancels_the_call_on_the_server(
    jp_serverapp, http_server, jp_http_port, jp_base_url, marks
):
    import httpx

    url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}claude/mcp/servers/faulty/tools/hang"
    headers = {"Authorization": f"token {jp_serverapp.identity_provider.token}"}
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=3)) as client:
        with pytest.raises(httpx.ReadTimeout):  # the page goes away mid-call (Stop, reload)
            await client.post(url, headers=headers, json={"arguments": {"tag": "t3"}, "call_id": "gone"})
        with pytest.raises(httpx.ReadTimeout):  # the same without a call id of the page's
            await client.post(url, headers=headers, json={"arguments": {"tag": "t4"}})
    assert (marks / "started-t3").exists() and (marks / "started-t4").exists()
    assert await wait_until(lambda: (marks / "cancelled-t3").exists() and (marks / "cancelled-t4").exists(), 10)
    calls = jp_serverapp.web_app.settings["claude_mcp"].calls
    assert calls["gone"].state == "cancelled"
    assert [c.state for c in calls.values()] == ["cancelled", "cancelled"]
