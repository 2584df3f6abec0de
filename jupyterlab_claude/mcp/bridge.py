"""The MCP bridge: every configured server, the project file and its trust, and calls in flight."""

from __future__ import annotations

import asyncio
import atexit
import re
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from .. import conversations
from ..errors import ClaudeError
from . import keep, results
from .config import (
    SOURCE_CONFIG,
    SOURCE_CONFIG_FILE,
    SOURCE_PROJECT,
    ClaudeMCP,
    ProjectFile,
    ServerSpec,
    command_allowed,
    parse_spec,
    read_project_file,
    read_servers_file,
)
from .connection import CONNECTED, DISABLED, STOPPED, BridgeError, Connection
from .trust import TrustStore

CALL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
#: Finished calls stay readable this long (a progress poll that arrives after the answer).
KEEP_FINISHED_SECONDS = 120.0
MAX_PROGRESS_EVENTS = 200
MAX_CALLS_KEPT = 500

_live_bridges: weakref.WeakSet[MCPBridge] = weakref.WeakSet()


@atexit.register
def _kill_all_at_exit() -> None:
    # Last resort when Jupyter exits without its cleanup (no stdio server outlives it).
    for bridge in list(_live_bridges):
        for conn in bridge.connections.values():
            conn.kill_now()


class Call:
    """A tool call in flight or just finished, with the progress the server reported."""

    def __init__(self, call_id: str, server: str, tool: str):
        self.id = call_id
        self.server = server
        self.tool = tool
        self.started = time.time()
        self.finished: float | None = None
        self.state = "running"  # running | done | error | cancelled
        self.progress: dict[str, Any] | None = None
        self.events: deque[dict[str, Any]] = deque(maxlen=MAX_PROGRESS_EVENTS)
        self.error: str | None = None
        self.task: asyncio.Task | None = None

    def to_json(self) -> dict[str, Any]:
        end = self.finished or time.time()
        return {
            "call_id": self.id,
            "server": self.server,
            "tool": self.tool,
            "state": self.state,
            "error": self.error,
            "progress": self.progress,
            "progress_events": list(self.events),
            "started": self.started,
            "elapsed_ms": int((end - self.started) * 1000),
        }


