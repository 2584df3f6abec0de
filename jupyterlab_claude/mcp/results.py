"""What goes back to the browser from an MCP answer: bounded in size and scrubbed of secrets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .. import proxy

TRUNCATION_NOTE = (
    "[The Jupyter server cut this result: it was {size} as JSON, over the {limit} limit "
    "(c.ClaudeMCP.max_result_bytes). {kept}]"
)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _cut_text(text: str, budget: int) -> str:
    """At most ``budget`` UTF-8 bytes of ``text``, never half a character."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= budget:
        return text
    return data[: max(0, budget)].decode("utf-8", "ignore")


def bound_result(result: dict[str, Any], limit: int) -> tuple[dict[str, Any], bool]:
    """Cut ``content`` and ``structuredContent`` so the whole is at most about ``limit`` bytes.

    Blocks are kept in order; the text block that crosses the limit is cut, later blocks and
    binary blocks that do not fit are left out, and a text block saying so is appended.
    """
    size = _json_size(result)
    if size <= limit:
        return result, False
    out = dict(result)
    budget = limit - 2048  # room for the note and the envelope
    structured = result.get("structuredContent")
    if structured is not None:
        if _json_size(structured) <= budget // 2:
            budget -= _json_size(structured)
        else:
            out["structuredContent"] = None
    kept: list[dict[str, Any]] = []
    dropped = 0
    cut = False
    for block in result.get("content") or []:
        block_size = _json_size(block)
        if block_size <= budget:
            kept.append(block)
            budget -= block_size
        elif block.get("type") == "text" and budget > 256:
            kept.append(dict(block, text=_cut_text(block.get("text", ""), budget - 256)))
            budget = 0
            cut = True
        else:
            dropped += 1
    what = ["a text block was cut at the limit"] if cut else []
    if out.get("structuredContent") is None and structured is not None:
        what.append("the structured content was left out")
    if dropped:
        what.append(f"{dropped} content block(s) were left out")
    kept_text = "; ".join(what) + "."
    kept_text = kept_text[0].upper() + kept_text[1:]
    kept.append({"type": "text", "text": TRUNCATION_NOTE.format(size=_mb(size), limit=_mb(limit), kept=kept_text)})
    out["content"] = kept
    return out, True


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """Every string (keys too) with each secret replaced by ``[redacted]`` in all its encoded forms."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return value
    return _scrub(value, secrets)


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return proxy.scrub_text(value, secrets)
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    return value


def shape_call_result(result: Any) -> dict[str, Any]:
    """The MCP ``CallToolResult`` as the browser gets it (no ``_meta``)."""
    data = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {
        "content": data.get("content", []),
        "structuredContent": data.get("structuredContent"),
        "isError": bool(data.get("isError", False)),
    }
