"""Loading scripted responses and turning recorded SSE into Messages API objects.

A fixture is a JSON descriptor (``NAME.json``) in the fixtures directory::

    {
      "description": "what this response is for",
      "status": 200,
      "headers": {"anthropic-ratelimit-requests-remaining": "49"},
      "sse": "hello.sse",            # recorded event stream, or null
      "event_delay_ms": 10,          # pause before each event
      "cut_after_events": null,      # close the socket after N events
      "stall_after_events": null,    # go silent after N events, keep socket open
      "body": null                   # JSON body for non-stream answers (errors)
    }

The same ``.sse`` file serves ``"stream": true`` requests (sent as is) and
non-streaming ones (assembled into one Message with :func:`assemble_message`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_FIXTURES_DIR = Path(__file__).parent / "fixtures"

#: Descriptor keys a ``/_mock/queue`` call may override.
OVERRIDABLE = (
    "status",
    "headers",
    "sse",
    "event_delay_ms",
    "cut_after_events",
    "stall_after_events",
    "body",
    "repeat_text_deltas",
    "split_bytes",
)

DEFAULTS: dict[str, Any] = {
    "description": "",
    "status": 200,
    "headers": {},
    "sse": None,
    "event_delay_ms": 0,
    "cut_after_events": None,
    "stall_after_events": None,
    "body": None,
    # Duplicate the first text_delta N times (used by the benchmark for long streams).
    "repeat_text_deltas": None,
    # Write each SSE event in pieces of N bytes, flushed separately (chunk-boundary tests).
    "split_bytes": None,
}

#: HTTP status Anthropic uses for each error type (for non-streaming error events).
ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


@dataclass
class SSEEvent:
    """One server-sent event exactly as recorded."""

    event: str
    data: str

    def encode(self) -> bytes:
        """Wire format used by the Messages API: ``event:`` line, ``data:`` line, blank line."""
        return f"event: {self.event}\ndata: {self.data}\n\n".encode()

    def json(self) -> Any:
        return json.loads(self.data)


class FixtureError(ValueError):
    """A fixture name or descriptor that cannot be served."""


def parse_sse(text: str) -> list[SSEEvent]:
    """Split a recorded event stream into events (blank-line separated blocks)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        event, data_lines = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event = line[len("event:") :].strip()
            elif line.startswith("data:"):
                data_lines.append(line[len("data:") :].lstrip(" "))
        if event is not None or data_lines:
            events.append(SSEEvent(event or "message", "\n".join(data_lines)))
    return events


def edit_message_events(events: list[SSEEvent], edit: Callable[[str, dict[str, Any]], bool]) -> list[SSEEvent]:
    """The stream with ``edit(event_name, message)`` applied to ``message_start``'s message and to
    ``message_delta``; an event it leaves unchanged (returns False), or that is not JSON, stays as sent."""
    out = []
    for event in events:
        if event.event not in ("message_start", "message_delta"):
            out.append(event)
            continue
        try:
            data = event.json()
        except ValueError:
            out.append(event)
            continue
        holder = data.get("message") if event.event == "message_start" else data
        if isinstance(holder, dict) and edit(event.event, holder):
            out.append(SSEEvent(event.event, json.dumps(data, separators=(",", ":"))))
        else:
            out.append(event)
    return out


def list_fixtures(fixtures_dir: Path) -> list[str]:
    """Names of all descriptors in ``fixtures_dir``."""
    return sorted(p.stem for p in Path(fixtures_dir).glob("*.json") if p.stem != "models")


def load_fixture(name: str, fixtures_dir: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read descriptor ``name`` and apply ``overrides``; the SSE events are loaded too."""
    fixtures_dir = Path(fixtures_dir)
    # Names come from HTTP callers: keep them to plain file names inside the directory.
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise FixtureError(f"bad fixture name: {name!r}")
    path = fixtures_dir / f"{name}.json"
    if not path.is_file():
        raise FixtureError(f"no such fixture: {name!r} (have: {', '.join(list_fixtures(fixtures_dir))})")
    spec = dict(DEFAULTS)
    spec.update(json.loads(path.read_text(encoding="utf-8")))
    for key, value in (overrides or {}).items():
        if key not in OVERRIDABLE:
            raise FixtureError(f"cannot override {key!r}; allowed: {', '.join(OVERRIDABLE)}")
        spec[key] = value
    spec["name"] = name
    spec["events"] = []
    if spec["sse"]:
        sse_path = fixtures_dir / spec["sse"]
        if sse_path.parent != fixtures_dir or not sse_path.is_file():
            raise FixtureError(f"fixture {name!r}: missing SSE file {spec['sse']!r}")
        spec["events"] = expand_events(parse_sse(sse_path.read_text(encoding="utf-8")), spec["repeat_text_deltas"])
    return spec


def expand_events(events: list[SSEEvent], repeat_text_deltas: int | None) -> list[SSEEvent]:
    """Repeat the first ``text_delta`` event so a stream has ``repeat_text_deltas`` of them."""
    if not repeat_text_deltas:
        return events
    out: list[SSEEvent] = []
    done = False
    for ev in events:
        if not done and ev.event == "content_block_delta":
            try:
                is_text = ev.json()["delta"]["type"] == "text_delta"
            except (ValueError, KeyError, TypeError):
                is_text = False
            if is_text:
                out.extend([ev] * int(repeat_text_deltas))
                done = True
                continue
        out.append(ev)
    return out


def assemble_message(events: list[SSEEvent]) -> dict[str, Any]:
    """Build the non-streaming Message object the same event stream describes.

    Mirrors how Anthropic's SDKs accumulate a stream. An ``error`` event raises
    :class:`StreamError` carrying the error body.
    """
    message: dict[str, Any] = {}
    partial_json: dict[int, str] = {}
    for ev in events:
        if ev.event == "ping":
            continue
        data = ev.json()
        kind = data.get("type")
        if kind == "error":
            raise StreamError(data)
        if kind == "message_start":
            message = json.loads(json.dumps(data["message"]))
            message["content"] = list(message.get("content") or [])
        elif kind == "content_block_start":
            block = dict(data["content_block"])
            content = message["content"]
            while len(content) <= data["index"]:
                content.append(None)
            content[data["index"]] = block
        elif kind == "content_block_delta":
            block = message["content"][data["index"]]
            delta = data["delta"]
            if delta["type"] == "text_delta":
                block["text"] = block.get("text", "") + delta["text"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] = block.get("thinking", "") + delta["thinking"]
            elif delta["type"] == "signature_delta":
                block["signature"] = block.get("signature", "") + delta["signature"]
            elif delta["type"] == "input_json_delta":
                partial_json[data["index"]] = partial_json.get(data["index"], "") + delta["partial_json"]
        elif kind == "content_block_stop":
            if data["index"] in partial_json:
                raw = partial_json.pop(data["index"])
                message["content"][data["index"]]["input"] = json.loads(raw) if raw else {}
        elif kind == "message_delta":
            message.update({k: v for k, v in data.get("delta", {}).items()})
            usage = message.setdefault("usage", {})
            usage.update({k: v for k, v in (data.get("usage") or {}).items() if v is not None})
            if data.get("context_management") is not None:
                message["context_management"] = data["context_management"]
    return message


class StreamError(Exception):
    """An ``error`` event inside a recorded stream."""

    def __init__(self, body: dict[str, Any]):
        super().__init__(body.get("error", {}).get("message", "error"))
        self.body = body

    @property
    def status(self) -> int:
        return ERROR_STATUS.get(self.body.get("error", {}).get("type"), 500)
