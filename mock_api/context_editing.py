"""Server-side context editing (``context_management``), from the request, as the API applies it.

Behind the ``context-management-2025-06-27`` beta, the ``clear_tool_uses_20250919`` edit:

* ``trigger`` (default 100,000 ``input_tokens``; or a number of ``tool_uses``): the edit applies
  once the prompt exceeds it.
* ``keep`` (default 3 ``tool_uses``): the most recent tool uses stay as they were. Tool uses of
  ``exclude_tools`` are never cleared and do not count towards ``keep``.
* ``clear_at_least`` (``input_tokens``): the prompt is only edited when at least this many
  tokens can be removed.
* ``clear_tool_inputs``: also clear the calls' inputs (``true``, or a list of tool names).
* The oldest tool results go first; each keeps its ``tool_use_id`` and gets a placeholder.

Editing is stateless: each request is edited from what it carries, before tokens are counted
and the prompt cache is read (the edited prompt is what is cached). The response says what was
done in ``context_management.applied_edits`` (``cleared_tool_uses``, ``cleared_input_tokens``),
on ``message_start``'s message and on ``message_delta``; count_tokens adds
``context_management.original_input_tokens``.

Only ``clear_tool_uses_20250919`` is implemented; other edit types are refused.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from .fixtures import SSEEvent, edit_message_events

BETA = "context-management-2025-06-27"
CLEAR_TOOL_USES = "clear_tool_uses_20250919"

DEFAULT_TRIGGER = {"type": "input_tokens", "value": 100_000}
DEFAULT_KEEP = {"type": "tool_uses", "value": 3}

#: What stands in for a cleared tool result. The API's own wording is not published; this says
#: what happened, as the documentation describes the placeholder.
PLACEHOLDER = "[This tool result was cleared to manage the context window.]"

_EDIT_FIELDS = {"type", "trigger", "keep", "clear_at_least", "exclude_tools", "clear_tool_inputs"}


def betas_of(headers: dict[str, str]) -> list[str]:
    """The betas a request turned on (``anthropic-beta``, comma-separated)."""
    return [b.strip() for b in headers.get("anthropic-beta", "").split(",") if b.strip()]


def check(body: dict[str, Any], betas: list[str]) -> str | None:
    """The ``invalid_request_error`` message for a malformed ``context_management``, else None."""
    if "context_management" not in body or body["context_management"] is None:
        return None
    if BETA not in betas:
        return f"context_management: Extra inputs are not permitted (enable the '{BETA}' beta)"
    config = body["context_management"]
    if not isinstance(config, dict):
        return "context_management: Input should be an object"
    extra = set(config) - {"edits"}
    if extra:
        return f"context_management.{sorted(extra)[0]}: Extra inputs are not permitted"
    edits = config.get("edits", [])
    if not isinstance(edits, list):
        return "context_management.edits: Input should be a valid list"
    for i, edit in enumerate(edits):
        where = f"context_management.edits.{i}"
        if not isinstance(edit, dict):
            return f"{where}: Input should be an object"
        if edit.get("type") != CLEAR_TOOL_USES:
            return f"{where}.type: Input tag {edit.get('type')!r} does not match the expected tag '{CLEAR_TOOL_USES}'"
        extra = set(edit) - _EDIT_FIELDS
        if extra:
            return f"{where}.{sorted(extra)[0]}: Extra inputs are not permitted"
        problem = (
            _check_amount(edit.get("trigger"), f"{where}.trigger", ("input_tokens", "tool_uses"), minimum=1)
            or _check_amount(edit.get("keep"), f"{where}.keep", ("tool_uses",), minimum=0)
            or _check_amount(edit.get("clear_at_least"), f"{where}.clear_at_least", ("input_tokens",), minimum=0)
        )
        if problem:
            return problem
        exclude = edit.get("exclude_tools")
        if exclude is not None and not (isinstance(exclude, list) and all(isinstance(n, str) for n in exclude)):
            return f"{where}.exclude_tools: Input should be a valid list of strings"
        inputs = edit.get("clear_tool_inputs")
        if inputs is not None and not isinstance(inputs, bool):
            if not (isinstance(inputs, list) and all(isinstance(n, str) for n in inputs)):
                return f"{where}.clear_tool_inputs: Input should be a valid boolean or a list of strings"
    return None


def apply(body: dict[str, Any], count: Callable[[dict[str, Any]], int]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The request as the model gets it, and the response's ``context_management`` (None: not asked).

    ``count`` is the prompt's token count (the mock's one rule). The body must have passed :func:`check`.
    """
    config = body.get("context_management")
    if not isinstance(config, dict):
        return body, None
    edited = copy.deepcopy(body)
    applied = []
    for edit in config.get("edits") or []:
        result = _clear_tool_uses(edited, edit, count)
        if result is not None:
            edited, done = result
            applied.append(done)
    return edited, {"applied_edits": applied}


