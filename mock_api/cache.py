"""Prompt caching computed from the request, following Anthropic's published rules.

* A prompt is a sequence of blocks in the order tools → system → messages; a cache entry is
  keyed by the exact content of every block up to and including a ``cache_control`` block
  (a breakpoint), with the model (and, for message blocks, ``tool_choice`` and ``thinking``).
* At most four breakpoints; a top-level ``cache_control`` (automatic caching) puts one on the
  last block.
* A read looks for an entry at each breakpoint and at up to 19 block boundaries before it
  (a window of 20 blocks); the longest hit wins and its lifetime is refreshed.
* A write happens at every breakpoint after the hit whose prefix reaches the model's minimum
  cacheable length; shorter prefixes are simply not cached (no error).
* Entries live 5 minutes (``ttl`` "5m", the default) or one hour (``ttl`` "1h") from last use;
  a 1h breakpoint may not follow a 5m one.
* Usage: ``cache_read_input_tokens`` up to the hit, ``cache_creation_input_tokens`` from the hit
  to the last written breakpoint (split by TTL in ``cache_creation``), ``input_tokens`` the rest.

Tokens are counted with the mock's one rule (:func:`tokens_of`, about four characters each).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .fixtures import SSEEvent, edit_message_events

MAX_BREAKPOINTS = 4
#: Block boundaries checked for a hit at and before each breakpoint.
LOOKBACK_BLOCKS = 20
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}

#: Minimum cacheable prompt length by model id prefix (the published table; longest prefix wins).
MIN_CACHEABLE_TOKENS: dict[str, int] = {
    "claude-opus-5": 512,
    "claude-fable-5": 512,
    "claude-mythos-5": 512,
    "claude-sonnet-5": 1024,
    "claude-opus-4-8": 1024,
    "claude-opus-4-7": 2048,
    "claude-opus-4-6": 4096,
    "claude-opus-4-5": 4096,
    "claude-opus-4-1": 1024,
    "claude-opus-4": 1024,
    "claude-sonnet-4": 1024,
    "claude-3-7-sonnet": 1024,
    "claude-haiku-4-5": 4096,
    "claude-3-5-haiku": 2048,
    "claude-3-haiku": 2048,
}


def tokens_of(value: Any) -> int:
    """The mock's token count of any JSON value: about four characters per token."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
    return max(1, len(text) // 4)


def min_cacheable_tokens(model: str) -> int:
    """The shortest prefix ``model`` caches (Haiku-class 2048, others 1024 when not in the table)."""
    best = ""
    for prefix in MIN_CACHEABLE_TOKENS:
        if model.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    if best:
        return MIN_CACHEABLE_TOKENS[best]
    return 2048 if "haiku" in model else 1024


class CacheRequestError(ValueError):
    """A request whose ``cache_control`` the API refuses (sent as ``invalid_request_error``)."""


@dataclass
class PromptBlock:
    section: str
    tokens: int
    digest: str
    cache_control: dict[str, Any] | None


def prompt_blocks(body: dict[str, Any]) -> list[PromptBlock]:
    """The request as cacheable blocks, each with the digest of the whole prefix that ends with it."""
    raw: list[tuple[str, Any]] = []
    for tool in body.get("tools") or []:
        raw.append(("tools", tool))
    system = body.get("system")
    if isinstance(system, str):
        raw.append(("system", {"type": "text", "text": system}))
    elif isinstance(system, list):
        raw.extend(("system", block) for block in system)
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        for j, block in enumerate(blocks):
            # The role and the message boundary are part of what the model reads.
            raw.append(("messages", {"role": message.get("role"), "message": i, "first": j == 0, "block": block}))
    digest = hashlib.sha256(json.dumps(["model", body.get("model")]).encode())
    out: list[PromptBlock] = []
    seeded_messages = False
    for section, item in raw:
        if section == "messages" and not seeded_messages:
            # Changing tool_choice or thinking invalidates the cached messages (not tools or system).
            seed = {"tool_choice": body.get("tool_choice"), "thinking": body.get("thinking")}
            digest.update(json.dumps(seed, sort_keys=True).encode())
            seeded_messages = True
        block = item["block"] if section == "messages" else item
        control = block.get("cache_control") if isinstance(block, dict) else None
        content = _without_cache_control(item)
        digest.update(section.encode() + b"\0" + json.dumps(content, sort_keys=True).encode())
        tokens = tokens_of(_without_cache_control(block))
        out.append(PromptBlock(section, tokens, digest.copy().hexdigest(), control))
    return out


def prompt_tokens(body: dict[str, Any]) -> int:
    """Every input token of a request (what count_tokens answers)."""
    return max(1, sum(b.tokens for b in prompt_blocks(body)))


class PromptCache:
    """Cache entries by prefix digest, with their expiry; thread-safe, clock injectable."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, float]] = {}  # digest -> (expires_at, ttl)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        now = self.clock()
        with self._lock:
            return sum(1 for expires, _ in self._entries.values() if expires > now)

    def account(self, body: dict[str, Any]) -> dict[str, Any]:
        """Read and write the cache for one request; its input usage. Raises CacheRequestError."""
        blocks = prompt_blocks(body)
        breakpoints = _breakpoints(body, blocks)
        cumulative, total = [], 0
        for block in blocks:
            total += block.tokens
            cumulative.append(total)
        minimum = min_cacheable_tokens(str(body.get("model", "")))
        with self._lock:
            now = self.clock()
            hit = -1
            for at, _ in breakpoints:
                for j in range(at, max(-1, at - LOOKBACK_BLOCKS), -1):
                    entry = self._entries.get(blocks[j].digest)
                    if entry and entry[0] > now:
                        hit = max(hit, j)
                        break
            if hit >= 0:  # a hit refreshes the entry it reads
                ttl_s = self._entries[blocks[hit].digest][1]
                self._entries[blocks[hit].digest] = (now + ttl_s, ttl_s)
            written, creation = hit, {"5m": 0, "1h": 0}
            for at, ttl in breakpoints:
                if at <= hit:
                    continue
                if cumulative[at] < minimum:
                    continue
                self._entries[blocks[at].digest] = (now + TTL_SECONDS[ttl], TTL_SECONDS[ttl])
                creation[ttl] += cumulative[at] - (cumulative[written] if written >= 0 else 0)
                written = at
        read = cumulative[hit] if hit >= 0 else 0
        created = creation["5m"] + creation["1h"]
        return {
            "input_tokens": max(0, total - read - created),
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": creation["5m"],
                "ephemeral_1h_input_tokens": creation["1h"],
            },
        }


def apply_usage(events: list[SSEEvent], usage: dict[str, Any]) -> list[SSEEvent]:
    """The stream with its input usage (message_start, and message_delta where it has any) replaced."""

    def edit(name: str, holder: dict[str, Any]) -> bool:
        if not isinstance(holder.get("usage"), dict):
            return False
        if name == "message_start":
            holder["usage"].update(usage)
        else:
            holder["usage"].update({k: v for k, v in usage.items() if k in holder["usage"]})
        return True

    return edit_message_events(events, edit)


def _without_cache_control(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_cache_control(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_without_cache_control(v) for v in value]
    return value


def _breakpoints(body: dict[str, Any], blocks: list[PromptBlock]) -> list[tuple[int, str]]:
    """(block index, ttl) of each breakpoint, in prompt order, checked as the API checks them."""
    found: list[tuple[int, str]] = []
    controls = [(i, b.cache_control) for i, b in enumerate(blocks) if b.cache_control is not None]
    top = body.get("cache_control")
    if top is not None and blocks and blocks[-1].cache_control is None:
        controls.append((len(blocks) - 1, top))
    if len(controls) > MAX_BREAKPOINTS:
        raise CacheRequestError(
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {len(controls)}."
        )
    seen_short = False
    for i, control in controls:
        if not isinstance(control, dict) or control.get("type") != "ephemeral":
            raise CacheRequestError("cache_control.type: Input should be 'ephemeral'")
        ttl = control.get("ttl", "5m")
        if ttl not in TTL_SECONDS:
            raise CacheRequestError("cache_control.ttl: Input should be '5m' or '1h'")
        if ttl == "1h" and seen_short:
            raise CacheRequestError("cache_control: a ttl='1h' breakpoint must not come after a ttl='5m' breakpoint")
        seen_short = seen_short or ttl == "5m"
        found.append((i, ttl))
    return found
