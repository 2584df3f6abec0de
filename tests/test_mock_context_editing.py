"""The mock's server-side context editing follows the published rules (mock_api/context_editing.py)."""

from __future__ import annotations

import anthropic
import pytest

from mock_api import context_editing
from mock_api.cache import PromptCache, prompt_tokens

SONNET = "claude-sonnet-4-6"
BETA = context_editing.BETA
EPHEMERAL = {"type": "ephemeral"}


def text(tokens: int, seed: str = "a") -> str:
    return (seed * 4 * tokens)[: 4 * tokens]


def rounds(n: int, *, result_tokens: int = 2000, names: list[str] | None = None) -> list[dict]:
    """A question, then ``n`` rounds of one tool call and its (large) result, then a follow-up."""
    messages: list[dict] = [{"role": "user", "content": [{"type": "text", "text": "Look at the data."}]}]
    for i in range(n):
        name = (names or ["read_cell"])[i % len(names or ["read_cell"])]
        call = {"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": {"i": i}}
        messages.append({"role": "assistant", "content": [call]})
        messages.append(
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": text(result_tokens, "r")}],
            }
        )
    messages[-1]["content"].append({"type": "text", "text": "And now?", "cache_control": dict(EPHEMERAL)})
    return messages


def request(messages: list[dict], *edits: dict) -> dict:
    return {
        "model": SONNET,
        "max_tokens": 100,
        "system": [{"type": "text", "text": text(1500), "cache_control": dict(EPHEMERAL)}],
        "messages": messages,
        "context_management": {"edits": list(edits)},
    }


def clear(**options) -> dict:
    return {"type": context_editing.CLEAR_TOOL_USES, **options}


def results(body: dict) -> list[str]:
    return [
        b["content"]
        for m in body["messages"]
        if isinstance(m["content"], list)
        for b in m["content"]
        if b["type"] == "tool_result"
    ]


def test_below_the_trigger_nothing_is_cleared_and_the_response_says_so():
    body = request(rounds(4), clear(trigger={"type": "input_tokens", "value": 100_000}))
    edited, response = context_editing.apply(body, prompt_tokens)
    assert edited == body
    assert response == {"applied_edits": []}


def test_past_the_trigger_the_oldest_results_are_cleared_keeping_the_most_recent():
    body = request(rounds(6), clear(trigger={"type": "input_tokens", "value": 5000}))
    edited, response = context_editing.apply(body, prompt_tokens)
    kept = results(edited)
    assert kept[:3] == [context_editing.PLACEHOLDER] * 3  # the default keep is 3 tool uses
    assert all(r != context_editing.PLACEHOLDER for r in kept[3:])
    [done] = response["applied_edits"]
    assert done["type"] == "clear_tool_uses_20250919" and done["cleared_tool_uses"] == 3
    assert done["cleared_input_tokens"] == prompt_tokens(body) - prompt_tokens(edited) > 5000
    # The ids stay, so the edited request is still a valid conversation; the original is untouched.
    assert [b["tool_use_id"] for m in edited["messages"][2::2] for b in m["content"][:1]] == [
        f"toolu_{i}" for i in range(6)
    ]
    assert context_editing.PLACEHOLDER not in str(body)


def test_keep_exclude_tools_and_clear_tool_inputs():
    body = request(
        rounds(6, names=["memory", "read_cell"]),
        clear(
            trigger={"type": "input_tokens", "value": 1000},
            keep={"type": "tool_uses", "value": 1},
            exclude_tools=["memory"],
            clear_tool_inputs=True,
        ),
    )
    edited, response = context_editing.apply(body, prompt_tokens)
    # Uses 0, 2, 4 are memory (never cleared, not counted in keep); of 1, 3, 5 the last is kept.
    cleared = [i for i, r in enumerate(results(edited)) if r == context_editing.PLACEHOLDER]
    assert cleared == [1, 3]
    assert response["applied_edits"][0]["cleared_tool_uses"] == 2
    inputs = [b["input"] for m in edited["messages"][1::2] for b in m["content"]]
    assert inputs == [{"i": 0}, {}, {"i": 2}, {}, {"i": 4}, {"i": 5}]


def test_a_tool_uses_trigger_counts_tool_uses():
    body = request(rounds(4, result_tokens=50), clear(trigger={"type": "tool_uses", "value": 4}))
    assert context_editing.apply(body, prompt_tokens)[1] == {"applied_edits": []}
    body = request(rounds(5, result_tokens=50), clear(trigger={"type": "tool_uses", "value": 4}))
    assert context_editing.apply(body, prompt_tokens)[1]["applied_edits"][0]["cleared_tool_uses"] == 2


