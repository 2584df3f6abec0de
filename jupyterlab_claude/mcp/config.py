"""``c.ClaudeMCP.*``: which MCP servers the Jupyter server may start or reach, and the project file.

Server entries have the shape of the ``mcpServers`` object of Claude Desktop and Claude Code::

    {"uvvis": {"command": "python", "args": ["instrument.py"], "env": {"TOKEN": "..."}, "cwd": "..."},
     "slurm": {"type": "http", "url": "https://host/mcp", "headers": {"Authorization": "Bearer ..."}}}

plus ``"autostart": true`` to start a stdio server with Jupyter instead of on first use.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jupyter_core.paths import jupyter_config_dir, jupyter_data_dir
from traitlets import Bool, Enum, Float, Int, Unicode, default
from traitlets import Dict as DictTrait
from traitlets import List as ListTrait
from traitlets.config import Configurable

#: Names the browser may use for a server (and Claude sees as ``mcp__<name>__<tool>``).
SERVER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
#: ``${VAR}`` and ``${VAR:-default}`` in admin-set entries (Claude Code's expansion).
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
PROJECT_FILE = ".mcp.json"
MAX_PROJECT_FILE_BYTES = 1024 * 1024

SOURCE_CONFIG = "config"  # c.ClaudeMCP.servers
SOURCE_CONFIG_FILE = "config_file"  # claude_mcp.json in the Jupyter config folder
SOURCE_PROJECT = "project"  # .mcp.json at the Jupyter root


class ClaudeMCP(Configurable):
    """MCP servers that Claude reaches through the Jupyter server (never from the browser)."""

    servers = DictTrait(
        default_value={},
        help="""MCP servers set by the admin, in the shape of Claude Desktop's ``mcpServers``:
        ``{"name": {"command": ..., "args": [...], "env": {...}, "cwd": ..., "autostart": false}}`` for a
        stdio server (started as the user running Jupyter) or ``{"name": {"type": "http", "url": ...,
        "headers": {...}}}`` for a Streamable HTTP server. ``${VAR}`` in values is read from the Jupyter
        server's environment. These come first and cannot be changed from the browser.""",
    ).tag(config=True)

    config_file = Unicode(
        help="""A JSON file ``{"mcpServers": {...}}`` with more admin servers (same shape as ``servers``;
        ``servers`` wins on a name in both). Default: ``claude_mcp.json`` in the Jupyter config folder.""",
    ).tag(config=True)

    allow_project_servers = Bool(
        True,
        help="""Read ``.mcp.json`` at the Jupyter root (Claude Code's project file). Its servers start
        only after the scientist trusts that exact file content; False ignores the file.""",
    ).tag(config=True)

    allowed_commands = ListTrait(
        Unicode(),
        default_value=[],
        help="""Executables that project (``.mcp.json``) stdio servers may run, as names found on PATH or
        absolute paths (compared after resolving both); empty allows any. Admin-set servers are not
        restricted. Note that an allowed interpreter (python, node) still runs whatever script it is given.""",
    ).tag(config=True)

    auto_approve = Enum(
        ["read-only", "any", "never"],
        default_value="read-only",
        help="""Which tools the scientist may let run without a click (the Tools view's "Allow in this
        notebook"): only those annotated read-only (default), any tool, or none. The browser is told
        this in the listing (``policy``) and offers only what it allows.""",
    ).tag(config=True)

    call_timeout = Float(
        120.0,
        help="Seconds a tool call, resource read or prompt may take; then it is cancelled on the MCP server.",
    ).tag(config=True)

    connect_timeout = Float(
        30.0,
        help="Seconds a server may take to start and answer the MCP handshake and listings.",
    ).tag(config=True)

    max_result_bytes = Int(
        10 * 1024 * 1024,
        help="Largest tool result or resource (as JSON) returned to the browser; larger ones are cut, with a note.",
    ).tag(config=True)

    max_restarts = Int(
        5,
        help="Restarts in a row after crashes before a stdio server is left failed (until Restart or a call).",
    ).tag(config=True)

    trust_file = Unicode(
        help="""Where trusted ``.mcp.json`` contents are remembered (by SHA-256, per Jupyter root).
        Default: ``jupyterlab_claude/mcp_trust.json`` in the Jupyter data folder (never the root).""",
    ).tag(config=True)

    @default("config_file")
    def _default_config_file(self) -> str:
        return os.path.join(jupyter_config_dir(), "claude_mcp.json")

    @default("trust_file")
    def _default_trust_file(self) -> str:
        return os.path.join(jupyter_data_dir(), "jupyterlab_claude", "mcp_trust.json")


class SpecError(ValueError):
    """An entry that cannot be used; the message says why (shown in the Tools view)."""


@dataclass
class ServerSpec:
    """One configured server, checked. ``env`` and ``headers`` never leave the Jupyter server."""

    name: str
    source: str
    transport: str  # "stdio" | "http"
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    autostart: bool = False
    error: str | None = None  # set when the entry is unusable

    def fingerprint(self) -> str:
        """Changes when anything about how to start or reach the server changes."""
        data = [self.transport, self.command, self.args, sorted(self.env.items()), self.cwd, self.url]
        data.append(sorted(self.headers.items()))
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()

    def secrets(self) -> list[str]:
        """Values to redact from everything this server returns (short values would redact too much)."""
        values = list(self.env.values()) + list(self.headers.values())
        for value in self.headers.values():
            # "Bearer abc..." : the token alone too.
            parts = value.split(None, 1)
            if len(parts) == 2:
                values.append(parts[1])
        return [v for v in values if len(v) >= 8]

    def describe(self) -> dict[str, Any]:
        """What the browser may see: env and header values masked, a URL without query or userinfo."""
        if self.transport == "http":
            return {"transport": "http", "url": public_url(self.url), "headers": sorted(self.headers)}
        return {
            "transport": "stdio",
            "command": self.command,
            "args": [mask_secrets(a, self.secrets()) for a in self.args],
            "env": sorted(self.env),
            "cwd": self.cwd,
        }


