"""Thin tornado handlers for ``claude/mcp/...``: parse, call the bridge, answer JSON.

Authenticated like every Jupyter route and XSRF-checked for cookie-authenticated writes;
authorised as ``kernels`` (an MCP tool runs code on the user's behalf, like a kernel).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado.iostream import StreamClosedError

from .. import proxy
from ..errors import ClaudeError
from ..handlers import ClaudeHandler
from . import results
from .bridge import MCPBridge
from .connection import BridgeError

#: What a server, tool or prompt name in a URL may be (the bridge then looks it up exactly).
NAME = r"[^/]+"
MAX_BODY_BYTES = 8 * 1024 * 1024


class MCPBaseHandler(ClaudeHandler):
    """Raise :class:`BridgeError` anywhere; the base handler answers it (scrubbed here first)."""

    auth_resource = "kernels"

    def initialize(self, bridge: MCPBridge) -> None:  # type: ignore[override]
        self.bridge = bridge

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ClaudeError):
            # Messages can quote a server (stderr, a malformed answer): scrubbed like results.
            exc.message = results.scrub(exc.message, self.bridge.secrets())
        super().write_error(status_code, **kwargs)

    def json_body(self) -> dict[str, Any]:
        body = self.request.body or b"{}"
        if len(body) > MAX_BODY_BYTES:
            raise BridgeError(413, "request_too_large", proxy.request_too_large_message(len(body), MAX_BODY_BYTES))
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            raise BridgeError(400, "invalid_request_error", f"The body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise BridgeError(400, "invalid_request_error", "The body must be a JSON object.")
        return data

    async def answer(self, coro: Any) -> None:
        self.finish(json.dumps(await coro))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _arguments(body: dict[str, Any]) -> dict[str, Any]:
    arguments = body.get("arguments", {})
    if not isinstance(arguments, dict):
        raise BridgeError(400, "invalid_request_error", "'arguments' must be a JSON object.")
    return arguments


class ServersHandler(MCPBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        await self.answer(self.bridge.list_servers())


class ConnectHandler(MCPBaseHandler):
    """Start every server that may start (a POST: starting processes is not a read)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        async def run() -> dict[str, Any]:
            await self.bridge.connect_all(self.bridge.config.connect_timeout)
            return await self.bridge.list_servers()

        await self.answer(run())