def test_clear_at_least_leaves_the_prompt_alone_when_too_little_would_go():
    options = {"trigger": {"type": "input_tokens", "value": 1000}}
    body = request(rounds(4), clear(**options, clear_at_least={"type": "input_tokens", "value": 5000}))
    edited, response = context_editing.apply(body, prompt_tokens)
    assert edited == body and response == {"applied_edits": []}  # one result (~2000 tokens) would go
    body = request(rounds(6), clear(**options, clear_at_least={"type": "input_tokens", "value": 5000}))
    assert context_editing.apply(body, prompt_tokens)[1]["applied_edits"][0]["cleared_tool_uses"] == 3


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "context_management: Input should be an object"),
        ({"edits": "x"}, "edits: Input should be a valid list"),
        ({"edits": [{"type": "clear_everything"}]}, "does not match the expected tag"),
        ({"edits": [clear(trigger={"type": "messages", "value": 3})]}, "trigger.type"),
        ({"edits": [clear(keep={"type": "tool_uses", "value": -1})]}, "keep.value"),
        ({"edits": [clear(clear_at_least={"type": "input_tokens"})]}, "clear_at_least.value"),
        ({"edits": [clear(exclude_tools="memory")]}, "exclude_tools"),
        ({"edits": [clear(clear_tool_inputs="yes")]}, "clear_tool_inputs"),
        ({"edits": [clear(keep_all=True)]}, "keep_all: Extra inputs are not permitted"),
    ],
)
def test_malformed_context_management_is_refused(config, message):
    body = request(rounds(1))
    body["context_management"] = config
    assert message in (context_editing.check(body, [BETA]) or "")


def test_context_management_needs_the_beta():
    body = request(rounds(1), clear())
    assert "Extra inputs are not permitted" in context_editing.check(body, [])
    assert context_editing.check(body, ["other-beta", BETA]) is None


def test_the_cleared_prompt_is_what_is_cached():
    cache = PromptCache()
    edit = clear(
        trigger={"type": "input_tokens", "value": 5000}, clear_at_least={"type": "input_tokens", "value": 3000}
    )
    first, _ = context_editing.apply(request(rounds(6), edit), prompt_tokens)
    cache.account(first)
    # The next round adds one tool use: the watermark moves by one and the prefix changes there.
    second, response = context_editing.apply(request(rounds(7), edit), prompt_tokens)
    usage = cache.account(second)
    assert response["applied_edits"][0]["cleared_tool_uses"] == 4
    assert usage["input_tokens"] + usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"] == (
        prompt_tokens(second)
    )
    # Only the system prompt is read: the edit changed the messages past it.
    assert usage["cache_read_input_tokens"] == prompt_tokens({"system": second["system"], "messages": []})


# -- through the server, with the official SDK --------------------------------------------


@pytest.fixture
def client(mock, api_key):
    return anthropic.Anthropic(base_url=mock.url, api_key=api_key, max_retries=0, timeout=10)


def test_the_server_reports_applied_edits_in_streams_messages_and_counts(client, mock):
    body = request(rounds(6), clear(trigger={"type": "input_tokens", "value": 5000}))
    with client.beta.messages.stream(**body, betas=[BETA]) as stream:
        events = list(stream)
        final = stream.get_final_message()
    start = next(e for e in events if e.type == "message_start")
    delta = next(e for e in events if e.type == "message_delta")
    for cm in (start.message.context_management, delta.context_management, final.context_management):
        assert cm.applied_edits[0].cleared_tool_uses == 3
    created = client.beta.messages.create(**body, betas=[BETA])
    assert created.context_management.applied_edits[0].cleared_input_tokens > 5000
    counted = client.beta.messages.count_tokens(
        model=SONNET,
        system=body["system"],
        messages=body["messages"],
        context_management=body["context_management"],
        betas=[BETA],
    )
    assert counted.context_management.original_input_tokens - counted.input_tokens > 5000
    # Usage is that of the cleared prompt, and the request log shows the edit.
    usage = final.usage
    assert usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens == (
        counted.input_tokens
    )
    logged = [r for r in mock.requests() if r.get("context_management")]
    assert logged[0]["context_management"]["applied_edits"][0]["cleared_tool_uses"] == 3


def test_without_the_beta_context_management_is_a_400_in_the_apis_shape(client):
    body = request(rounds(1), clear())
    config = body.pop("context_management")
    with pytest.raises(anthropic.BadRequestError) as raised:
        client.messages.create(**body, extra_body={"context_management": config})
    assert raised.value.body["error"]["type"] == "invalid_request_error"
    assert "context_management" in raised.value.body["error"]["message"]
