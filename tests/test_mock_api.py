"""The mock speaks the Messages API: the official SDK, pointed at it, works unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import anthropic
import httpx
import pytest

from mock_api import parse_sse
from mock_api.fixtures import DEFAULT_FIXTURES_DIR, assemble_message, load_fixture

MSGS = [{"role": "user", "content": "hi"}]
HEADERS = {"anthropic-version": "2023-06-01"}


@pytest.fixture
def client(mock, api_key):
    return anthropic.Anthropic(base_url=mock.url, api_key=api_key, max_retries=0, timeout=10)


def stream(client, **kwargs):
    kwargs.setdefault("max_tokens", 1024)
    with client.messages.stream(model="claude-sonnet-4-6", messages=MSGS, **kwargs) as s:
        text = "".join(s.text_stream)
        return text, s.get_final_message()


def test_hello_streams_text_and_usage_with_cache_fields(client, mock):
    text, message = stream(client)
    assert text == "Hello! I'm Claude. How can I help you with your notebook today?"
    assert message.id.startswith("msg_")
    assert message.stop_reason == "end_turn"
    # Input usage is computed from the request (mock_api/cache.py): no breakpoint, nothing cached.
    assert message.usage.output_tokens == 17
    assert (
        message.usage.input_tokens
        == client.messages.count_tokens(model="claude-sonnet-4-6", messages=MSGS).input_tokens
    )
    assert message.usage.cache_creation_input_tokens == 0
    assert message.usage.cache_read_input_tokens == 0
    sent = mock.requests()[0]
    assert sent["body"]["stream"] is True
    assert sent["headers"]["anthropic-version"]


def test_markdown_code_answer(client, mock):
    mock.queue("markdown_code", event_delay_ms=0)
    text, message = stream(client)
    assert text.startswith("## Loading a CSV with pandas")
    assert "- read the file with `pd.read_csv`" in text
    assert '```python\nimport pandas as pd\n\ndf = pd.read_csv("sales.csv"' in text
    assert message.usage.cache_read_input_tokens == 0  # no cache_control in the request


def test_thinking_then_text(client, mock):
    mock.queue("thinking", event_delay_ms=0)
    text, message = stream(client, thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=2048)
    assert text == "The mean of `[2, 4, 9]` is **5**."
    thinking, answer = message.content
    assert thinking.type == "thinking" and "mean is 5" in thinking.thinking
    assert thinking.signature.startswith("EqQB")
    assert answer.type == "text"


def test_tool_use_input_is_streamed_as_partial_json(client, mock):
    mock.queue("tool_use", event_delay_ms=0)
    text, message = stream(client, tools=[{"name": "insert_cell", "input_schema": {"type": "object"}}])
    assert text == "I'll run a quick summary of the data in a new cell."
    assert message.stop_reason == "tool_use"
    tool = message.content[1]
    assert tool.type == "tool_use" and tool.id.startswith("toolu_") and tool.name == "insert_cell"
    assert tool.input == {"code": "import pandas as pd\ndf = pd.read_csv('sales.csv')\ndf.describe()", "cell_index": 3}
    assert message.usage.cache_read_input_tokens == 0


def test_non_streaming_answer_is_assembled_from_the_same_fixture(client, mock):
    mock.queue("tool_use")
    message = client.messages.create(model="m", max_tokens=100, messages=MSGS)
    assert [b.type for b in message.content] == ["text", "tool_use"]
    assert message.content[1].input["cell_index"] == 3
    assert message.usage.output_tokens == 89


@pytest.mark.parametrize(
    "fixture,error,status",
    [
        ("error_429", anthropic.RateLimitError, 429),
        ("error_529", anthropic.OverloadedError, 529),
        ("error_500", anthropic.InternalServerError, 500),
        ("error_401", anthropic.AuthenticationError, 401),
    ],
)
@pytest.mark.parametrize("streaming", [False, True])
def test_error_fixtures_raise_the_sdk_typed_errors(client, mock, fixture, error, status, streaming):
    mock.queue(fixture)
    with pytest.raises(error) as info:
        if streaming:
            stream(client)
        else:
            client.messages.create(model="m", max_tokens=10, messages=MSGS)
    assert info.value.status_code == status
    assert info.value.request_id and info.value.request_id.startswith("req_")
    if fixture == "error_429":
        assert info.value.response.headers["retry-after"] == "2"


def test_error_event_mid_stream_raises_after_partial_text(client, mock):
    mock.queue("error_event_mid_stream", event_delay_ms=0)
    seen = []
    with pytest.raises(anthropic.APIStatusError) as info:
        with client.messages.stream(model="m", max_tokens=10, messages=MSGS) as s:
            for piece in s.text_stream:
                seen.append(piece)
    assert "".join(seen) == "Here is the first "
    assert info.value.body["error"]["type"] == "overloaded_error"


def test_malformed_event_makes_the_sdk_fail(client, mock):
    mock.queue("malformed_event", event_delay_ms=0)
    with pytest.raises(ValueError):
        stream(client)


def test_cut_mid_stream_breaks_the_connection(client, mock):
    mock.queue("cut_mid_stream", event_delay_ms=0)
    with pytest.raises(Exception) as info:
        stream(client)
    # The SDK's HTTP layer reports the truncated chunked body (its own exception class).
    assert "incomplete chunked read" in str(info.value)


def test_stall_keeps_the_connection_open_until_the_client_leaves(mock, api_key):
    mock.queue("stall")
    with pytest.raises(httpx.ReadTimeout):
        with httpx.stream(
            "POST",
            mock.url + "/v1/messages",
            headers={**HEADERS, "x-api-key": api_key},
            json={"model": "m", "max_tokens": 5, "messages": MSGS, "stream": True},
            timeout=httpx.Timeout(5, read=0.5),
        ) as r:
            for _ in r.iter_raw():
                pass
    deadline = time.monotonic() + 5
    while not mock.requests()[0]["client_closed"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mock.requests()[0]["client_closed"]


def test_models_list_and_retrieve(client):
    ids = [m.id for m in client.models.list()]
    assert {"claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001"} <= set(ids)
    page = client.models.list(limit=2)
    assert len(page.data) == 2 and page.has_more
    assert client.models.retrieve("claude-opus-4-7").display_name == "Claude Opus 4.7"
    with pytest.raises(anthropic.NotFoundError):
        client.models.retrieve("claude-nonexistent")


def test_count_tokens_is_a_deterministic_estimate(client):
    first = client.messages.count_tokens(model="m", messages=[{"role": "user", "content": "x" * 400}])
    again = client.messages.count_tokens(model="m", messages=[{"role": "user", "content": "x" * 400}])
    assert first.input_tokens == again.input_tokens > 100


def test_bearer_token_is_accepted_and_wrong_key_rejected(mock, api_key):
    ok = anthropic.Anthropic(base_url=mock.url, auth_token=api_key, api_key=None, max_retries=0)
    assert ok.messages.create(model="m", max_tokens=5, messages=MSGS).stop_reason == "end_turn"
    bad = anthropic.Anthropic(base_url=mock.url, api_key="sk-ant-wrong", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        bad.messages.create(model="m", max_tokens=5, messages=MSGS)


@pytest.mark.parametrize(
    "body,message",
    [
        ({"model": "m", "messages": MSGS}, "max_tokens: Field required"),
        ({"max_tokens": 5, "messages": MSGS}, "model: Field required"),
        (
            {"model": "m", "max_tokens": 0, "messages": MSGS},
            "max_tokens: Input should be an integer greater than or equal to 1",
        ),
        ({"model": "m", "max_tokens": 5, "messages": []}, "messages: at least one message is required"),
        (
            {"model": "m", "max_tokens": 5, "messages": [{"role": "assistant", "content": "x"}]},
            'messages: first message must use the "user" role',
        ),
        (
            {"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]},
            "messages.0.role: Input should be 'user' or 'assistant'",
        ),
        (
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": 3}]},
            "messages.0.content: Input should be a valid string or list of content blocks",
        ),
    ],
)
def test_bad_requests_get_400_and_are_still_recorded(mock, api_key, body, message):
    r = httpx.post(mock.url + "/v1/messages", headers={**HEADERS, "x-api-key": api_key}, json=body)
    assert r.status_code == 400
    assert r.json()["error"] == {"type": "invalid_request_error", "message": message}
    assert r.json()["request_id"] == r.headers["request-id"]
    assert mock.requests()[-1]["body"] == body


def test_missing_version_header_and_key_are_rejected(mock, api_key):
    body = {"model": "m", "max_tokens": 5, "messages": MSGS}
    r = httpx.post(mock.url + "/v1/messages", headers={"x-api-key": api_key}, json=body)
    assert r.status_code == 400 and "anthropic-version" in r.json()["error"]["message"]
    r = httpx.post(mock.url + "/v1/messages", headers=HEADERS, json=body)
    assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error"
    assert len(mock.requests()) == 2


def test_control_api_queue_reset_requests_fixtures(mock, api_key):
    base = mock.url + "/_mock"
    assert httpx.get(base + "/health").json() == {"ok": True}
    names = {f["name"] for f in httpx.get(base + "/fixtures").json()["fixtures"]}
    assert {"hello", "slow_long", "stall", "error_429", "cut_mid_stream"} <= names
    r = httpx.post(base + "/queue", json={"fixture": "error_529", "times": 2})
    assert r.json()["queue"] == {"/v1/messages": ["error_529", "error_529"]}
    assert httpx.post(base + "/queue", json={"fixture": "nope"}).status_code == 400
    assert httpx.post(base + "/queue", json={"fixture": "../models"}).status_code == 400
    assert httpx.post(base + "/queue", json={"fixture": "hello", "bogus": 1}).status_code == 400
    headers = {**HEADERS, "x-api-key": api_key}
    body = {"model": "m", "max_tokens": 5, "messages": MSGS}
    statuses = [httpx.post(mock.url + "/v1/messages", headers=headers, json=body).status_code for _ in range(3)]
    assert statuses == [529, 529, 200]  # then the default fixture
    httpx.post(base + "/queue", json={"fixture": "error_500", "path": "/v1/models"})
    assert httpx.get(mock.url + "/v1/models", headers=headers).status_code == 500
    recorded = httpx.get(base + "/requests").json()["requests"]
    assert [(r["method"], r["path"]) for r in recorded] == [("POST", "/v1/messages")] * 3 + [("GET", "/v1/models")]
    assert recorded[0]["headers"]["x-api-key"] == api_key
    assert httpx.post(base + "/reset").json() == {"ok": True}
    assert httpx.get(base + "/requests").json()["requests"] == []


def test_overrides_change_delay_and_cut_point(mock, api_key):
    mock.queue("slow_long", event_delay_ms=0, cut_after_events=4)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(
            mock.url + "/v1/messages",
            headers={**HEADERS, "x-api-key": api_key},
            json={"model": "m", "max_tokens": 5, "messages": MSGS, "stream": True},
        )


def test_every_fixture_loads_and_sse_events_are_well_formed():
    for path in DEFAULT_FIXTURES_DIR.glob("*.json"):
        if path.stem == "models":
            continue
        spec = load_fixture(path.stem, DEFAULT_FIXTURES_DIR)
        assert spec["description"]
        for event in spec["events"]:
            if path.stem != "malformed_event":
                assert json.loads(event.data)["type"] == event.event
    slow = load_fixture("slow_long", DEFAULT_FIXTURES_DIR)
    deltas = [e for e in slow["events"] if e.event == "content_block_delta"]
    assert 50 <= len(deltas) <= 70 and slow["event_delay_ms"] == 150


def test_parse_and_assemble_round_trip():
    raw = (DEFAULT_FIXTURES_DIR / "hello.sse").read_text()
    events = parse_sse(raw)
    assert "".join(e.encode().decode() for e in events) == raw
    message = assemble_message(events)
    assert message["content"][0]["text"].startswith("Hello!")
    assert message["usage"]["output_tokens"] == 17


def test_command_line_server_starts_and_answers(api_key, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_api", "--port", "0", "--api-key", api_key],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("mock_api listening on http://127.0.0.1:")
        url = line.split()[-1]
        r = httpx.post(
            url + "/v1/messages",
            headers={**HEADERS, "x-api-key": api_key},
            json={"model": "m", "max_tokens": 5, "messages": MSGS},
        )
        assert r.json()["type"] == "message"
    finally:
        proc.terminate()
        proc.wait(10)
