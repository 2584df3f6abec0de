"""The admin policy: each rule, the daily count (restart, midnight), and its routes' auth."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from traitlets.config import Config

from jupyterlab_claude.policy import ClaudePolicy, PolicyRefusal
from jupyterlab_claude.usage import Usage, UsageLedger, UsageMeter, next_midnight

FIXTURES = Path(__file__).parent.parent / "mock_api" / "fixtures"
HEADERS = {"anthropic-version": "2023-06-01", "content-type": "application/json"}
BODY = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}], "stream": True}
TOOL = {"name": "run_cell", "description": "Run a cell", "input_schema": {"type": "object"}}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def policy(**settings: Any) -> ClaudePolicy:
    return ClaudePolicy(config=Config({"ClaudePolicy": settings}))


@pytest.fixture
def policy_config() -> dict[str, Any]:
    return {}


@pytest.fixture
def jp_server_config(jp_server_config: Config, policy_config: dict[str, Any]) -> Config:
    jp_server_config.ClaudePolicy = Config(policy_config)
    return jp_server_config


@pytest.fixture
def state(jp_serverapp):
    return jp_serverapp.web_app.settings["claude_policy"]


async def ask(jp_fetch, body: dict | None = None, **headers: str):
    return await jp_fetch(
        "claude",
        "v1",
        "messages",
        method="POST",
        body=json.dumps(body or BODY),
        headers={**HEADERS, **headers},
        raise_error=False,
    )


def error_of(response) -> tuple[str, str]:
    data = json.loads(response.body)
    return data["error"]["type"], data["error"]["message"]


# -- the rules, one at a time ---------------------------------------------------------------


def test_no_policy_allows_everything():
    p = policy()
    p.check_request({**BODY, "model": "anything", "max_tokens": 10**6, "tools": [TOOL]})
    assert p.managed == []


def test_a_model_outside_the_list_is_refused_naming_the_allowed_ones():
    p = policy(allowed_models=["claude-haiku-4-5", "claude-sonnet-4-5"])
    p.check_request({**BODY, "model": "claude-haiku-4-5"})
    with pytest.raises(PolicyRefusal) as refused:
        p.check_request({**BODY, "model": "claude-opus-4-1"})
    assert "claude-opus-4-1" in refused.value.message
    assert "claude-haiku-4-5 and claude-sonnet-4-5" in refused.value.message
    assert refused.value.status == 403
    assert refused.value.headers == {"x-should-retry": "false", "x-claude-policy": "model-not-allowed"}
    with pytest.raises(PolicyRefusal):
        p.check_request({**BODY, "model": None})


def test_max_tokens_over_the_cap_is_refused():
    p = policy(max_tokens=1000)
    p.check_request({**BODY, "max_tokens": 1000})
    with pytest.raises(PolicyRefusal) as refused:
        p.check_request({**BODY, "max_tokens": 1001})
    assert "1,001" in refused.value.message and "1,000" in refused.value.message


@pytest.mark.parametrize("entry", ["run_cell", "run"])
def test_disabled_tools_by_name_or_group_are_refused(entry):
    p = policy(disabled_tools=[entry])
    p.check_request({**BODY, "tools": [dict(TOOL, name="read_cell")]})
    with pytest.raises(PolicyRefusal) as refused:
        p.check_request({**BODY, "tools": [dict(TOOL, name="read_cell"), TOOL]})
    assert "run_cell" in refused.value.message
    assert refused.value.headers["x-claude-policy"] == "tool-disabled"


def test_the_files_group_turns_off_the_file_routes_too():
    assert policy(disabled_tools=["files"]).files_disabled
    assert policy(disabled_tools=["read_file_head"]).files_disabled
    assert not policy(disabled_tools=["run"]).files_disabled
    with pytest.raises(PolicyRefusal):
        policy(disabled_tools=["files"]).check_files()


def test_managed_names_only_what_the_admin_set():
    p = policy(allowed_models=["claude-haiku-4-5"], daily_token_limit=5000, audit_log="/tmp/x.jsonl")
    assert p.managed == ["allowed_models", "daily_token_limit"]
    view = p.browser_view()
    # Users are told that they are audited, not where the log is.
    assert view["audit"] is True and view["audit_contents"] is False
    assert "audit_log" not in view and "/tmp/x.jsonl" not in json.dumps(view)
    assert view["allowed_models"] == ["claude-haiku-4-5"]


@pytest.mark.parametrize(
    "settings",
    [{"max_tokens": -1}, {"daily_token_limit": -5}, {"prices": {"claude-x": {"input": -1}}}, {"prices": {"x": 3}}],
)
def test_bad_settings_are_refused_with_the_setting_named(settings):
    with pytest.raises(Exception, match="ClaudePolicy"):
        ClaudePolicy(**settings)


# -- reading usage from answers ------------------------------------------------------------


def test_the_meter_reads_usage_and_tools_from_a_stream_cut_anywhere():
    raw = (FIXTURES / "tool_use.sse").read_bytes()
    whole = UsageMeter()
    whole.feed(raw)
    expected = whole.close()
    assert expected.tools and all(t["name"] and t["id"] for t in expected.tools)
    assert expected.usage.input > 0 and expected.usage.output > 0
    for size in (1, 7, 64):
        meter = UsageMeter()
        for i in range(0, len(raw), size):
            meter.feed(raw[i : i + size])
        assert meter.close() == expected


def test_the_meter_keeps_text_only_when_asked():
    raw = (FIXTURES / "hello.sse").read_bytes()
    plain, keeping = UsageMeter(), UsageMeter(keep_text=True)
    plain.feed(raw)
    keeping.feed(raw)
    assert plain.close().text == ""
    assert keeping.close().text == "Hello! I'm Claude. How can I help you with your notebook today?"


def test_the_meter_reads_a_plain_json_answer():
    meter = UsageMeter()
    message = {
        "id": "msg_1",
        "model": "claude-haiku-4-5",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "read_cell", "input": {}}],
        "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 100},
    }
    meter.feed(json.dumps(message).encode())
    record = meter.close()
    assert record.usage == Usage(input=10, output=5, cache_read=100)
    assert record.tools == [{"id": "toolu_1", "name": "read_cell"}]


# -- the daily count ------------------------------------------------------------------------


def test_cache_reads_count_at_their_weight():
    assert Usage(input=100, output=50, cache_read=1000, cache_write=10).weighted(0.1) == 260


def test_the_daily_count_survives_a_restart(tmp_path):
    path = str(tmp_path / "usage.json")
    clock = Clock(datetime(2026, 3, 2, 14, 0))
    UsageLedger(path, clock=clock).add("ada", Usage(input=100, output=20))
    UsageLedger(path, clock=clock).add("ada", Usage(input=1, output=2))
    again = UsageLedger(path, clock=clock)  # a new server process
    assert again.used("ada") == Usage(input=101, output=22)
    assert again.used("grace") == Usage()
    assert oct(os.stat(tmp_path).st_mode & 0o777) in ("0o700", "0o755", "0o775")


def test_the_daily_count_resets_at_local_midnight(tmp_path):
    path = str(tmp_path / "usage.json")
    clock = Clock(datetime(2026, 3, 2, 23, 59, 30))
    ledger = UsageLedger(path, clock=clock)
    ledger.add("ada", Usage(input=500))
    assert ledger.resets_at() == datetime(2026, 3, 3, 0, 0)
    clock.now = datetime(2026, 3, 3, 0, 0, 0)
    assert ledger.used("ada") == Usage()
    assert UsageLedger(path, clock=clock).used("ada") == Usage()  # after a restart past midnight too
    ledger.add("ada", Usage(input=7))
    assert UsageLedger(path, clock=clock).used("ada") == Usage(input=7)


def test_midnight_keeps_the_clock_timezone():
    from datetime import timezone

    tz = timezone(timedelta(hours=-7))
    assert next_midnight(datetime(2026, 3, 2, 8, 0, tzinfo=tz)) == datetime(2026, 3, 3, tzinfo=tz)


def test_a_damaged_usage_file_starts_from_zero(tmp_path):
    path = tmp_path / "usage.json"
    path.write_text("{not json")
    ledger = UsageLedger(str(path))
    assert ledger.used("ada") == Usage()
    ledger.add("ada", Usage(output=3))
    assert json.loads(path.read_text())["users"]["ada"]["output"] == 3


# -- on a real server ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy_config",
    [{"allowed_models": ["claude-haiku-4-5"], "max_tokens": 2048, "prices": {"claude-haiku-4-5": {"input": 2}}}],
)
async def test_the_policy_route_gives_the_browser_view(jp_fetch, policy_config):
    view = json.loads((await jp_fetch("claude", "policy")).body)
    assert view["allowed_models"] == ["claude-haiku-4-5"]
    assert view["max_tokens"] == 2048
    assert view["managed"] == ["allowed_models", "max_tokens", "prices"]
    assert view["prices"] == {"claude-haiku-4-5": {"input": 2.0, "output": 0.0, "cache_read": 0.0, "cache_write": 0.0}}
    assert view["usage"]["counted"] == 0 and view["usage"]["limit"] == 0


@pytest.mark.parametrize("policy_config", [{"allowed_models": ["claude-haiku-4-5"]}])
async def test_a_refused_model_never_reaches_the_api(jp_fetch, mock, policy_config):
    r = await ask(jp_fetch)
    assert r.code == 403
    assert r.headers["x-claude-policy"] == "model-not-allowed"
    assert r.headers["x-should-retry"] == "false"
    kind, message = error_of(r)
    assert kind == "permission_error" and "claude-haiku-4-5" in message
    assert mock.requests() == []
    r = await ask(jp_fetch, dict(BODY, model="claude-haiku-4-5"))
    assert r.code == 200
    assert len(mock.requests()) == 1


@pytest.mark.parametrize("policy_config", [{"max_tokens": 32, "disabled_tools": ["run"]}])
async def test_cap_and_disabled_tools_refused_on_the_server(jp_fetch, mock, policy_config):
    r = await ask(jp_fetch)
    assert r.code == 403 and r.headers["x-claude-policy"] == "max-tokens"
    r = await ask(jp_fetch, dict(BODY, max_tokens=32, tools=[TOOL]))
    assert r.code == 403 and r.headers["x-claude-policy"] == "tool-disabled"
    assert mock.requests() == []


async def test_malformed_bodies_are_a_clear_400(jp_fetch, mock):
    for raw in (b"{", b"[1, 2]", b"\xff\xfe"):
        r = await jp_fetch(
            "claude", "v1", "messages", method="POST", body=raw, headers=dict(HEADERS), raise_error=False
        )
        assert r.code == 400
        assert "JSON" in error_of(r)[1]
    assert mock.requests() == []


@pytest.mark.parametrize("policy_config", [{"disabled_tools": ["files"]}])
async def test_file_routes_refused_when_file_tools_are_off(jp_fetch, policy_config):
    r = await jp_fetch("claude", "files", "list", params={"path": ""}, raise_error=False)
    assert r.code == 403 and r.headers["x-claude-policy"] == "tool-disabled"


@pytest.mark.parametrize("policy_config", [{"daily_token_limit": 20}])
async def test_daily_limit_counts_answers_then_refuses_saying_when_it_resets(
    jp_fetch, jp_data_dir, mock, state, policy_config
):
    clock = Clock(datetime(2026, 3, 2, 21, 30))
    state.ledger.clock = clock
    mock.queue("hello", event_delay_ms=0)
    r = await ask(jp_fetch)  # hello: 6 in + 17 out
    assert r.code == 200
    view = json.loads((await jp_fetch("claude", "policy")).body)["usage"]
    assert view["counted"] == 23 and view["tokens"]["input"] > 0 and view["tokens"]["output"] > 0
    assert view["resets_at"] == "2026-03-03T00:00:00"
    saved = json.loads((Path(jp_data_dir) / "jupyterlab_claude" / "usage.json").read_text())
    assert saved["day"] == "2026-03-02" and sum(saved["users"][next(iter(saved["users"]))].values()) > 0

    r = await ask(jp_fetch)
    assert r.code == 429
    assert r.headers["x-claude-policy"] == "daily-limit" and r.headers["x-should-retry"] == "false"
    kind, message = error_of(r)
    assert kind == "rate_limit_error"
    assert "resets at midnight" in message and "2026-03-03 00:00" in message and "2 h 30 min" in message
    assert len(mock.requests()) == 1

    clock.now = datetime(2026, 3, 3, 0, 0, 1)  # a new day: allowed again
    mock.queue("hello", event_delay_ms=0)
    assert (await ask(jp_fetch)).code == 200


async def test_an_upstream_error_is_not_counted(jp_fetch, mock, state):
    mock.queue("error_429")
    r = await ask(jp_fetch)
    assert r.code == 429
    view = json.loads((await jp_fetch("claude", "policy")).body)["usage"]
    assert view["counted"] == 0


# -- the routes refuse strangers ----------------------------------------------------------


@pytest.fixture
def live(jp_serverapp, http_server, jp_http_port, jp_base_url):
    return {"url": f"http://127.0.0.1:{jp_http_port}{jp_base_url}", "token": jp_serverapp.identity_provider.token}


@pytest.mark.parametrize(
    "method,route", [("GET", "claude/policy"), ("POST", "claude/audit/approval"), ("POST", "claude/v1/messages")]
)
async def test_policy_routes_need_a_login(live, mock, method, route):
    async with httpx.AsyncClient() as client:
        r = await client.request(method, live["url"] + route, json={"decision": "accepted", "tool": "x"})
        assert r.status_code == 403
        r = await client.request(method, live["url"] + route + "?token=wrong", json={"tool": "x"})
        assert r.status_code == 403
    assert mock.requests() == []


async def test_cross_site_approval_posts_are_refused(live):
    async with httpx.AsyncClient() as client:
        r = await client.get(live["url"] + "api/status", headers={"Authorization": f"token {live['token']}"})
        login = next(c.split(";")[0] for c in r.headers.get_list("set-cookie") if c.startswith("username-"))
        r = await client.post(
            live["url"] + "claude/audit/approval",
            headers={"Cookie": login, "Origin": "https://evil.example"},
            json={"decision": "accepted", "tool": "run_cell"},
        )
        assert r.status_code in (403, 404)  # jupyter_server answers a blocked cross-origin API call 404


async def test_the_policy_route_is_read_only(live):
    async with httpx.AsyncClient() as client:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            r = await client.request(
                method,
                live["url"] + "claude/policy",
                headers={"Authorization": f"token {live['token']}"},
                json={"allowed_models": []},
            )
            assert r.status_code == 405
