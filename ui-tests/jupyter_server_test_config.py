"""Jupyter server configuration for the browser tests (Galata).

The Claude proxy reads its key and upstream from ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL,
set by playwright.config.js to a per-run random key and the local Messages API server.
"""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

# Fail fast in tests rather than waiting out long upstream timeouts.
c.ClaudeProxy.request_timeout = 60  # noqa: F821
# CI machines run as root.
c.ServerApp.allow_root = True  # noqa: F821

# MCP: the example instrument (a short scan, so progress shows and the test stays quick) and
# the reference server-everything when its npm package is installed (scripts/setup.sh).
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

_root = Path(__file__).resolve().parent.parent
_mcp = {
    "uvvis": {
        "command": sys.executable,
        "args": [str(_root / "examples" / "mcp" / "uvvis_instrument.py")],
        "env": {"UVVIS_SCAN_SECONDS": "2"},
    }
}
_everything = _root / "tests" / "mcp_servers" / "node_modules" / "@modelcontextprotocol" / "server-everything"
if (_everything / "dist" / "index.js").exists():
    _mcp["everything"] = {"command": "node", "args": [str(_everything / "dist" / "index.js"), "stdio"]}
c.ClaudeMCP.servers = _mcp  # noqa: F821
