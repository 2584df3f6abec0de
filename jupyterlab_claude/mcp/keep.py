"""Keep the data: a tool result saved beside the notebook, with what produced it.

``<notebook folder>/mcp-data/<server>/<tool>-<UTC time>.json`` holds ``{server, tool, arguments,
time, call_id, result}`` (the result as the browser got it: bounded and scrubbed), and
``.../resource-<name>-<UTC time>.json`` holds ``{server, resource, time, contents}``, so an
instrument reading becomes a file the notebook can load, not only a number in a chat.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from typing import Any

from .. import conversations, files
from ..errors import Refused

FOLDER = "mcp-data"


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).lstrip(".")[:80]
    return cleaned or "tool"


def save_beside(root_dir: str, notebook: str, record: dict[str, Any], stem: str | None = None) -> str:
    """Write ``record`` beside ``notebook`` (a path relative to the root); the new file's relative path.

    The file is named after ``stem`` (default: the record's tool) and the time.
    """
    parts = conversations.notebook_parts(notebook)  # relative, no '..', ends in .ipynb
    real_root = os.path.realpath(os.path.expanduser(root_dir))
    folder_parts = [*parts[:-1], FOLDER, _safe(record["server"])]
    folder = os.path.join(real_root, *folder_parts)
    os.makedirs(folder, exist_ok=True)
    if not files.is_within(os.path.realpath(folder), real_root):
        raise Refused(f"'{'/'.join(folder_parts)}' resolves (through a symlink) outside the Jupyter root.")
    when = datetime.now(timezone.utc)
    stem = f"{_safe(stem or record['tool'])}-{when.strftime('%Y%m%dT%H%M%S%fZ')}"
    data = json.dumps({**record, "time": when.isoformat(timespec="milliseconds")}, indent=1, ensure_ascii=False)
    for attempt in range(100):
        name = f"{stem}.json" if attempt == 0 else f"{stem}-{attempt}.json"
        path = os.path.join(folder, name)
        try:
            # Never through a link, never over an existing file.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        return "/".join([*folder_parts, name])
    raise Refused("Too many results saved in the same instant.")