class MCPBridge:
    def __init__(
        self,
        config: ClaudeMCP,
        root_dir: str,
        secrets: Callable[[], list[str]] = list,
        version: str = "dev",
        environ: dict[str, str] | None = None,
    ):
        import os

        self.config = config
        self.root_dir = root_dir
        self._proxy_secrets = secrets
        self.version = version
        self.trust = TrustStore(config.trust_file)
        self.connections: dict[str, Connection] = {}
        self.config_errors: list[str] = []
        self.project = ProjectFile(path=os.path.join(root_dir, ".mcp.json"))
        self.project_trusted = False
        self.calls: dict[str, Call] = {}
        self._refresh_lock = asyncio.Lock()
        env = dict(os.environ if environ is None else environ)
        admin: dict[str, ServerSpec] = {}
        file_servers, error = read_servers_file(config.config_file) if config.config_file else ({}, None)
        if error:
            self.config_errors.append(error)
        for name, entry in file_servers.items():
            admin[name] = parse_spec(name, entry, SOURCE_CONFIG_FILE, root_dir, env)
        for name, entry in config.servers.items():
            admin[name] = parse_spec(name, entry, SOURCE_CONFIG, root_dir, env)
        for spec in admin.values():
            self.connections[spec.name] = self._connection(spec)
        _live_bridges.add(self)

    def _connection(self, spec: ServerSpec) -> Connection:
        conn = Connection(
            spec,
            connect_timeout=self.config.connect_timeout,
            max_restarts=self.config.max_restarts,
            client_version=self.version,
        )
        blocked = self._blocked(spec)
        if blocked:
            conn.state, conn.error = DISABLED, blocked
        return conn

    def _blocked(self, spec: ServerSpec) -> str | None:
        """Why this server may not start now, or None."""
        if spec.error:
            return spec.error
        if spec.source != SOURCE_PROJECT:
            return None
        if not self.config.allow_project_servers:
            return "Project MCP servers are turned off on this Jupyter server (c.ClaudeMCP.allow_project_servers)."
        if not self.project_trusted:
            return "Not started: trust this project's .mcp.json in the Tools view first."
        if spec.transport == "stdio" and not command_allowed(spec.command, self.config.allowed_commands, spec.cwd):
            return (
                f"The command '{spec.command}' is not in this Jupyter server's allowed commands "
                "(c.ClaudeMCP.allowed_commands)."
            )
        return None

    # -- the project file ----------------------------------------------------------------

    async def refresh_project(self) -> None:
        """Re-read ``.mcp.json``; a changed file is untrusted again and its servers stop."""
        async with self._refresh_lock:
            project = (
                read_project_file(self.root_dir)
                if self.config.allow_project_servers
                else ProjectFile(self.project.path)
            )
            self.project = project
            self.project_trusted = bool(
                project.sha256 and not project.error and self.trust.is_trusted(self.root_dir, project.sha256)
            )
            wanted: dict[str, ServerSpec] = {}
            for name, entry in project.servers.items():
                if name in self.connections and self.connections[name].spec.source != SOURCE_PROJECT:
                    continue  # admin servers come first
                wanted[name] = parse_spec(name, entry, SOURCE_PROJECT, self.root_dir)
            for name, conn in list(self.connections.items()):
                if conn.spec.source != SOURCE_PROJECT:
                    continue
                spec = wanted.pop(name, None)
                if spec is None or spec.fingerprint() != conn.spec.fingerprint() or self._blocked(spec):
                    await conn.stop()
                    del self.connections[name]
                    if spec is not None:
                        self.connections[name] = self._connection(spec)
                elif conn.state == DISABLED:
                    conn.state, conn.error = STOPPED, None  # trusted now
            for name, spec in wanted.items():
                self.connections[name] = self._connection(spec)

    async def set_trust(self, sha256: str, trusted: bool) -> None:
        await self.refresh_project()
        if not self.config.allow_project_servers:
            raise BridgeError(403, "permission_error", "Project MCP servers are turned off on this Jupyter server.")
        if not self.project.exists or not self.project.sha256:
            raise BridgeError(404, "not_found_error", "There is no .mcp.json at the Jupyter root.")
        if sha256 != self.project.sha256:
            raise BridgeError(
                409,
                "conflict_error",
                ".mcp.json has changed since you looked at it; review it again before trusting it.",
            )
        if trusted:
            self.trust.trust(self.root_dir, sha256)
        else:
            self.trust.forget(self.root_dir, sha256)
        await self.refresh_project()

    # -- lifecycle -----------------------------------------------------------------------

    async def autostart(self) -> None:
        await self.refresh_project()
        for conn in self.connections.values():
            if conn.spec.autostart and conn.state != DISABLED:
                conn.start()

    async def connect_all(self, timeout: float) -> None:
        """Start every server that may start and wait (bounded) for each to answer."""
        await self.refresh_project()
        conns = [c for c in self.connections.values() if c.state != DISABLED]

        async def one(conn: Connection) -> None:
            try:
                await conn.ready(timeout)
            except BridgeError:
                pass

        await asyncio.gather(*(one(c) for c in conns))

    async def shutdown(self) -> None:
        for call in self.calls.values():
            if call.task is not None and not call.task.done():
                call.task.cancel()
        await asyncio.gather(*(c.stop() for c in self.connections.values()), return_exceptions=True)

    async def restart(self, name: str) -> dict[str, Any]:
        conn = await self.usable(name)
        await conn.restart()
        try:
            await conn.ready()
        except BridgeError:
            pass  # the listing says what happened
        return self.describe(conn)

    # -- lookups -------------------------------------------------------------------------

    async def usable(self, name: str) -> Connection:
        await self.refresh_project()
        conn = self.connections.get(name)
        if conn is None:
            raise BridgeError(404, "not_found_error", f"No MCP server named '{name}' is configured.")
        if conn.state == DISABLED:
            raise BridgeError(409, "mcp_server_disabled", conn.error or f"The MCP server '{name}' may not start.")
        return conn

    def secrets(self) -> list[str]:
        values = list(self._proxy_secrets())
        for conn in self.connections.values():
            values.extend(conn.spec.secrets())
        return values

    def describe(self, conn: Connection) -> dict[str, Any]:
        spec = conn.spec
        entry = {"name": spec.name, "source": spec.source, "autostart": spec.autostart, **conn.summary()}
        entry["config"] = spec.describe()
        return results.scrub(entry, self.secrets())

    async def list_servers(self) -> dict[str, Any]:
        await self.refresh_project()
        project = self.project
        return {
            "servers": [self.describe(c) for c in self.connections.values()],
            "project": {
                "path": ".mcp.json",
                "enabled": bool(self.config.allow_project_servers),
                "exists": project.exists,
                "sha256": project.sha256,
                "trusted": self.project_trusted,
                "error": project.error,
                "servers": sorted(project.servers) if project.exists else [],
            },
            "config_errors": self.config_errors,
            "call_timeout": self.config.call_timeout,
            "policy": {"auto_approve": self.config.auto_approve},
        }

    # -- calls ---------------------------------------------------------------------------

    def _new_call(self, call_id: str | None, server: str, tool: str) -> Call:
        self._forget_old_calls()
        if call_id is None:
            call_id = uuid.uuid4().hex
        elif not CALL_ID.match(call_id):
            raise BridgeError(400, "invalid_request_error", "'call_id' must be 1-64 letters, digits, '-' or '_'.")
        elif call_id in self.calls:
            raise BridgeError(409, "conflict_error", f"A call with id '{call_id}' already exists.")
        call = self.calls[call_id] = Call(call_id, server, tool)
        return call

    def _forget_old_calls(self) -> None:
        now = time.time()
        for key, call in list(self.calls.items()):
            if call.finished and now - call.finished > KEEP_FINISHED_SECONDS:
                del self.calls[key]
        while len(self.calls) > MAX_CALLS_KEPT:
            oldest = next((k for k, c in self.calls.items() if c.finished), None)
            if oldest is None:
                break
            del self.calls[oldest]

    def get_call(self, call_id: str) -> dict[str, Any]:
        call = self.calls.get(call_id)
        if call is None:
            raise BridgeError(
                404, "not_found_error", f"No call with id '{call_id}' (finished calls are kept two minutes)."
            )
        return results.scrub(call.to_json(), self.secrets())

    def cancel_call(self, call_id: str) -> dict[str, Any]:
        call = self.calls.get(call_id)
        if call is None:
            raise BridgeError(404, "not_found_error", f"No call with id '{call_id}'.")
        if call.task is not None and not call.task.done():
            call.state = "cancelled"
            call.task.cancel()
        return results.scrub(call.to_json(), self.secrets())

    async def call_tool(
        self,
        name: str,
        tool: str,
        arguments: dict[str, Any],
        call_id: str | None = None,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
        save_beside: str | None = None,
    ) -> dict[str, Any]:
        if save_beside is not None:
            conversations.notebook_parts(save_beside)  # a bad target is refused before the instrument moves
        conn = await self.usable(name)
        await conn.ready()
        if not any(t.get("name") == tool for t in conn.tools):
            # Its tools may have changed since they were listed: list once more before refusing.
            await conn.request(conn.relist, self.config.connect_timeout, "listing its tools")
        if not any(t.get("name") == tool for t in conn.tools):
            raise BridgeError(404, "not_found_error", f"The MCP server '{name}' has no tool named '{tool}'.")
        call = self._new_call(call_id, name, tool)

        async def progress(value: float, total: float | None, message: str | None) -> None:
            event = {"progress": value, "total": total, "message": message, "time": time.time()}
            call.progress = event
            call.events.append(event)
            if on_progress is not None:
                on_progress(dict(event, call_id=call.id))

        async def run() -> Any:
            return await conn.request(
                lambda client: client.call_tool(tool, arguments, progress_callback=progress),
                self.config.call_timeout,
                f"the call of '{tool}'",
            )

        call.task = asyncio.ensure_future(run())
        try:
            raw = await asyncio.shield(call.task)
        except asyncio.CancelledError:
            # The browser cancelled (Stop, or the cancel route): the SDK sends MCP cancellation.
            if not call.task.done():
                call.task.cancel()
            call.state, call.error, call.finished = "cancelled", "Cancelled before the server answered.", time.time()
            raise BridgeError(
                409, "cancelled", f"The call of '{tool}' on '{name}' was cancelled; the MCP server was told."
            ) from None
        except BridgeError as exc:
            call.state, call.error, call.finished = "error", exc.message, time.time()
            raise
        shaped = results.shape_call_result(raw)
        loop = asyncio.get_running_loop()
        shaped, truncated = await loop.run_in_executor(None, results.bound_result, shaped, self.config.max_result_bytes)
        shaped = await loop.run_in_executor(None, results.scrub, shaped, self.secrets())
        call.state, call.finished = ("error" if shaped["isError"] else "done"), time.time()
        shaped.update({"call_id": call.id, "server": name, "tool": tool, "truncated": truncated})
        shaped["elapsed_ms"] = int((call.finished - call.started) * 1000)
        if save_beside is not None:
            record = {"server": name, "tool": tool, "call_id": call.id}
            record["arguments"] = results.scrub(arguments, self.secrets())
            record["result"] = {k: shaped[k] for k in ("content", "structuredContent", "isError", "truncated")}
            try:
                saved = await loop.run_in_executor(None, keep.save_beside, self.root_dir, save_beside, record)
                shaped["saved"] = saved
            except (ClaudeError, OSError) as exc:
                reason = getattr(exc, "message", None) or type(exc).__name__
                shaped["save_error"] = f"The result could not be saved beside the notebook: {reason}"
        return shaped

    async def read_resource(self, name: str, uri: str, save_beside: str | None = None) -> dict[str, Any]:
        if save_beside is not None:
            conversations.notebook_parts(save_beside)
        conn = await self.usable(name)
        raw = await conn.request(lambda client: client.read_resource(uri), self.config.call_timeout, f"reading {uri!r}")
        data = {"contents": raw.model_dump(mode="json", by_alias=True, exclude_none=True).get("contents", [])}
        data = await self._finish(data)
        if save_beside is not None:
            record = {"server": name, "resource": results.scrub(uri, self.secrets()), "contents": data["contents"]}
            stem = "resource-" + (uri.rstrip("/").rsplit("/", 1)[-1] or "resource")
            loop = asyncio.get_running_loop()
            try:
                data["saved"] = await loop.run_in_executor(
                    None, keep.save_beside, self.root_dir, save_beside, record, stem
                )
            except (ClaudeError, OSError) as exc:
                reason = getattr(exc, "message", None) or type(exc).__name__
                data["save_error"] = f"The resource could not be saved beside the notebook: {reason}"
        return data

    async def list_resources(self, name: str) -> dict[str, Any]:
        conn = await self.usable(name)
        await conn.ready()
        return results.scrub(
            {"resources": conn.resources, "resource_templates": conn.resource_templates}, self.secrets()
        )

    async def get_prompt(self, name: str, prompt: str, arguments: dict[str, str]) -> dict[str, Any]:
        conn = await self.usable(name)
        await conn.ready()
        if not any(p.get("name") == prompt for p in conn.prompts):
            raise BridgeError(404, "not_found_error", f"The MCP server '{name}' has no prompt named '{prompt}'.")
        raw = await conn.request(
            lambda client: client.get_prompt(prompt, arguments), self.config.call_timeout, f"the prompt '{prompt}'"
        )
        data = raw.model_dump(mode="json", by_alias=True, exclude_none=True)
        return await self._finish({"description": data.get("description"), "messages": data.get("messages", [])})

    async def _finish(self, data: dict[str, Any]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        limit = self.config.max_result_bytes
        if results._json_size(data) > limit:
            raise BridgeError(
                413, "request_too_large", f"The answer is larger than {limit} bytes (c.ClaudeMCP.max_result_bytes)."
            )
        return await loop.run_in_executor(None, results.scrub, data, self.secrets())


__all__ = ["MCPBridge", "BridgeError", "Call", "CONNECTED"]
