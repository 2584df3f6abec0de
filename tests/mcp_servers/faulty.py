"""An MCP server (official SDK) that misbehaves on request, for the bridge's fault tests.

Its tools: ``echo``; ``crash`` (the process exits mid-call); ``hang`` (never answers; writes
``$FAULTY_MARKS/cancelled-<tag>`` when the call is cancelled); ``junk`` (writes lines that are
not JSON-RPC to stdout, then answers); ``malformed`` (answers its own request with a result of
the wrong shape); ``big`` (a text result of N megabytes); ``env_secret`` (returns the value of
an environment variable, in several encodings); ``slow_echo`` (answers after a delay, for
concurrency); ``progress`` (reports progress). ``FAULTY_EXIT_AT_START=1`` makes it exit before
the handshake, after a line on stderr.
"""

from __future__ import annotations

import base64
import json
import os
import sys

import anyio
from mcp.server.mcpserver import Context, MCPServer

if os.environ.get("FAULTY_EXIT_AT_START"):
    sys.stderr.write("faulty: configuration error, giving up\n")
    sys.stderr.flush()
    sys.exit(3)

server = MCPServer(name="faulty", version="0.1")
#: The protocol pipe itself: the SDK moves fd 1 to stderr so stray prints cannot corrupt the wire,
#: and these tools mean to corrupt it.
WIRE = os.dup(1)
MARKS = os.environ.get("FAULTY_MARKS", "")


def _mark(name: str) -> None:
    if MARKS:
        with open(os.path.join(MARKS, name), "w") as f:
            f.write(str(os.getpid()))


@server.tool()
def echo(text: str) -> str:
    """Return the text."""
    return text


@server.tool()
async def slow_echo(text: str, seconds: float = 0.5) -> str:
    """Return the text after a delay."""
    await anyio.sleep(seconds)
    return text


@server.tool()
async def crash(after: float = 0.2) -> str:
    """Exit the process in the middle of the call."""
    sys.stderr.write("faulty: about to crash\n")
    sys.stderr.flush()
    await anyio.sleep(after)
    os._exit(7)


@server.tool()
async def hang(tag: str = "x") -> str:
    """Never answer."""
    _mark(f"started-{tag}")
    try:
        await anyio.sleep(3600)
    except anyio.get_cancelled_exc_class():
        _mark(f"cancelled-{tag}")
        raise
    return "unreachable"


@server.tool()
def junk() -> str:
    """Write lines that are not JSON-RPC on stdout, then answer."""
    os.write(WIRE, b'this is not json\n{"half": \n[1,2,3]\n')
    return "answered after junk"


@server.tool()
async def malformed(ctx: Context) -> str:
    """Answer our own request with a result of the wrong shape, then never answer properly."""
    message = {"jsonrpc": "2.0", "id": ctx.request_id, "result": {"content": "not a list", "isError": "perhaps"}}
    os.write(WIRE, (json.dumps(message) + "\n").encode())
    await anyio.sleep(3600)
    return "unreachable"


@server.tool()
def big(megabytes: float = 12) -> str:
    """A text result of that many megabytes."""
    return "0123456789abcdef" * int(megabytes * 1024 * 1024 / 16)


@server.tool()
def env_secret(name: str) -> dict[str, str]:
    """Return an environment variable's value, plainly and encoded (a careless server)."""
    value = os.environ.get(name, "")
    return {
        "plain": value,
        "upper": value.upper(),
        "base64": base64.b64encode(value.encode()).decode(),
        "sentence": f"my token is {value}!",
    }


@server.tool()
async def progress(ctx: Context, steps: int = 5) -> str:
    """Report progress steps, then answer."""
    for i in range(steps):
        await ctx.report_progress(i + 1, steps, f"step {i + 1}")
        await anyio.sleep(0.05)
    return "done"


if __name__ == "__main__":
    server.run("stdio")
