"""The audit log: one JSON object a line, rotated by size, never the conversation's text by default."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any


class AuditLog:
    """Append-only JSONL at ``path``; at ``max_bytes`` it becomes ``path.1`` (older ones shift up)."""

    def __init__(
        self,
        path: str,
        max_bytes: int = 10 * 1024 * 1024,
        backups: int = 5,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ):
        self.path = os.path.abspath(os.path.expanduser(path))
        self.max_bytes = max_bytes
        self.backups = backups
        self.clock = clock
        self._lock = threading.Lock()

    def write(self, event: str, **fields: Any) -> dict[str, Any]:
        record = {"time": self.clock().isoformat(timespec="milliseconds"), "event": event, **fields}
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            os.makedirs(os.path.dirname(self.path) or ".", mode=0o700, exist_ok=True)
            self._rotate_for(len(line))
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        return record

    def _rotate_for(self, incoming: int) -> None:
        try:
            size = os.path.getsize(self.path)
        except OSError:
            return
        if not self.max_bytes or size == 0 or size + incoming <= self.max_bytes:
            return
        if self.backups <= 0:
            os.replace(self.path, self.path + ".1")
            os.unlink(self.path + ".1")
            return
        for n in range(self.backups - 1, 0, -1):
            older = f"{self.path}.{n}"
            if os.path.exists(older):
                os.replace(older, f"{self.path}.{n + 1}")
        os.replace(self.path, self.path + ".1")
