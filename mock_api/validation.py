"""Request checks the mock applies the way the Messages API does.

Each function returns ``None`` when the request is acceptable, else the
message for an ``invalid_request_error``.
"""

from __future__ import annotations

from typing import Any

ROLES = ("user", "assistant")
BLOCK_TYPES = (
    "text",
    "image",
    "document",
    "tool_use",
    "tool_result",
    "thinking",
    "redacted_thinking",
    "server_tool_use",
    "web_search_tool_result",
    "search_result",
)


def _check_content(content: Any, where: str) -> str | None:
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return f"{where}.content: Input should be a valid string or list of content blocks"
    for j, block in enumerate(content):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            return f"{where}.content.{j}: each content block must be an object with a 'type'"
        if block["type"] not in BLOCK_TYPES:
            return f"{where}.content.{j}.type: unknown content block type {block['type']!r}"
        if block["type"] == "text" and not isinstance(block.get("text"), str):
            return f"{where}.content.{j}.text: Field required"
    return None


def check_messages(messages: Any) -> str | None:
    """Validate the ``messages`` array (shared by messages and count_tokens)."""
    if messages is None:
        return "messages: Field required"
    if not isinstance(messages, list):
        return "messages: Input should be a valid list"
    if not messages:
        return "messages: at least one message is required"
    for i, msg in enumerate(messages):
        where = f"messages.{i}"
        if not isinstance(msg, dict):
            return f"{where}: Input should be an object"
        if msg.get("role") not in ROLES:
            return f"{where}.role: Input should be 'user' or 'assistant'"
        if "content" not in msg:
            return f"{where}.content: Field required"
        problem = _check_content(msg["content"], where)
        if problem:
            return problem
    if messages[0]["role"] != "user":
        return 'messages: first message must use the "user" role'
    return None


def check_system(system: Any) -> str | None:
    if system is None or isinstance(system, str):
        return None
    if isinstance(system, list) and all(
        isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str) for b in system
    ):
        return None
    return "system: Input should be a valid string or list of text blocks"


def check_model(body: dict) -> str | None:
    if "model" not in body:
        return "model: Field required"
    if not isinstance(body["model"], str) or not body["model"]:
        return "model: Input should be a valid string"
    return None


def check_messages_request(body: Any) -> str | None:
    """Validate a ``POST /v1/messages`` body."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    problem = check_model(body)
    if problem:
        return problem
    max_tokens = body.get("max_tokens")
    if max_tokens is None:
        return "max_tokens: Field required"
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return "max_tokens: Input should be an integer greater than or equal to 1"
    problem = check_messages(body.get("messages")) or check_system(body.get("system"))
    if problem:
        return problem
    if "stream" in body and not isinstance(body["stream"], bool):
        return "stream: Input should be a valid boolean"
    temperature = body.get("temperature")
    if temperature is not None and (
        not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or not 0 <= temperature <= 1
    ):
        return "temperature: Input should be a number between 0 and 1"
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            return "tools: Input should be a valid list"
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
                return f"tools.{i}.name: Field required"
    thinking = body.get("thinking")
    if thinking is not None:
        if not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "disabled", "adaptive"):
            return "thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'"
        if thinking["type"] == "enabled":
            budget = thinking.get("budget_tokens")
            if not isinstance(budget, int) or budget < 1024:
                return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
            if budget >= max_tokens:
                return "`max_tokens` must be greater than `thinking.budget_tokens`"
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return "metadata: Input should be an object"
    return None


def check_count_tokens_request(body: Any) -> str | None:
    """Validate a ``POST /v1/messages/count_tokens`` body (no max_tokens there)."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    return check_model(body) or check_messages(body.get("messages")) or check_system(body.get("system"))


def estimate_input_tokens(body: dict) -> int:
    """A deterministic stand-in for tokenization: about four characters per token, block by block.

    The same count the prompt cache uses, so count_tokens equals input + cache read + cache write.
    """
    from .cache import prompt_tokens

    return prompt_tokens(body)
