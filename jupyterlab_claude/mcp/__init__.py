"""The MCP bridge: Claude reaches the lab's MCP servers through the Jupyter server, never directly.

The Jupyter server is the MCP client (the official ``mcp`` SDK). It starts stdio servers as the
user running Jupyter, or reaches Streamable HTTP servers with headers that stay on the server.
The browser only ever names a configured server; it never sends a command, a URL or a header,
and no env value or header value is in any reply (listings show env and header *names* only,
URLs without query or userinfo, and everything a server returns, and every error message, is
scrubbed of those values (each env and header value of 8 characters or more, and a bearer token
alone) and of the API key, in every form ``proxy.scrub_text`` knows). A stdio server gets only
``HOME``, ``LOGNAME``, ``PATH``, ``SHELL``, ``TERM`` and ``USER`` from Jupyter's environment (the
SDK's default) plus its own ``env``: never the API key.

Where servers come from (``config.py``): ``c.ClaudeMCP.servers`` and ``c.ClaudeMCP.config_file``
(admin, first, fixed), then ``.mcp.json`` at the Jupyter root (project). A project server starts
only after the scientist trusted that exact file content (``POST claude/mcp/trust`` with the
SHA-256 the listing showed); trust is kept per root and per hash in the Jupyter data folder
(``trust.py``), so a changed file is untrusted again and its servers are stopped.
``allow_project_servers`` turns project files off; ``allowed_commands`` restricts what their
stdio servers may run.

Lifecycle (``connection.py``): a server starts on first use (a call, a resource, a prompt,
Restart, or ``POST claude/mcp/connect``), or with Jupyter when its entry says ``"autostart": true``.
A crash restarts it with backoff (0.5 s doubling to 30 s; ``max_restarts`` in a row, then
``failed`` until Restart or a call). Its stderr's last lines are kept for the Tools view.
Every server is stopped when Jupyter stops (the SDK closes stdin, then kills the process group;
an exit hook kills any group left).

Routes (all under the base URL, authenticated, XSRF-checked, authorised as ``kernels``):

``GET claude/mcp/servers``
    ``{"servers": [{name, source, autostart, state, error, stderr, restarts, stdout_junk_lines,
    server_info, instructions, protocol_version, tools, resources, resource_templates, prompts,
    config}], "project": {path, enabled, exists, sha256, trusted, error, servers}, "config_errors",
    "call_timeout", "policy": {"auto_approve": "read-only" | "any" | "never"}}``.
    ``state`` is stopped | starting | connected | restarting | failed | disabled.
    Tools are the MCP ``Tool`` objects as JSON (``inputSchema``, ``annotations`` ...), as last
    listed. ``config`` is ``{transport: "stdio", command, args, env: [names], cwd}`` or
    ``{transport: "http", url (no query), headers: [names]}``.
``POST claude/mcp/connect``
    Starts every server that may start and waits (up to ``connect_timeout``) for each; answers the
    listing. Listing never starts anything.
``POST claude/mcp/servers/<name>/tools/<tool>`` body ``{"arguments": {...}, "call_id": "..."}``
    Answers ``{content, structuredContent, isError, call_id, server, tool, truncated, elapsed_ms}``
    when the call ends. A result over ``max_result_bytes`` (10 MB) is cut with a note
    (``truncated: true``). Errors are ``{"type": "error", "error": {type, message}}``: 404 unknown
    server or tool, 409 ``mcp_server_disabled`` / ``cancelled``, 502 ``mcp_server_failed`` /
    ``mcp_error`` / ``mcp_malformed``, 504 ``mcp_timeout`` (after ``call_timeout``; the SDK sends
    MCP ``notifications/cancelled``).
    With ``"save_beside": "<notebook path>"`` the result is also written to
    ``<notebook folder>/mcp-data/<server>/<tool>-<UTC time>.json`` (``keep.py``; needs the right
    to write contents) and the answer carries ``saved`` (that path, relative to the root) or
    ``save_error``.
    With ``"stream": true`` in the body the answer is ``application/x-ndjson`` instead (always 200):
    one ``{"type": "progress", call_id, progress, total, message, time}`` line per MCP progress
    notification as it arrives, then one ``{"type": "result", ...the fields above}`` or
    ``{"type": "error", "error": {type, message}}`` line.
``GET claude/mcp/calls/<call_id>``
    Progress of a call in flight (and for two minutes after): ``{call_id, server, tool, state:
    running | done | error | cancelled, progress: {progress, total, message, time}, progress_events,
    elapsed_ms}``. The page picks the ``call_id`` (1-64 of ``[A-Za-z0-9_-]``), sends the POST and
    polls this route while it waits.
``POST claude/mcp/calls/<call_id>/cancel``
    Cancels the call (MCP cancellation is sent); the pending POST answers 409 ``cancelled``.
    Closing the POST's connection does the same.
``GET claude/mcp/servers/<name>/resources`` (list) and ``...?uri=<uri>`` (read: ``{contents}``)
``POST claude/mcp/servers/<name>/resources`` body ``{"uri": ..., "save_beside": "<notebook path>"}``
    Reads it and keeps it as ``<notebook folder>/mcp-data/<server>/resource-<name>-<time>.json``;
    answers ``{contents, saved}`` (or ``save_error``).
``POST claude/mcp/servers/<name>/prompts/<prompt>`` body ``{"arguments": {name: string}}``
    ``{description, messages}``.
``POST claude/mcp/servers/<name>/restart``
    Starts or restarts it; answers that server's listing entry.
``POST claude/mcp/trust`` / ``DELETE claude/mcp/trust`` body ``{"sha256": ...}``
    Trust (or forget) the project file whose content has that hash (409 if it changed since);
    answers the new listing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .bridge import MCPBridge
from .config import ClaudeMCP
from .connection import BridgeError
from .handlers import mcp_routes


class _OneLineParseErrors(logging.Filter):
    """The SDK logs a traceback for each stdout line that is not JSON-RPC: one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Failed to parse JSONRPC message"):
            record.exc_info = None
            record.exc_text = None
        return True


def setup_mcp(server_app: Any, secrets: Callable[[], list[str]], version: str) -> MCPBridge:
    """Create the bridge, add its routes, start autostart servers, stop everything with Jupyter."""
    from tornado.ioloop import IOLoop

    stdio_log = logging.getLogger("mcp.client.stdio")
    if not any(isinstance(f, _OneLineParseErrors) for f in stdio_log.filters):
        stdio_log.addFilter(_OneLineParseErrors())
    config = ClaudeMCP(config=server_app.config)
    root_dir = getattr(server_app, "root_dir", None) or "."
    bridge = MCPBridge(config, root_dir, secrets=secrets, version=version)
    server_app.web_app.add_handlers(".*$", mcp_routes(server_app.web_app.settings["base_url"], bridge))
    server_app.web_app.settings["claude_mcp"] = bridge
    for error in bridge.config_errors:
        server_app.log.warning("jupyterlab_claude MCP: %s", error)

    # A module extension gets no stop hook of its own: run the bridge's shutdown first in Jupyter's.
    cleanup = server_app.cleanup_extensions

    async def cleanup_extensions() -> None:
        await bridge.shutdown()
        await cleanup()

    server_app.cleanup_extensions = cleanup_extensions
    IOLoop.current().add_callback(bridge.autostart)
    return bridge


__all__ = ["BridgeError", "ClaudeMCP", "MCPBridge", "mcp_routes", "setup_mcp"]