def apply_to_events(events: list[SSEEvent], response: dict[str, Any]) -> list[SSEEvent]:
    """The stream with ``context_management`` on ``message_start``'s message and on ``message_delta``."""

    def edit(_name: str, holder: dict[str, Any]) -> bool:
        holder["context_management"] = response
        return True

    return edit_message_events(events, edit)


def _check_amount(value: Any, where: str, kinds: tuple[str, ...], minimum: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in kinds:
        return f"{where}.type: Input should be " + " or ".join(f"'{k}'" for k in kinds)
    extra = set(value) - {"type", "value"}
    if extra:
        return f"{where}.{sorted(extra)[0]}: Extra inputs are not permitted"
    number = value.get("value")
    if not isinstance(number, int) or isinstance(number, bool) or number < minimum:
        return f"{where}.value: Input should be an integer greater than or equal to {minimum}"
    return None


def _clear_tool_uses(
    body: dict[str, Any], edit: dict[str, Any], count: Callable[[dict[str, Any]], int]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """One ``clear_tool_uses_20250919`` edit applied to ``body`` (a copy), or None when it does nothing."""
    trigger = edit.get("trigger") or DEFAULT_TRIGGER
    keep = (edit.get("keep") or DEFAULT_KEEP)["value"]
    at_least = (edit.get("clear_at_least") or {"value": 0})["value"]
    exclude = set(edit.get("exclude_tools") or [])
    inputs = edit.get("clear_tool_inputs") or False

    uses = _tool_uses(body)
    before = count(body)
    reached = before if trigger["type"] == "input_tokens" else len(uses)
    if reached <= trigger["value"]:
        return None
    clearable = [use for use in uses if use["name"] not in exclude]
    chosen = clearable[: max(0, len(clearable) - keep)]
    if not chosen:
        return None
    edited = copy.deepcopy(body)
    ids = {use["id"] for use in chosen}
    for block in _blocks(edited):
        if block.get("type") == "tool_result" and block.get("tool_use_id") in ids:
            block["content"] = PLACEHOLDER
        elif block.get("type") == "tool_use" and block.get("id") in ids:
            if inputs is True or (isinstance(inputs, list) and block.get("name") in inputs):
                block["input"] = {}
    cleared = before - count(edited)
    if cleared < at_least or cleared <= 0:
        return None
    return edited, {"type": CLEAR_TOOL_USES, "cleared_tool_uses": len(chosen), "cleared_input_tokens": cleared}


def _tool_uses(body: dict[str, Any]) -> list[dict[str, str]]:
    """The request's tool uses that have a result, oldest first (``id``, ``name``)."""
    calls: list[dict[str, str]] = []
    answered: set[str] = set()
    for block in _blocks(body):
        if block.get("type") == "tool_use":
            calls.append({"id": str(block.get("id")), "name": str(block.get("name"))})
        elif block.get("type") == "tool_result":
            answered.add(str(block.get("tool_use_id")))
    return [call for call in calls if call["id"] in answered]


def _blocks(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The content blocks of the request's messages, in order (the same objects: edits stay)."""
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            yield from (block for block in content if isinstance(block, dict))
