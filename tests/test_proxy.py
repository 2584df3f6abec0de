"""The proxy's header, error and scrubbing rules, one at a time."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from jupyterlab_claude import _jupyter_labextension_paths, _jupyter_server_extension_points
from jupyterlab_claude.config import ClaudeProxy
from jupyterlab_claude.handlers import filter_query
from jupyterlab_claude.proxy import (
    NO_KEY_MESSAGE,
    connect_error_reason,
    describe_host,
    downstream_response_headers,
    error_body,
    is_event_stream,
    model_path,
    scrub_bytes,
    sse_error_event,
    unreachable_message,
    upstream_request_headers,
    upstream_url,
)

BROWSER = [
    ("Anthropic-Version", "2023-06-01"),
    ("anthropic-beta", "a,b"),
    ("Content-Type", "application/json"),
    ("Accept", "text/event-stream"),
    ("Authorization", "token jupyter-token"),
    ("X-Api-Key", "browser-key"),
    ("Cookie", "_xsrf=1; username-x=y"),
    ("anthropic-dangerous-direct-browser-access", "true"),
    ("Host", "evil.example"),
    ("X-Forwarded-Host", "evil.example"),
    ("Accept-Encoding", "gzip"),
]


def test_only_allow_listed_request_headers_go_up_plus_the_server_key():
    assert upstream_request_headers(BROWSER, api_key="server-key") == {
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "a,b",
        "content-type": "application/json",
        "accept": "text/event-stream",
        "accept-encoding": "identity",
        "x-api-key": "server-key",
    }


def test_the_context_management_beta_goes_up_and_no_new_header_does():
    browser = [
        ("anthropic-beta", "context-management-2025-06-27"),
        ("anthropic-context-management", "on"),
        ("x-stainless-helper", "BetaMessageStream"),
    ]
    assert upstream_request_headers(browser, api_key="k") == {
        "anthropic-beta": "context-management-2025-06-27",
        "accept-encoding": "identity",
        "x-api-key": "k",
    }


def test_auth_token_is_used_as_bearer_only_without_a_key():
    assert upstream_request_headers(BROWSER, auth_token="tok")["authorization"] == "Bearer tok"
    both = upstream_request_headers(BROWSER, api_key="k", auth_token="tok")
    assert both["x-api-key"] == "k" and "authorization" not in both
    neither = upstream_request_headers(BROWSER)
    assert "x-api-key" not in neither and "authorization" not in neither


def test_only_allow_listed_response_headers_come_back_scrubbed():
    upstream = [
        ("Content-Type", "text/event-stream"),
        ("retry-after", "2"),
        ("retry-after-ms", "2000"),
        ("x-should-retry", "true"),
        ("request-id", "req_1"),
        ("anthropic-ratelimit-tokens-remaining", "10"),
        ("Set-Cookie", "a=b"),
        ("Server", "gateway"),
        ("Content-Length", "5"),
        ("Transfer-Encoding", "chunked"),
        ("x-debug-echo", "k-secret"),
        ("anthropic-ratelimit-echo", "key=k-secret"),
    ]
    assert downstream_response_headers(upstream, ["k-secret"]) == [
        ("content-type", "text/event-stream"),
        ("retry-after", "2"),
        ("retry-after-ms", "2000"),
        ("x-should-retry", "true"),
        ("request-id", "req_1"),
        ("anthropic-ratelimit-tokens-remaining", "10"),
        ("anthropic-ratelimit-echo", "key=[redacted]"),
    ]


def test_error_bodies_use_the_api_shape():
    assert error_body("authentication_error", NO_KEY_MESSAGE) == {
        "type": "error",
        "error": {"type": "authentication_error", "message": NO_KEY_MESSAGE},
    }
    assert "ANTHROPIC_API_KEY" in NO_KEY_MESSAGE and "c.ClaudeProxy.api_key" in NO_KEY_MESSAGE


def test_sse_error_event_is_one_well_formed_event():
    raw = sse_error_event("lost").decode()
    assert raw.startswith("event: error\ndata: ") and raw.endswith("\n\n")
    assert json.loads(raw.split("data: ", 1)[1]) == {"type": "error", "error": {"type": "api_error", "message": "lost"}}


@pytest.mark.parametrize(
    "value,expected",
    [
        ("text/event-stream", True),
        ("text/event-stream; charset=utf-8", True),
        ("application/json", False),
        (None, False),
    ],
)
def test_is_event_stream(value, expected):
    assert is_event_stream(value) is expected


def test_scrub_replaces_every_occurrence_of_every_secret():
    data = b'{"message": "bad key k1 (Bearer t2), k1"}'
    assert scrub_bytes(data, ["k1", "t2", ""]) == b'{"message": "bad key [redacted] (Bearer [redacted]), [redacted]"}'


def test_upstream_url_is_base_plus_fixed_path():
    assert upstream_url("https://api.anthropic.com", "v1/messages") == "https://api.anthropic.com/v1/messages"
    assert (
        upstream_url("https://gw.example/anthropic/", "/v1/models", "limit=5")
        == "https://gw.example/anthropic/v1/models?limit=5"
    )


def test_model_path_keeps_the_id_in_one_segment():
    assert model_path("claude-opus-4-7") == "v1/models/claude-opus-4-7"
    assert model_path("a/../../x?y") == "v1/models/a%2F..%2F..%2Fx%3Fy"


def test_query_keeps_only_known_parameters():
    assert (
        filter_query("limit=5&token=secret&after_id=m1&base_url=http://evil", ("limit", "after_id"))
        == "limit=5&after_id=m1"
    )
    assert filter_query("token=secret", ("beta",)) == ""


def test_host_description_has_no_credentials_or_query():
    assert describe_host("https://user:pw@gw.example:8443/path?key=1") == "gw.example:8443"
    assert describe_host("https://api.anthropic.com") == "api.anthropic.com"
    message = unreachable_message("connection refused", "http://127.0.0.1:9/x?key=secret")
    assert "127.0.0.1:9" in message and "secret" not in message and "ANTHROPIC_BASE_URL" in message


async def test_connect_error_reasons_from_real_failures():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError) as refused:
            await client.get(f"http://127.0.0.1:{closed}/")
        with pytest.raises(httpx.UnsupportedProtocol) as bad_scheme:
            await client.get("api.anthropic.com/v1/messages")
    assert connect_error_reason(refused.value) == "connection refused"
    assert "not a valid" in connect_error_reason(bad_scheme.value)
    assert connect_error_reason(RuntimeError("???")) == "network error"


def test_config_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", " from-env ")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "tok")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://gw.local")
    cfg = ClaudeProxy()
    assert (cfg.api_key, cfg.auth_token, cfg.base_url) == ("from-env", "tok", "http://gw.local")
    assert cfg.secrets == ["from-env", "tok"]
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN")
    monkeypatch.delenv("ANTHROPIC_BASE_URL")
    cfg = ClaudeProxy()
    assert cfg.base_url == "https://api.anthropic.com"
    assert not cfg.has_credentials
    assert (cfg.request_timeout, cfg.connect_timeout, cfg.max_request_bytes) == (600.0, 10.0, 32 * 1024 * 1024)


def test_extension_entry_points():
    assert _jupyter_labextension_paths() == [{"src": "labextension", "dest": "jupyterlab-claude"}]
    assert _jupyter_server_extension_points() == [{"module": "jupyterlab_claude"}]
