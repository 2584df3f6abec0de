"""Token usage: read from the API's answers, counted per user per day, kept across restarts.

:class:`UsageMeter` reads one answer as it streams through the proxy (its ``usage`` fields, the
tools it calls, and its text only when the audit log wants contents). :class:`UsageLedger`
keeps each user's count for the current local day in a small JSON file; its clock is injected,
so the midnight reset is tested without waiting for midnight.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

#: The token fields of the Messages API's ``usage`` object, by our names.
USAGE_FIELDS = {
    "input": "input_tokens",
    "output": "output_tokens",
    "cache_read": "cache_read_input_tokens",
    "cache_write": "cache_creation_input_tokens",
}

#: Text kept of one answer for an audit log with contents (the rest is cut).
MAX_AUDIT_TEXT = 200_000

#: Bytes of one SSE event held while it arrives; a longer one is not read for usage.
MAX_EVENT_BYTES = 4 * 1024 * 1024


@dataclass
class Usage:
    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0

    def weighted(self, cache_read_weight: float) -> int:
        """What counts towards a daily limit: cache reads at their own weight."""
        return self.input + self.cache_write + self.output + round(self.cache_read * cache_read_weight)

    def add(self, other: Usage) -> None:
        for name in USAGE_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_api(cls, usage: Any, base: Usage | None = None) -> Usage:
        """Fields present in an API ``usage`` object replace those of ``base`` (message_delta is cumulative)."""
        out = Usage(**(base.as_dict() if base else {}))
        if isinstance(usage, dict):
            for ours, theirs in USAGE_FIELDS.items():
                value = usage.get(theirs)
                if isinstance(value, int) and value >= 0:
                    setattr(out, ours, value)
        return out


@dataclass
class AnswerRecord:
    """What one answer was: its id, model, usage, tools called and (if wanted) its text."""

    message_id: str = ""
    model: str = ""
    stop_reason: str = ""
    usage: Usage = field(default_factory=Usage)
    tools: list[dict[str, str]] = field(default_factory=list)
    text: str = ""


class UsageMeter:
    """Reads an answer's bytes as they pass (an SSE stream or one JSON body)."""

    def __init__(self, keep_text: bool = False):
        self.keep_text = keep_text
        self.record = AnswerRecord()
        self._buffer = b""
        self._json: bool | None = None
        self._overflow = False

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self._json is None:
            stripped = chunk.lstrip()
            if not stripped:
                return
            self._json = stripped.startswith(b"{")
        self._buffer += chunk
        if self._json:
            if len(self._buffer) > MAX_EVENT_BYTES * 4:
                self._buffer, self._overflow = b"", True
            return
        while True:
            cut = _event_end(self._buffer)
            if cut is None:
                if len(self._buffer) > MAX_EVENT_BYTES:
                    self._buffer = b""
                return
            event, self._buffer = self._buffer[: cut[0]], self._buffer[cut[1] :]
            self._event(event)

    def close(self) -> AnswerRecord:
        if self._json and not self._overflow:
            try:
                self._message(json.loads(self._buffer))
            except ValueError:
                pass
        elif self._buffer.strip():
            self._event(self._buffer)
        self._buffer = b""
        return self.record

    def _event(self, raw: bytes) -> None:
        data = [line[5:].strip() for line in raw.replace(b"\r\n", b"\n").split(b"\n") if line.startswith(b"data:")]
        if not data:
            return
        try:
            event = json.loads(b"\n".join(data))
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        kind = event.get("type")
        record = self.record
        if kind == "message_start" and isinstance(event.get("message"), dict):
            self._message(event["message"])
        elif kind == "message_delta":
            record.usage = Usage.from_api(event.get("usage"), record.usage)
            delta = event.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
                record.stop_reason = delta["stop_reason"]
        elif kind == "content_block_start":
            self._block(event.get("content_block"))
        elif kind == "content_block_delta" and self.keep_text:
            delta = event.get("delta")
            if isinstance(delta, dict) and delta.get("type") == "text_delta":
                self._text(delta.get("text"))

    def _message(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        record = self.record
        record.message_id = str(message.get("id") or "")[:200]
        record.model = str(message.get("model") or "")[:200]
        if isinstance(message.get("stop_reason"), str):
            record.stop_reason = message["stop_reason"]
        record.usage = Usage.from_api(message.get("usage"), record.usage)
        for block in message.get("content") or []:
            self._block(block)

    def _block(self, block: Any) -> None:
        if not isinstance(block, dict):
            return
        if block.get("type") in ("tool_use", "server_tool_use", "mcp_tool_use"):
            self.record.tools.append({"id": str(block.get("id", ""))[:200], "name": str(block.get("name", ""))[:200]})
        elif block.get("type") == "text" and self.keep_text:
            self._text(block.get("text"))

    def _text(self, text: Any) -> None:
        if isinstance(text, str) and len(self.record.text) < MAX_AUDIT_TEXT:
            self.record.text = (self.record.text + text)[:MAX_AUDIT_TEXT]


def _event_end(buffer: bytes) -> tuple[int, int] | None:
    """Where the first SSE event in ``buffer`` ends, and where the next one starts."""
    best = None
    for sep in (b"\n\n", b"\r\n\r\n", b"\r\r"):
        at = buffer.find(sep)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, at + len(sep))
    return best


def next_midnight(now: datetime) -> datetime:
    """The local midnight that ends ``now``'s day."""
    return datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)


class UsageLedger:
    """Each user's token count for today, written to ``path`` after every answer.

    The file holds one day: a count from an earlier day reads as zero (the reset at midnight),
    and is replaced by the first answer of the new day.
    """

    def __init__(self, path: str, cache_read_weight: float = 0.1, clock: Callable[[], datetime] = datetime.now):
        self.path = path
        self.cache_read_weight = cache_read_weight
        self.clock = clock
        self._lock = threading.Lock()
        self._day, self._users = self._load()

    def today(self) -> date:
        return self.clock().date()

    def resets_at(self) -> datetime:
        return next_midnight(self.clock())

    def used(self, user: str) -> Usage:
        with self._lock:
            if self._day != self.today().isoformat():
                return Usage()
            return Usage(**{k: v for k, v in self._users.get(user, {}).items() if k in USAGE_FIELDS})

    def weighted(self, user: str) -> int:
        return self.used(user).weighted(self.cache_read_weight)

    def add(self, user: str, usage: Usage) -> Usage:
        """Count an answer's tokens towards today's total and save; returns the new total."""
        with self._lock:
            day = self.today().isoformat()
            if self._day != day:
                self._day, self._users = day, {}
            total = Usage(**{k: v for k, v in self._users.get(user, {}).items() if k in USAGE_FIELDS})
            total.add(usage)
            self._users[user] = {**total.as_dict(), "requests": self._users.get(user, {}).get("requests", 0) + 1}
            self._save()
            return total

    def _load(self) -> tuple[str, dict[str, dict[str, int]]]:
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return "", {}
        if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
            return "", {}
        users = {
            str(name): {k: v for k, v in counts.items() if isinstance(v, int) and v >= 0}
            for name, counts in data["users"].items()
            if isinstance(counts, dict)
        }
        return str(data.get("day", "")), users

    def _save(self) -> None:
        folder = os.path.dirname(self.path) or "."
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".usage-", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"version": 1, "day": self._day, "users": self._users}, f)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
