"""The mock's prompt cache follows the published rules (mock_api/cache.py)."""

from __future__ import annotations

import anthropic
import httpx
import pytest

from mock_api.cache import CacheRequestError, PromptCache, min_cacheable_tokens, prompt_tokens

SONNET = "claude-sonnet-4-6"
HAIKU = "claude-3-5-haiku-20241022"
EPHEMERAL = {"type": "ephemeral"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> PromptCache:
    return PromptCache(clock)


def text(tokens: int, seed: str = "a") -> str:
    """A string the mock counts as about ``tokens`` tokens."""
    return (seed * 4 * tokens)[: 4 * tokens]


def body(system_tokens: int = 2000, *, model: str = SONNET, question: str = "What is in df?", **extra) -> dict:
    request = {
        "model": model,
        "max_tokens": 100,
        "system": [{"type": "text", "text": text(system_tokens), "cache_control": dict(EPHEMERAL)}],
        "messages": [{"role": "user", "content": question}],
    }
    request.update(extra)
    return request


def conversation(turns: int, *, breakpoint_at: int | None = None) -> dict:
    """``turns`` questions with the answers between them; the breakpoint on the last block (or the one given)."""
    messages = []
    for i in range(turns):
        messages.append({"role": "user", "content": [{"type": "text", "text": f"question {i} " + text(30, "q")}]})
        if i < turns - 1:
            messages.append(
                {"role": "assistant", "content": [{"type": "text", "text": f"answer {i} " + text(30, "r")}]}
            )
    flat = [block for m in messages for block in m["content"]]
    flat[-1 if breakpoint_at is None else breakpoint_at]["cache_control"] = dict(EPHEMERAL)
    return {"model": SONNET, "max_tokens": 100, "system": text(1500), "messages": messages}


def test_first_request_writes_and_the_second_reads_the_prefix(cache):
    first = cache.account(body())
    assert first["cache_read_input_tokens"] == 0
    assert first["cache_creation_input_tokens"] > 1900
    assert first["cache_creation"] == {
        "ephemeral_5m_input_tokens": first["cache_creation_input_tokens"],
        "ephemeral_1h_input_tokens": 0,
    }
    second = cache.account(body(question="And the mean?"))
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0
    # Only what follows the breakpoint is read afresh; the three parts add up to every token.
    total = prompt_tokens(body(question="And the mean?"))
    assert second["input_tokens"] == total - second["cache_read_input_tokens"] > 0


def test_a_prefix_below_the_models_minimum_is_not_cached_and_not_an_error(cache):
    short = cache.account(body(900))
    assert (short["cache_creation_input_tokens"], short["cache_read_input_tokens"]) == (0, 0)
    assert cache.account(body(900))["cache_read_input_tokens"] == 0
    assert cache.account(body(1100))["cache_creation_input_tokens"] > 1024


def test_minimum_cacheable_length_per_model(cache):
    assert min_cacheable_tokens("claude-sonnet-4-5-20250929") == 1024
    assert min_cacheable_tokens(HAIKU) == 2048
    assert min_cacheable_tokens("claude-haiku-4-5-20251001") == 4096
    assert min_cacheable_tokens("claude-opus-4-5-20251101") == 4096
    assert min_cacheable_tokens("claude-opus-4-1-20250805") == 1024
    assert min_cacheable_tokens("claude-haiku-5-5") == 2048  # not in the table: Haiku-class
    assert min_cacheable_tokens("some-gateway-model") == 1024
    # 1500 tokens: enough for Sonnet, not for Haiku.
    assert cache.account(body(1500, model=HAIKU))["cache_creation_input_tokens"] == 0
    assert cache.account(body(1500))["cache_creation_input_tokens"] > 1500


def test_the_key_is_the_exact_prefix_and_the_model(cache):
    cache.account(body())
    changed = body()
    changed["system"][0]["text"] = changed["system"][0]["text"][:-1] + "b"
    assert cache.account(changed)["cache_read_input_tokens"] == 0
    assert cache.account(body(model="claude-opus-4-1-20250805"))["cache_read_input_tokens"] == 0
    # cache_control itself is not content: the same prefix with a 5m ttl spelled out still hits.
    spelled = body()
    spelled["system"][0]["cache_control"] = {"type": "ephemeral", "ttl": "5m"}
    assert cache.account(spelled)["cache_read_input_tokens"] > 0


def test_prefix_order_is_tools_then_system_then_messages(cache):
    tools = [{"name": "read_cell", "description": text(600), "input_schema": {"type": "object"}}]

    def request(tool_description: str, question: str) -> dict:
        r = body(1200, question=question)
        r["tools"] = [dict(tools[0], description=tool_description, cache_control=dict(EPHEMERAL))]
        r["messages"] = [
            {"role": "user", "content": [{"type": "text", "text": question, "cache_control": dict(EPHEMERAL)}]}
        ]
        return r

    first = cache.account(request(tools[0]["description"], text(50, "x")))
    assert first["cache_creation_input_tokens"] == prompt_tokens(request(tools[0]["description"], text(50, "x")))
    # A different question: tools and system still hit, up to the system breakpoint.
    other = cache.account(request(tools[0]["description"], text(50, "y")))
    assert 1700 < other["cache_read_input_tokens"] < first["cache_creation_input_tokens"]
    # A different tool: everything after it (system, messages) misses too.
    assert cache.account(request(text(600, "z"), text(50, "x")))["cache_read_input_tokens"] == 0


def test_changing_tool_choice_invalidates_the_messages_but_not_the_system(cache):
    r = body(1500)
    r["messages"][0] = {"role": "user", "content": [{"type": "text", "text": text(200), "cache_control": EPHEMERAL}]}
    full = cache.account(r)["cache_creation_input_tokens"]
    again = cache.account(dict(r, tool_choice={"type": "any"}))
    assert 0 < again["cache_read_input_tokens"] < full


def test_at_most_four_breakpoints(cache):
    r = body()
    r["messages"] = [
        {
            "role": "user",
            "content": [{"type": "text", "text": f"part {i}", "cache_control": EPHEMERAL} for i in range(3)],
        }
    ]
    cache.account(r)  # 1 + 3 = 4: accepted
    r["messages"][0]["content"].append({"type": "text", "text": "one more", "cache_control": EPHEMERAL})
    with pytest.raises(CacheRequestError, match="maximum of 4 blocks with cache_control"):
        cache.account(r)


def test_bad_cache_control_is_refused(cache):
    with pytest.raises(CacheRequestError, match="ephemeral"):
        cache.account(body(system=[{"type": "text", "text": "x", "cache_control": {"type": "forever"}}]))
    with pytest.raises(CacheRequestError, match="ttl"):
        cache.account(body(system=[{"type": "text", "text": "x", "cache_control": {"type": "ephemeral", "ttl": "2h"}}]))
    late_long = body()
    late_long["messages"] = [
        {
            "role": "user",
            "content": [{"type": "text", "text": "q", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        }
    ]
    with pytest.raises(CacheRequestError, match="must not come after"):
        cache.account(late_long)


def test_the_lookback_window_is_twenty_blocks(cache):
    # Turn after turn the breakpoint moves to the new last block: the earlier one is within reach.
    cache.account(conversation(5))
    grown = cache.account(conversation(10))  # the breakpoint 10 blocks later
    assert grown["cache_read_input_tokens"] > 1500
    # 12 more turns (24 blocks) without a request in between: the last entry is out of the window.
    assert cache.account(conversation(22))["cache_read_input_tokens"] == 0


def test_a_moved_breakpoint_misses(cache):
    cache.account(conversation(5))
    # The same conversation with its breakpoint on the first message instead of the last.
    moved = cache.account(conversation(5, breakpoint_at=0))
    assert moved["cache_read_input_tokens"] == 0


def test_five_minute_entries_expire_and_hits_refresh_them(cache, clock):
    cache.account(body())
    clock.now += 240
    assert cache.account(body())["cache_read_input_tokens"] > 0  # refreshed: 5 more minutes from here
    clock.now += 240
    assert cache.account(body())["cache_read_input_tokens"] > 0
    clock.now += 301
    assert cache.account(body())["cache_read_input_tokens"] == 0
    assert len(cache) == 1  # written again


def test_one_hour_entries_outlive_five_minute_ones(cache, clock):
    r = body(1500)
    r["system"][0]["cache_control"] = {"type": "ephemeral", "ttl": "1h"}
    r["messages"] = [{"role": "user", "content": [{"type": "text", "text": text(300), "cache_control": EPHEMERAL}]}]
    first = cache.account(r)
    split = first["cache_creation"]
    assert split["ephemeral_1h_input_tokens"] > 1500 and 290 < split["ephemeral_5m_input_tokens"] < 320
    clock.now += 1800
    later = cache.account(r)
    assert later["cache_read_input_tokens"] == split["ephemeral_1h_input_tokens"]
    assert later["cache_creation"]["ephemeral_5m_input_tokens"] == split["ephemeral_5m_input_tokens"]
    clock.now += 3601
    assert cache.account(r)["cache_read_input_tokens"] == 0


def test_automatic_caching_puts_the_breakpoint_on_the_last_block(cache):
    r = body(1500)
    del r["system"][0]["cache_control"]
    r["cache_control"] = dict(EPHEMERAL)
    assert cache.account(r)["cache_creation_input_tokens"] == prompt_tokens(r)
    r["messages"] += [
        {"role": "assistant", "content": "It has three columns."},
        {"role": "user", "content": "And their types?"},
    ]
    assert cache.account(r)["cache_read_input_tokens"] > 1500


# -- through the server, with the official SDK --------------------------------------------


@pytest.fixture
def client(mock, api_key):
    return anthropic.Anthropic(base_url=mock.url, api_key=api_key, max_retries=0, timeout=10)


def test_the_server_reports_cache_usage_in_streams_and_messages(client, mock):
    request = body()
    with client.messages.stream(**request) as s:
        first = s.get_final_message().usage
    second = client.messages.create(**request).usage
    counted = client.messages.count_tokens(model=SONNET, system=request["system"], messages=request["messages"])
    assert first.cache_creation_input_tokens > 1900 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.input_tokens + second.cache_read_input_tokens == counted.input_tokens
    assert [r["usage"]["cache_read_input_tokens"] for r in mock.requests() if "usage" in r] == [
        0,
        first.cache_creation_input_tokens,
    ]


def test_too_many_breakpoints_is_an_invalid_request(client):
    request = body()
    request["messages"] = [
        {"role": "user", "content": [{"type": "text", "text": str(i), "cache_control": EPHEMERAL} for i in range(4)]}
    ]
    with pytest.raises(anthropic.BadRequestError, match="maximum of 4 blocks"):
        client.messages.create(**request)


def test_reset_clears_the_cache(client, mock):
    client.messages.create(**body())
    httpx.post(mock.url + "/_mock/reset")
    assert client.messages.create(**body()).usage.cache_read_input_tokens == 0
