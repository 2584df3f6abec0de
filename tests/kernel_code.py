"""The request the front end sends to a Python kernel (src/kernel/python.ts), built in Python.

Shared by the kernel inspector's tests and its benchmark.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (ROOT / "src" / "kernel" / "inspector.py").read_text(encoding="utf-8")
REPLY_PREFIX = '{"inspector":"jupyterlab-claude"'


def inspector_code(**params: Any) -> str:
    """The wrapper python.ts builds: exec in a fresh dict, parameters as JSON, and no name
    looked up in the user's namespace (the frame of an unstarted generator gives the builtins
    and the globals)."""
    return (
        '(lambda f: f.f_builtins["exec"]('
        + json.dumps(SOURCE)
        + ', {"__builtins__": f.f_builtins, "__name__": "__jupyterlab_claude_inspector__", '
        + '"_USER_NS": f.f_globals, "_PARAMS": '
        + json.dumps(json.dumps(params))
        + "}))((_ for _ in ()).gi_frame)"
    )
