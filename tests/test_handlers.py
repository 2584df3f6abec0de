"""The proxy routes on a real Jupyter server, forwarding to the real mock Messages API."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from types import MappingProxyType

import httpx
import pytest

from jupyterlab_claude.proxy import MID_STREAM_LOST_MESSAGE, NO_KEY_MESSAGE
from mock_api import start_mock_server
from mock_api.fixtures import parse_sse

# Read-only: jp_fetch adds the Jupyter token to the headers dict it is given.
API_HEADERS = MappingProxyType({"anthropic-version": "2023-06-01", "content-type": "application/json"})
BODY = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
STREAM_BODY = dict(BODY, stream=True)


# -- helpers ---------------------------------------------------------------------------


@pytest.fixture
def live(jp_serverapp, http_server, jp_http_port, jp_base_url):
    """URL prefix and token of the running server, for clients that need a real socket."""
    return {
        "url": f"http://127.0.0.1:{jp_http_port}{jp_base_url}",
        "port": jp_http_port,
        "base": jp_base_url,
        "token": jp_serverapp.identity_provider.token,
    }


def auth(live: dict) -> dict[str, str]:
    return {"Authorization": f"token {live['token']}"}


async def post(jp_fetch, *path: str, body=BODY, headers: dict | None = None, **kwargs):
    return await jp_fetch(
        "claude",
        *path,
        method="POST",
        body=json.dumps(body) if not isinstance(body, (bytes, str)) else body,
        headers={**API_HEADERS, **(headers or {})},
        raise_error=False,
        **kwargs,
    )


def assert_no_secret(response, *secrets: str) -> None:
    """The credential must not appear anywhere the browser can see."""
    body = response.body if hasattr(response, "body") else response.content
    for secret in secrets:
        assert secret.encode() not in (body or b"")
        for name, value in response.headers.items():
            assert secret not in value, name


def events_of(data: bytes) -> list[tuple[str, str]]:
    return [(e.event, e.data) for e in parse_sse(data.decode())]


async def direct_stream(mock, api_key: str, fixture: str, **overrides) -> bytes:
    """What the mock sends for ``fixture`` when asked directly (the reference bytes)."""
    mock.queue(fixture, **overrides)
    async with httpx.AsyncClient() as client:
        r = await client.post(
            mock.url + "/v1/messages", headers={**API_HEADERS, "x-api-key": api_key}, json=STREAM_BODY
        )
    return r.content


async def raw_http(port: int, request: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send bytes as-is (no client-side URL normalisation); return status and whole reply."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout)
    writer.close()
    return int(data.split(b" ", 2)[1]), data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_for(predicate, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


# -- streaming -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", ["hello", "markdown_code", "thinking", "tool_use", "error_event_mid_stream", "malformed_event"]
)
async def test_streamed_answer_passes_through_byte_identical_with_server_key(jp_fetch, mock, api_key, fixture):
    expected = await direct_stream(mock, api_key, fixture, event_delay_ms=0)
    mock.server.state.reset()
    mock.queue(fixture, event_delay_ms=0)

    r = await post(
        jp_fetch,
        "v1",
        "messages",
        body=STREAM_BODY,
        headers={
            "x-api-key": "sk-ant-browser-dummy",
            "anthropic-dangerous-direct-browser-access": "true",
            "Cookie": "session=browser-cookie",
        },
    )

    assert r.code == 200
    assert r.body == expected
    assert events_of(r.body) == events_of(expected)
    assert r.headers["Content-Type"].startswith("text/event-stream")
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["X-Accel-Buffering"] == "no"
    (sent,) = mock.requests()
    assert sent["path"] == "/v1/messages"
    assert sent["headers"]["x-api-key"] == api_key
    assert "authorization" not in sent["headers"]  # Jupyter's own token stays home
    assert "cookie" not in sent["headers"]
    assert "anthropic-dangerous-direct-browser-access" not in sent["headers"]
    assert sent["body"] == STREAM_BODY
    assert_no_secret(r, api_key)


async def test_streaming_is_not_buffered_and_client_leaving_closes_upstream(live, mock):
    mock.queue("stall")  # three events, then silence with the connection held open
    async with httpx.AsyncClient(timeout=10) as client:
        async with client.stream(
            "POST", live["url"] + "claude/v1/messages", headers={**API_HEADERS, **auth(live)}, json=STREAM_BODY
        ) as r:
            assert r.status_code == 200
            received = b""

            async def read_three_events():
                nonlocal received
                async for chunk in r.aiter_raw():
                    received += chunk
                    if received.count(b"\n\n") >= 3:
                        return

            await asyncio.wait_for(read_three_events(), 5)
            # The events arrived while the upstream answer was still open.
            assert mock.requests()[0]["client_closed"] is False
    assert [e for e, _ in events_of(received)] == ["message_start", "content_block_start", "ping"]
    # Browser gone (Stop): the proxy hangs up on the API as well.
    assert await wait_for(lambda: mock.requests()[0]["client_closed"])


async def test_events_arrive_spread_out_as_the_upstream_sends_them(live, mock):
    mock.queue("slow_long", event_delay_ms=40)
    arrivals = []
    async with httpx.AsyncClient(timeout=20) as client:
        async with client.stream(
            "POST", live["url"] + "claude/v1/messages", headers={**API_HEADERS, **auth(live)}, json=STREAM_BODY
        ) as r:
            async for chunk in r.aiter_raw():
                arrivals.append((time.monotonic(), chunk))
    body = b"".join(c for _, c in arrivals)
    assert events_of(body)[-1][0] == "message_stop"
    # ~65 events 40 ms apart: a buffering proxy would deliver them in one lump at the end.
    assert len(arrivals) > 30
    assert arrivals[-1][0] - arrivals[0][0] > 1.5


@pytest.mark.parametrize("claude_config", [{"request_timeout": 1.0}])
async def test_upstream_stalling_past_the_timeout_ends_with_an_error_event(jp_fetch, mock, claude_config):
    mock.queue("stall")
    r = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    events = events_of(r.body)
    assert [e for e, _ in events] == ["message_start", "content_block_start", "ping", "error"]
    assert json.loads(events[-1][1]) == {
        "type": "error",
        "error": {"type": "api_error", "message": MID_STREAM_LOST_MESSAGE},
    }


async def test_upstream_cut_mid_stream_gives_partial_events_then_an_error_event(jp_fetch, mock, api_key):
    mock.queue("cut_mid_stream", event_delay_ms=0)
    r = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert r.code == 200
    events = events_of(r.body)
    assert [e for e, _ in events[:5]] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
    ]
    assert events[5:] == [
        ("error", json.dumps({"type": "error", "error": {"type": "api_error", "message": MID_STREAM_LOST_MESSAGE}}))
    ]
    assert_no_secret(r, api_key)


async def test_non_streaming_message_passes_through(jp_fetch, mock):
    mock.queue("tool_use")
    r = await post(jp_fetch, "v1", "messages")
    assert r.code == 200
    message = json.loads(r.body)
    assert message["stop_reason"] == "tool_use"
    assert message["content"][1]["input"]["cell_index"] == 3
    assert r.headers["Content-Type"] == "application/json"


# -- headers and statuses -----------------------------------------------------------


async def test_error_status_and_retry_headers_pass_back(jp_fetch, mock, api_key):
    mock.queue("error_429")
    r = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert r.code == 429
    assert r.headers["retry-after"] == "2"
    assert r.headers["x-should-retry"] == "true"
    assert r.headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert r.headers["request-id"] == mock.requests()[0]["request_id"]
    assert json.loads(r.body)["error"]["type"] == "rate_limit_error"

    mock.queue("error_529")
    r = await post(jp_fetch, "v1", "messages")
    assert r.code == 529
    assert json.loads(r.body)["error"]["type"] == "overloaded_error"


async def test_only_allowed_response_headers_come_back(jp_fetch, mock):
    mock.queue(
        "hello",
        headers={
            "set-cookie": "upstream=1",
            "x-internal-trace": "abc",
            "retry-after-ms": "5",
            "anthropic-ratelimit-requests-remaining": "49",
        },
    )
    r = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert r.code == 200
    assert "upstream=1" not in r.headers.get("Set-Cookie", "")
    assert "x-internal-trace" not in r.headers
    assert r.headers["retry-after-ms"] == "5"
    assert r.headers["anthropic-ratelimit-requests-remaining"] == "49"


async def test_version_and_beta_headers_pass_up_unchanged(jp_fetch, mock):
    beta = "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14"
    r = await post(jp_fetch, "v1", "messages", headers={"anthropic-version": "2023-06-01", "anthropic-beta": beta})
    assert r.code == 200
    sent = mock.requests()[0]["headers"]
    assert sent["anthropic-version"] == "2023-06-01"
    assert sent["anthropic-beta"] == beta
    assert sent["accept-encoding"] == "identity"


async def test_context_editing_goes_through_the_proxy_and_its_applied_edits_come_back(jp_fetch, mock):
    result = "x" * 400_000  # ~100,000 tokens for the mock
    messages = [{"role": "user", "content": "Read the cells"}]
    for i in range(4):
        call = {"type": "tool_use", "id": f"t{i}", "name": "r", "input": {}}
        messages.append({"role": "assistant", "content": [call]})
        messages.append(
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"t{i}", "content": result}]}
        )
    messages[-1]["content"].append({"type": "text", "text": "And now?"})
    body = dict(STREAM_BODY, messages=messages, context_management={"edits": [{"type": "clear_tool_uses_20250919"}]})
    r = await post(jp_fetch, "v1", "messages", body=body, headers={"anthropic-beta": "context-management-2025-06-27"})
    assert r.code == 200
    events = [json.loads(line[6:]) for line in r.body.decode().splitlines() if line.startswith("data: ")]
    delta = next(e for e in events if e["type"] == "message_delta")
    assert delta["context_management"]["applied_edits"][0]["cleared_tool_uses"] == 1  # 4 uses, keep 3
    assert mock.requests()[0]["headers"]["anthropic-beta"] == "context-management-2025-06-27"


async def test_upstream_validation_errors_pass_back(jp_fetch, mock):
    r = await post(jp_fetch, "v1", "messages", body={"model": "m", "messages": [{"role": "user", "content": "x"}]})
    assert r.code == 400
    assert json.loads(r.body)["error"] == {"type": "invalid_request_error", "message": "max_tokens: Field required"}


# -- auth and XSRF ----------------------------------------------------------------------

ROUTES = [
    ("POST", "claude/v1/messages"),
    ("POST", "claude/v1/messages/count_tokens"),
    ("GET", "claude/v1/models"),
    ("GET", "claude/v1/models/claude-opus-4-7"),
    ("GET", "claude/status"),
    ("GET", "claude/v1/anything"),
    ("POST", "claude/v1/anything"),
]


@pytest.mark.parametrize("method,path", ROUTES)
async def test_unauthenticated_requests_are_refused_and_not_forwarded(live, mock, method, path):
    async with httpx.AsyncClient() as client:
        r = await client.request(
            method, live["url"] + path, headers={**API_HEADERS, "x-api-key": "anything"}, json=BODY
        )
    assert r.status_code == 403
    assert mock.requests() == []


async def _login_cookie(client: httpx.AsyncClient, live: dict) -> str:
    r = await client.get(live["url"] + "api/status", headers=auth(live))
    cookies = [c.split(";")[0] for c in r.headers.get_list("set-cookie") if c.startswith("username-")]
    assert cookies, r.headers
    return cookies[0]


async def test_cookie_authenticated_post_needs_the_xsrf_token(live, mock):
    async with httpx.AsyncClient() as client:
        login = await _login_cookie(client, live)
        url = live["url"] + "claude/v1/messages"
        r = await client.post(url, headers={**API_HEADERS, "Cookie": login}, json=BODY)
        assert r.status_code == 403
        assert mock.requests() == []
        # Same cookie plus a matching XSRF cookie/header pair is accepted: the refusal above was XSRF.
        r = await client.post(
            url, headers={**API_HEADERS, "Cookie": f"{login}; _xsrf=abc123", "X-XSRFToken": "abc123"}, json=BODY
        )
        assert r.status_code == 200
        assert len(mock.requests()) == 1


# -- the upstream cannot be chosen by the client -------------------------------------


@pytest.fixture
def evil(api_key):
    server = start_mock_server(api_key=api_key)
    yield server
    server.stop()


async def test_query_and_forwarding_headers_cannot_redirect_upstream(jp_fetch, mock, evil, api_key):
    evil_host = f"127.0.0.1:{evil.port}"
    r = await post(
        jp_fetch,
        "v1",
        "messages",
        headers={"X-Forwarded-Host": evil_host, "Forwarded": f"host={evil_host}", "X-Original-URL": "/x"},
        params={"base_url": evil.url, "url": evil.url + "/v1/messages", "path": "/x"},
    )
    assert r.code == 200
    (sent,) = mock.requests()
    assert sent["path"] == "/v1/messages"
    assert sent["query"] == ""
    assert "x-forwarded-host" not in sent["headers"]
    assert evil.state.records() == []


async def test_host_header_cannot_redirect_upstream(live, mock, evil):
    request = (
        f"POST {live['base']}claude/v1/messages HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{evil.port}\r\nAuthorization: token {live['token']}\r\n"
        f"anthropic-version: 2023-06-01\r\ncontent-type: application/json\r\n"
        f"Content-Length: {len(json.dumps(BODY))}\r\nConnection: close\r\n\r\n{json.dumps(BODY)}"
    ).encode()
    status, _ = await raw_http(live["port"], request)
    assert status == 200
    assert [r["path"] for r in mock.requests()] == ["/v1/messages"]
    assert evil.state.records() == []


@pytest.mark.parametrize(
    "target",
    [
        "{base}claude/v1/../../x",
        "{base}claude/v1/messages/../../../x",
        "{base}claude/v1/models/..",
        "{base}claude/v1/models/..%2F..%2Fx",
        "{base}claude/v1/models/a%2F..%2F..%2Fx",
        "{base}claude/v1/complete",
        "{base}claude//v1/messages",
        "http://{evil}{base}claude/v1/messages",
        "http://{evil}/v1/messages",
    ],
)
async def test_arbitrary_paths_are_not_forwarded(live, mock, evil, target):
    target = target.format(base=live["base"], evil=f"127.0.0.1:{evil.port}")
    body = json.dumps(BODY)
    request = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{live['port']}\r\n"
        f"Authorization: token {live['token']}\r\nanthropic-version: 2023-06-01\r\n"
        f"content-type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    ).encode()
    status, _ = await raw_http(live["port"], request)
    assert status in (404, 405)
    assert mock.requests() == []
    assert evil.state.records() == []


# -- failures on the server side --------------------------------------------------------


@pytest.mark.parametrize("claude_config", [{"api_key": "", "auth_token": ""}])
async def test_no_key_configured_gives_401_with_how_to_and_forwards_nothing(jp_fetch, mock, claude_config):
    for method, path in [
        ("POST", ("v1", "messages")),
        ("POST", ("v1", "messages", "count_tokens")),
        ("GET", ("v1", "models")),
    ]:
        r = await jp_fetch(
            "claude",
            *path,
            method=method,
            body=json.dumps(BODY) if method == "POST" else None,
            headers=dict(API_HEADERS),
            raise_error=False,
        )
        assert r.code == 401
        assert json.loads(r.body) == {
            "type": "error",
            "error": {"type": "authentication_error", "message": NO_KEY_MESSAGE},
        }
        assert r.headers["x-claude-proxy-error"] == "no-api-key"
        assert r.headers["x-should-retry"] == "false"
    assert mock.requests() == []
    status = json.loads((await jp_fetch("claude", "status")).body)
    assert status["key_configured"] is False


async def test_upstream_down_gives_502_with_a_clear_message(jp_serverapp, jp_fetch, api_key):
    # Chosen now, while this test's server holds its own port, so the two cannot coincide.
    jp_serverapp.web_app.settings["claude_proxy"].config.base_url = f"http://127.0.0.1:{free_port()}"
    r = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert r.code == 502
    error = json.loads(r.body)["error"]
    assert error["type"] == "api_error"
    assert "could not reach the Claude API" in error["message"]
    assert "connection refused" in error["message"]
    assert "ANTHROPIC_BASE_URL" in error["message"]
    assert r.headers["x-claude-proxy-error"] == "upstream-unreachable"
    assert_no_secret(r, api_key)


@pytest.fixture
async def silent_upstream():
    """Accepts connections and never answers."""
    held = []

    async def hold(reader, writer):
        held.append(writer)
        await reader.read()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    for w in held:
        w.close()
    server.close()


async def test_upstream_silent_before_headers_gives_504(jp_serverapp, jp_fetch, silent_upstream, api_key):
    cfg = jp_serverapp.web_app.settings["claude_proxy"].config
    cfg.base_url, cfg.request_timeout = silent_upstream, 0.5
    r = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert r.code == 504
    assert "did not answer within 0.5 seconds" in json.loads(r.body)["error"]["message"]
    assert r.headers["x-claude-proxy-error"] == "upstream-timeout"
    assert_no_secret(r, api_key)


@pytest.mark.parametrize("claude_config", [{"max_request_bytes": 1000}])
async def test_request_too_large_gives_413(jp_fetch, mock, claude_config):
    big = dict(BODY, messages=[{"role": "user", "content": "x" * 2000}])
    r = await post(jp_fetch, "v1", "messages", body=big)
    assert r.code == 413
    assert json.loads(r.body)["error"]["type"] == "request_too_large"
    assert r.headers["x-claude-proxy-error"] == "request-too-large"
    assert mock.requests() == []


async def test_key_echoed_by_upstream_is_scrubbed(jp_fetch, mock, api_key):
    # Control: asked directly, this fixture really does echo the key.
    mock.queue("error_401_echo_key")
    async with httpx.AsyncClient() as client:
        direct = await client.post(mock.url + "/v1/messages", headers={**API_HEADERS, "x-api-key": api_key}, json=BODY)
    assert api_key in direct.text

    mock.queue("error_401_echo_key")
    r = await post(jp_fetch, "v1", "messages")
    assert r.code == 401
    assert "[redacted]" in json.loads(r.body)["error"]["message"]
    assert_no_secret(r, api_key)


@pytest.mark.parametrize("claude_config", [{"api_key": "", "auth_token": "will-be-replaced"}])
async def test_auth_token_is_sent_as_bearer_and_scrubbed(jp_serverapp, jp_fetch, mock, api_key, claude_config):
    jp_serverapp.web_app.settings["claude_proxy"].config.auth_token = api_key  # the mock's accepted credential
    r = await post(jp_fetch, "v1", "messages")
    assert r.code == 200
    sent = mock.requests()[0]["headers"]
    assert sent["authorization"] == f"Bearer {api_key}"
    assert "x-api-key" not in sent

    mock.queue("error_401_echo_key")
    r = await post(jp_fetch, "v1", "messages")
    assert r.code == 401
    assert_no_secret(r, api_key)


# -- other routes ---------------------------------------------------------------------------


async def test_status_reports_key_configured_without_the_key(jp_fetch, mock, api_key):
    r = await jp_fetch("claude", "status")
    data = json.loads(r.body)
    assert data["key_configured"] is True
    assert set(data) == {"key_configured", "version"}
    assert_no_secret(r, api_key, mock.url)


async def test_models_list_passes_through_with_known_query_only(jp_serverapp, jp_fetch, mock, api_key):
    token = jp_serverapp.identity_provider.token
    r = await jp_fetch("claude", "v1", "models", params={"limit": "2", "token": token}, headers=dict(API_HEADERS))
    data = json.loads(r.body)
    assert [m["id"] for m in data["data"]] == ["claude-opus-5-5", "claude-sonnet-5-5"]
    assert data["has_more"] is True
    (sent,) = mock.requests()
    assert (sent["method"], sent["path"], sent["query"]) == ("GET", "/v1/models", "limit=2")
    assert sent["headers"]["x-api-key"] == api_key
    assert_no_secret(r, api_key)


async def test_single_model_passes_through(jp_fetch, mock):
    r = await jp_fetch("claude", "v1", "models", "claude-haiku-4-5-20251001", headers=dict(API_HEADERS))
    assert json.loads(r.body)["display_name"] == "Claude Haiku 4.5"
    r = await jp_fetch("claude", "v1", "models", "no-such-model", headers=dict(API_HEADERS), raise_error=False)
    assert r.code == 404
    assert json.loads(r.body)["error"]["type"] == "not_found_error"


async def test_count_tokens_passes_through(jp_fetch, mock):
    r = await post(jp_fetch, "v1", "messages", "count_tokens", body={"model": "m", "messages": BODY["messages"]})
    assert r.code == 200
    assert json.loads(r.body)["input_tokens"] > 0
    assert mock.requests()[0]["path"] == "/v1/messages/count_tokens"
