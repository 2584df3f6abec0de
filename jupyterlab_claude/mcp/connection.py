"""One MCP server as the Jupyter server holds it: start, watch, restart with backoff, stop.

A connection is owned by one supervisor task that enters the SDK's ``Client`` and stays inside
it while the server is up (the SDK's task groups must be entered and left by the same task);
handlers call through the live client from their own tasks.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import math
import os
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, Implementation

from ..errors import ClaudeError
from .config import ServerSpec

log = logging.getLogger(__name__)

STOPPED = "stopped"  # not started yet (starts on first use), or stopped
STARTING = "starting"
CONNECTED = "connected"
RESTARTING = "restarting"  # crashed; waiting out the backoff before starting again
FAILED = "failed"  # could not start, or crashed too often; a call or Restart tries again
DISABLED = "disabled"  # may not start (untrusted project file, not allowed, unusable entry)

STDERR_TAIL_BYTES = 16 * 1024
#: A server that stayed up this long has its crash count reset.
HEALTHY_SECONDS = 60.0
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0

ProgressFn = Callable[[float, float | None, str | None], Awaitable[None]]


class BridgeError(ClaudeError):
    """A failure the browser is told about: HTTP status, error type and a message for the scientist."""

    def __init__(self, status: int, error_type: str, message: str):
        super().__init__(message, status=status, error_type=error_type)


class StderrTail:
    """The last lines a stdio server wrote to stderr (read from a pipe; EOF means it exited)."""

    def __init__(self) -> None:
        self.buffer: deque[bytes] = deque()
        self.size = 0
        self.closed = asyncio.Event()

    def add(self, data: bytes) -> None:
        self.buffer.append(data)
        self.size += len(data)
        while self.size > STDERR_TAIL_BYTES and len(self.buffer) > 1:
            self.size -= len(self.buffer.popleft())

    def lines(self, count: int = 20) -> list[str]:
        text = b"".join(self.buffer)[-STDERR_TAIL_BYTES:].decode("utf-8", "replace")
        return [line for line in text.splitlines() if line.strip()][-count:]


def _is_our_child(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid()
    except (OSError, ValueError, IndexError):
        return False


def _children_with_stderr(pipe_inode: int) -> list[int]:
    """Child processes of this one whose stderr is our pipe (Linux; empty elsewhere)."""
    found = []
    me = os.getpid()
    try:
        tasks = os.listdir(f"/proc/{me}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{me}/task/{tid}/children") as f:
                pids = [int(p) for p in f.read().split()]
        except (OSError, ValueError):
            continue
        for pid in pids:
            try:
                if os.readlink(f"/proc/{pid}/fd/2") == f"pipe:[{pipe_inode}]":
                    found.append(pid)
            except OSError:
                continue
    return found


class Connection:
    """The live state of one configured server."""

    def __init__(self, spec: ServerSpec, *, connect_timeout: float, max_restarts: int, client_version: str):
        self.spec = spec
        self.connect_timeout = connect_timeout
        self.max_restarts = max_restarts
        self.client_version = client_version
        self.state = STOPPED
        self.error: str | None = None
        self.stderr = StderrTail()
        self.pid: int | None = None
        self.tools: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.resource_templates: list[dict[str, Any]] = []
        self.prompts: list[dict[str, Any]] = []
        self.server_info: dict[str, Any] | None = None
        self.instructions: str | None = None
        self.protocol_version: str | None = None
        self.stdout_junk_lines = 0
        self.restarts = 0
        self.connected_at: float | None = None
        self._client: Client | None = None
        self._task: asyncio.Task | None = None
        self._changed = asyncio.Event()  # any state change (waiters re-check)
        self._wake = asyncio.Event()  # stop requested or connection lost
        self._stopping = False
        self._lost = False

    # -- what the browser sees -----------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "error": self.error,
            "stderr": self.stderr.lines(),
            "restarts": self.restarts,
            "stdout_junk_lines": self.stdout_junk_lines,
            "server_info": self.server_info,
            "instructions": self.instructions,
            "protocol_version": self.protocol_version,
            "tools": self.tools,
            "resources": self.resources,
            "resource_templates": self.resource_templates,
            "prompts": self.prompts,
        }

    # -- lifecycle -----------------------------------------------------------------------

    def _set(self, state: str, error: str | None = None) -> None:
        if state in (FAILED, RESTARTING) and (state, error) != (self.state, self.error):
            log.warning("MCP server %r is %s: %s", self.spec.name, state, error)  # the admin's log, not the page
        self.state = state
        self.error = error
        self._changed.set()
        self._changed = asyncio.Event()

    def start(self) -> None:
        """Start the supervisor if it is not running (a failed server is tried again)."""
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self._set(STARTING)  # at once: a waiter must not read the previous run's FAILED
        self._task = asyncio.ensure_future(self._supervise())

    async def ready(self, timeout: float | None = None) -> Client:
        """Start if needed and wait until connected; BridgeError if it fails or takes too long."""
        self.start()
        deadline = asyncio.get_running_loop().time() + (timeout or self.connect_timeout)
        while True:
            if self.state == CONNECTED and self._client is not None:
                return self._client
            if self.state == FAILED or (self._task is not None and self._task.done()):
                raise BridgeError(502, "mcp_server_failed", self._failure_message())
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise BridgeError(
                    504,
                    "mcp_timeout",
                    f"The MCP server '{self.spec.name}' did not become ready in time ({self.state}).",
                )
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def _failure_message(self) -> str:
        message = self.error or f"The MCP server '{self.spec.name}' is not running."
        lines = self.stderr.lines(5)
        if lines:
            message += " Its last words on stderr: " + " | ".join(lines)
        return message

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), 10)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                task.cancel()
        self._kill_leftover()
        if self.state not in (DISABLED,):
            self._set(STOPPED)

    async def restart(self) -> None:
        await self.stop()
        self.restarts = 0
        self.start()

    def connection_lost(self) -> None:
        """A call saw the connection close: let the supervisor restart it."""
        if self.state == CONNECTED:
            self._lost = True
            self._wake.set()

    def _kill_leftover(self) -> None:
        # The SDK stops the whole process group on a clean exit; this is for a cancelled one.
        pid, self.pid = self.pid, None
        if pid is None or not _is_our_child(pid):
            return  # gone and reaped: the number may belong to someone else by now
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass

    def kill_now(self) -> None:
        """Synchronous last resort (interpreter exit): no process outlives Jupyter."""
        self._kill_leftover()

    async def _supervise(self) -> None:
        crashes = 0
        while not self._stopping:
            self._set(STARTING if crashes == 0 else RESTARTING, self.error if crashes else None)
            started = time.monotonic()
            outcome = await self._run_once()
            if self._stopping:
                break
            if outcome != "crashed":
                return  # failed to start: stays FAILED until a call or Restart
            if time.monotonic() - started > HEALTHY_SECONDS:
                crashes = 0
            crashes += 1
            self.restarts += 1
            if crashes > self.max_restarts:
                self._set(FAILED, f"The MCP server '{self.spec.name}' crashed {crashes} times in a row; press Restart.")
                return
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (crashes - 1))
            self._set(RESTARTING, self.error)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except asyncio.TimeoutError:
                pass

    async def _run_once(self) -> str:
        """One life of the server: ``"stopped"``, ``"crashed"`` or ``"failed"``."""
        spec = self.spec
        self._wake.clear()
        self._lost = False
        self.stderr = StderrTail()
        connected = False
        read_fd = write_fd = -1
        loop = asyncio.get_running_loop()
        try:
            # One scope around everything the SDK enters (its task groups must nest inside it):
            # the handshake deadline, lifted once connected.
            with anyio.CancelScope(deadline=anyio.current_time() + self.connect_timeout) as scope:
                async with AsyncExitStack() as stack:
                    if spec.transport == "stdio":
                        read_fd, write_fd = os.pipe()
                        os.set_blocking(read_fd, False)
                        self._watch_stderr(loop, read_fd)
                        errlog = os.fdopen(write_fd, "w", closefd=False)
                        stack.callback(errlog.close)
                        params = StdioServerParameters(
                            command=spec.command, args=spec.args, env=spec.env or None, cwd=spec.cwd
                        )
                        transport: Any = stdio_client(params, errlog=errlog)
                    else:
                        http = create_mcp_http_client(headers=spec.headers or None)
                        await stack.enter_async_context(http)
                        transport = streamable_http_client(spec.url, http_client=http)
                    client = Client(transport, message_handler=self._on_message, client_info=self._client_info())
                    async with client:
                        if write_fd >= 0:
                            self.pid = next(iter(_children_with_stderr(os.fstat(read_fd).st_ino)), None)
                            os.close(write_fd)  # the child has its copy; EOF on the pipe now means it exited
                            write_fd = -1
                        await self._list(client)
                        scope.deadline = math.inf
                        connected = True
                        self._client = client
                        self.connected_at = time.monotonic()
                        self._set(CONNECTED)
                        await self._wake.wait()  # set by stop(), a lost connection, or EOF on stderr
                        self._client = None
                        if not self._stopping:
                            self._lost = True
                            self._set(RESTARTING, self._exit_message())
            if scope.cancelled_caught and not connected:
                self._set(
                    FAILED,
                    f"The MCP server '{spec.name}' did not answer the MCP handshake within {self.connect_timeout:g} s.",
                )
                return "failed"
        except FileNotFoundError:
            self._set(FAILED, f"The command '{spec.command}' was not found on the Jupyter server (PATH or cwd).")
            return "failed"
        except PermissionError:
            self._set(FAILED, f"The command '{spec.command}' is not executable by the Jupyter server's user.")
            return "failed"
        except Exception as exc:  # noqa: BLE001 (any SDK or transport failure becomes the server's state)
            reason = _describe(exc)
            if connected:
                self._set(RESTARTING, f"The MCP server '{spec.name}' connection failed: {reason}")
                return "crashed"
            self._set(FAILED, f"The MCP server '{spec.name}' could not be started: {reason}")
            return "failed"
        finally:
            self._client = None
            if write_fd >= 0:
                os.close(write_fd)
            if read_fd >= 0:
                loop.remove_reader(read_fd)
                os.close(read_fd)
            if spec.transport == "stdio":
                self._kill_leftover()
        return "stopped" if self._stopping else "crashed"

    def _exit_message(self) -> str:
        return f"The MCP server '{self.spec.name}' stopped unexpectedly; restarting it."

    def _watch_stderr(self, loop: asyncio.AbstractEventLoop, fd: int) -> None:
        tail = self.stderr

        def readable() -> None:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if data:
                tail.add(data)
                return
            loop.remove_reader(fd)
            tail.closed.set()
            self._wake.set()

        loop.add_reader(fd, readable)

    def _client_info(self) -> Implementation:
        return Implementation(name="jupyterlab-claude", version=self.client_version)

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, Exception):
            self.stdout_junk_lines += 1  # a line on stdout that is not JSON-RPC: skipped

    async def relist(self, client: Client) -> None:
        await self._list(client, prompt_cache=False)

    async def _list(self, client: Client, prompt_cache: bool = True) -> None:
        self.protocol_version = client.protocol_version
        info = client.server_info
        self.server_info = info.model_dump(mode="json", by_alias=True, exclude_none=True) if info else None
        self.instructions = client.instructions
        caps = client.server_capabilities
        mode = "use" if prompt_cache else "refresh"
        self.tools = await _pages(client.list_tools, "tools", cache_mode=mode) if caps.tools is not None else []
        self.resources, self.resource_templates, self.prompts = [], [], []
        if caps.resources is not None:
            self.resources = await _pages(client.list_resources, "resources")
            try:
                self.resource_templates = await _pages(client.list_resource_templates, "resource_templates")
            except MCPError:
                self.resource_templates = []
        if caps.prompts is not None:
            self.prompts = await _pages(client.list_prompts, "prompts")

    # -- calls ---------------------------------------------------------------------------

    async def request(self, fn: Callable[[Client], Awaitable[Any]], timeout: float, what: str) -> Any:
        """Run ``fn(client)`` on the live client, within ``timeout`` (then cancelled on the server)."""
        client = await self.ready()
        try:
            with anyio.fail_after(timeout):
                return await fn(client)
        except TimeoutError:
            raise BridgeError(
                504,
                "mcp_timeout",
                f"{what} on '{self.spec.name}' took longer than {timeout:g} s and was cancelled "
                "(c.ClaudeMCP.call_timeout).",
            ) from None
        except MCPError as exc:
            if exc.code == CONNECTION_CLOSED:
                self.connection_lost()
                raise BridgeError(
                    502,
                    "mcp_server_failed",
                    f"The MCP server '{self.spec.name}' stopped during {what}; it is being restarted.",
                ) from None
            raise BridgeError(502, "mcp_error", f"The MCP server '{self.spec.name}' refused {what}: {exc}") from None
        except (ValueError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
            raise BridgeError(
                502,
                "mcp_malformed",
                f"The MCP server '{self.spec.name}' sent a malformed answer to {what}: {_short(exc)}",
            ) from None
        except (OSError, anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            self.connection_lost()
            raise BridgeError(
                502, "mcp_server_failed", f"Lost the MCP server '{self.spec.name}': {_describe(exc)}"
            ) from None
        except Exception as exc:  # noqa: BLE001 (httpx2 transport errors and the like)
            if type(exc).__module__.startswith("httpx"):
                self.connection_lost()
                raise BridgeError(
                    502, "mcp_server_failed", f"Lost the MCP server '{self.spec.name}': {_describe(exc)}"
                ) from None
            raise


async def _pages(
    fn: Callable[..., Awaitable[Any]], attr: str, max_pages: int = 20, **kwargs: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(max_pages):
        page = await fn(cursor=cursor, **kwargs)
        items.extend(i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in getattr(page, attr))
        cursor = page.next_cursor
        if not cursor:
            break
    return items


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "..."


_GROUPS = getattr(builtins, "BaseExceptionGroup", ())


def _describe(exc: BaseException) -> str:
    # Exception groups from task groups: the first real cause says the most.
    while isinstance(exc, _GROUPS) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {_short(exc)}" if str(exc) else type(exc).__name__