class ToolCallHandler(MCPBaseHandler):
    _call_id: str | None = None

    @tornado.web.authenticated
    @authorized
    async def post(self, server: str, tool: str) -> None:
        body = self.json_body()
        call_id = body.get("call_id")
        if call_id is not None and not isinstance(call_id, str):
            raise BridgeError(400, "invalid_request_error", "'call_id' must be a string.")
        arguments = _arguments(body)
        save = body.get("save_beside")
        if save is not None:
            if not isinstance(save, str):
                raise BridgeError(400, "invalid_request_error", "'save_beside' is a notebook path.")
            # Saving writes a file: it needs the right to write contents too.
            if not self.authorizer.is_authorized(self, self.current_user, "write", "contents"):
                raise BridgeError(403, "permission_error", "Saving results needs permission to write files.")
        # Known here even when the page chose none, so a closed connection can cancel it.
        call_id = self._call_id = call_id if call_id is not None else uuid.uuid4().hex
        if body.get("stream") is True:
            await self._streamed(server, tool, arguments, call_id, save)
        else:
            await self.answer(self.bridge.call_tool(server, tool, arguments, call_id, save_beside=save))

    async def _streamed(
        self, server: str, tool: str, arguments: dict[str, Any], call_id: str | None, save: str | None
    ) -> None:
        """One JSON object a line: ``{"type": "progress", ...}`` as they come, then ``result`` or ``error``."""
        self.set_header("Content-Type", "application/x-ndjson")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")
        queue: asyncio.Queue = asyncio.Queue()

        def progress(event: dict[str, Any]) -> None:
            queue.put_nowait({"type": "progress", **event})

        task = asyncio.ensure_future(
            self.bridge.call_tool(server, tool, arguments, call_id, on_progress=progress, save_beside=save)
        )
        try:
            while not (task.done() and queue.empty()):
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait([getter, task], return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    self.write(json.dumps(results.scrub(getter.result(), self.bridge.secrets())) + "\n")
                    await self.flush()
                else:
                    getter.cancel()
            try:
                line = {"type": "result", **task.result()}
            except ClaudeError as exc:
                line = proxy.error_body(exc.error_type, results.scrub(exc.message, self.bridge.secrets()))
            self.finish(json.dumps(line) + "\n")
        except StreamClosedError:
            task.cancel()

    def on_connection_close(self) -> None:
        # The page went away (Stop, reload): cancel the call so the MCP server stops too.
        if self._call_id and self._call_id in self.bridge.calls:
            self.bridge.cancel_call(self._call_id)
        super().on_connection_close()


class ResourcesHandler(MCPBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, server: str) -> None:
        uri = self.get_query_argument("uri", "")
        await self.answer(self.bridge.read_resource(server, uri) if uri else self.bridge.list_resources(server))

    @tornado.web.authenticated
    @authorized
    async def post(self, server: str) -> None:
        """Read a resource and keep it beside a notebook: body ``{"uri": ..., "save_beside": ...}``."""
        body = self.json_body()
        uri, save = body.get("uri"), body.get("save_beside")
        if not isinstance(uri, str) or not uri or not isinstance(save, str):
            raise BridgeError(400, "invalid_request_error", "Give the resource's 'uri' and the notebook 'save_beside'.")
        if not self.authorizer.is_authorized(self, self.current_user, "write", "contents"):
            raise BridgeError(403, "permission_error", "Saving resources needs permission to write files.")
        await self.answer(self.bridge.read_resource(server, uri, save_beside=save))


class PromptHandler(MCPBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, server: str, prompt: str) -> None:
        async def run() -> dict[str, Any]:
            arguments = _arguments(self.json_body())
            if not all(isinstance(v, str) for v in arguments.values()):
                raise BridgeError(400, "invalid_request_error", "Prompt arguments are strings.")
            return await self.bridge.get_prompt(server, prompt, arguments)

        await self.answer(run())


class RestartHandler(MCPBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, server: str) -> None:
        await self.answer(self.bridge.restart(server))


class CallHandler(MCPBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, call_id: str) -> None:
        self.finish(json.dumps(self.bridge.get_call(call_id)))


class CancelCallHandler(MCPBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, call_id: str) -> None:
        self.finish(json.dumps(self.bridge.cancel_call(call_id)))


class TrustHandler(MCPBaseHandler):
    async def _set(self, trusted: bool) -> None:
        async def run() -> dict[str, Any]:
            sha256 = self.json_body().get("sha256")
            if not isinstance(sha256, str):
                raise BridgeError(400, "invalid_request_error", "Give the 'sha256' of the .mcp.json you reviewed.")
            await self.bridge.set_trust(sha256, trusted)
            return await self.bridge.list_servers()

        await self.answer(run())

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        await self._set(True)

    @tornado.web.authenticated
    @authorized
    async def delete(self) -> None:
        await self._set(False)


def mcp_routes(base_url: str, bridge: MCPBridge) -> list[tuple[str, Any, dict[str, Any]]]:
    """The ``claude/mcp/...`` routes, to add before the ``claude/(.*)`` catch-all."""
    base = url_path_join(base_url, "claude", "mcp")
    args = {"bridge": bridge}
    return [
        (url_path_join(base, "servers"), ServersHandler, args),
        (url_path_join(base, "connect"), ConnectHandler, args),
        (url_path_join(base, "servers", f"({NAME})", "tools", f"({NAME})"), ToolCallHandler, args),
        (url_path_join(base, "servers", f"({NAME})", "resources"), ResourcesHandler, args),
        (url_path_join(base, "servers", f"({NAME})", "prompts", f"({NAME})"), PromptHandler, args),
        (url_path_join(base, "servers", f"({NAME})", "restart"), RestartHandler, args),
        (url_path_join(base, "calls", f"({NAME})"), CallHandler, args),
        (url_path_join(base, "calls", f"({NAME})", "cancel"), CancelCallHandler, args),
        (url_path_join(base, "trust"), TrustHandler, args),
    ]