def mask_secrets(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text


def public_url(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "(invalid URL)"


def _expand(value: str, environ: Mapping[str, str]) -> str:
    return _ENV_REF.sub(lambda m: environ.get(m.group(1), m.group(2) or ""), value)


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(f"'{what}' must be a list of strings.")
    return list(value)


def _string_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise SpecError(f"'{what}' must be an object of strings.")
    return dict(value)


def parse_spec(
    name: str, entry: Any, source: str, root_dir: str, environ: Mapping[str, str] | None = None
) -> ServerSpec:
    """Check one ``mcpServers`` entry; an unusable one comes back with ``error`` set (never raises)."""
    spec = ServerSpec(name=name, source=source, transport="stdio")
    try:
        if not SERVER_NAME.match(name):
            raise SpecError("Server names are 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.")
        if not isinstance(entry, dict):
            raise SpecError("A server entry must be an object.")
        kind = entry.get("type") or entry.get("transport") or ("http" if "url" in entry else "stdio")
        expand = (lambda v: _expand(v, environ)) if environ is not None else (lambda v: v)
        if kind in ("http", "streamable-http", "streamableHttp"):
            spec.transport = "http"
            url = entry.get("url")
            if not isinstance(url, str) or not re.match(r"https?://", url):
                raise SpecError("An HTTP server needs a 'url' starting with http:// or https://.")
            spec.url = expand(url)
            spec.headers = {k: expand(v) for k, v in _string_map(entry.get("headers", {}), "headers").items()}
        elif kind == "stdio":
            command = entry.get("command")
            if not isinstance(command, str) or not command.strip():
                raise SpecError("A stdio server needs a 'command'.")
            spec.command = expand(command)
            spec.args = [expand(a) for a in _strings(entry.get("args", []), "args")]
            spec.env = {k: expand(v) for k, v in _string_map(entry.get("env", {}), "env").items()}
            cwd = entry.get("cwd")
            if cwd is not None and not isinstance(cwd, str):
                raise SpecError("'cwd' must be a string.")
            if source == SOURCE_PROJECT and cwd and (os.path.isabs(cwd) or ".." in cwd.replace("\\", "/").split("/")):
                raise SpecError("A project server's 'cwd' must be a folder inside the Jupyter root.")
            spec.cwd = os.path.join(root_dir, expand(cwd)) if cwd else root_dir
        else:
            raise SpecError(f"Unknown server type {kind!r} (this bridge speaks 'stdio' and 'http').")
        spec.autostart = bool(entry.get("autostart", False))
    except SpecError as exc:
        spec.error = str(exc)
    return spec


def resolve_command(command: str, cwd: str | None = None) -> str | None:
    """The real path of the executable ``command`` names, or None if there is none."""
    if os.sep in command:
        path = command if os.path.isabs(command) else os.path.join(cwd or os.getcwd(), command)
        found = path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    else:
        found = shutil.which(command)
    return os.path.realpath(found) if found else None


def command_allowed(command: str, allowed: list[str], cwd: str | None = None) -> bool:
    if not allowed:
        return True
    real = resolve_command(command, cwd)
    if real is None:
        return False
    return any(resolve_command(entry) == real for entry in allowed)


def read_servers_file(path: str) -> tuple[dict[str, Any], str | None]:
    """``mcpServers`` of a JSON file, and an error message if it could not be used."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_PROJECT_FILE_BYTES + 1)
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"{os.path.basename(path)} could not be read ({type(exc).__name__})."
    servers, error, _ = parse_servers_json(raw, os.path.basename(path))
    return servers, error


def parse_servers_json(raw: bytes, label: str) -> tuple[dict[str, Any], str | None, str]:
    """``(mcpServers, error, sha256)`` of a file's bytes."""
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > MAX_PROJECT_FILE_BYTES:
        return {}, f"{label} is larger than 1 MiB and was ignored.", digest
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return {}, f"{label} is not valid JSON ({exc}).", digest
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        return {}, f'{label} has no "mcpServers" object.', digest
    return servers, None, digest


@dataclass
class ProjectFile:
    """The project's ``.mcp.json`` as last read."""

    path: str
    exists: bool = False
    sha256: str | None = None
    servers: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def read_project_file(root_dir: str) -> ProjectFile:
    path = os.path.join(root_dir, PROJECT_FILE)
    project = ProjectFile(path=path)
    try:
        # Not through a link: a link could point the trust prompt at a file outside the project.
        if os.path.islink(path):
            project.exists = True
            project.error = f"{PROJECT_FILE} is a symbolic link and was ignored."
            return project
        with open(path, "rb") as f:
            raw = f.read(MAX_PROJECT_FILE_BYTES + 1)
    except FileNotFoundError:
        return project
    except OSError as exc:
        project.exists = True
        project.error = f"{PROJECT_FILE} could not be read ({type(exc).__name__})."
        return project
    project.exists = True
    project.servers, project.error, project.sha256 = parse_servers_json(raw, PROJECT_FILE)
    return project
