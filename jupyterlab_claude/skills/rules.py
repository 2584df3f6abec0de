"""Project rules: ``AGENTS.md`` or ``CLAUDE.md`` at the Jupyter root or beside the notebook.

They go into the system prompt (cached) as the scientist's standing instructions for the
project. Read under the same path rules as the file tools (nothing outside the root, no
secrets, no links out), at most :data:`MAX_RULES_BYTES` of each.
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import ClaudeError
from ..files import resolve, split_relative

RULE_FILES = ("AGENTS.md", "CLAUDE.md")
MAX_RULES_BYTES = 64 * 1024


def project_rules(root: str, notebook: str = "") -> dict[str, Any]:
    """The rule files for a notebook (path relative to the root), root first, then its folder."""
    parts = split_relative(notebook) if notebook else []
    folders = [""]
    if len(parts) > 1:
        folders.append("/".join(parts[:-1]))
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for folder in folders:
        for name in RULE_FILES:
            rel = f"{folder}/{name}" if folder else name
            try:
                real, rel = resolve(root, rel)
            except ClaudeError:
                continue
            if real in seen or not os.path.isfile(real):
                continue
            seen.add(real)
            size = os.path.getsize(real)
            with open(real, "rb") as f:
                data = f.read(MAX_RULES_BYTES + 1)
            text = data[:MAX_RULES_BYTES].decode("utf-8", errors="replace").strip()
            if text:
                found.append({"path": rel, "size": size, "truncated": len(data) > MAX_RULES_BYTES, "text": text})
    return {"files": found}
