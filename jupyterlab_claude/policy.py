"""``c.ClaudePolicy.*``: what an administrator decides for every user of a server.

Policy is enforced on the server (the proxy refuses what it does not allow); the browser gets a
read-only view of it from ``GET claude/policy`` so the panel can hide what is turned off and say
"set by your administrator". Nothing here is secret, but nothing here is user-changeable either:
the browser view is built from the configuration each time, never written back.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable
from typing import Any

from traitlets import Bool, Dict, Float, Int, List, Unicode, validate
from traitlets.config import Configurable

from .errors import ClaudeError, Refused

#: Names in ``disabled_tools`` that stand for a group of tools rather than one tool.
TOOL_GROUPS: dict[str, str] = {
    "files": "the file tools (list_files, read_file_head)",
    "edits": "tools that propose notebook edits (insert_cell, replace_cell, delete_cell)",
    "run": "tools that run cells (run_cell)",
    "mcp": "every tool of every MCP server",
}

#: Tools each group stands for, where the server knows them by name (MCP tools it does not).
GROUP_TOOLS: dict[str, tuple[str, ...]] = {
    "files": ("list_files", "read_file_head"),
    "edits": ("insert_cell", "replace_cell", "delete_cell"),
    "run": ("run_cell",),
}

#: The policy settings the browser is told about (all but the audit log's).
BROWSER_TRAITS = ("allowed_models", "max_tokens", "daily_token_limit", "disabled_tools", "prices", "disabled_modes")

#: The permission modes a conversation may be in besides "ask" (which is always there).
PERMISSION_MODES = ("acceptEdits", "plan", "runInNotebook")

_PRICE_FIELDS = ("input", "output", "cache_read", "cache_write")


class ClaudePolicy(Configurable):
    """Rules an administrator sets for Claude on this server (a JupyterHub admin, usually).

    Users see these in the panel as "set by your administrator" and cannot change them from
    the browser; the server refuses requests that break them.
    """

    allowed_models = List(
        Unicode(),
        default_value=[],
        help="""Model ids users may choose (e.g. ['claude-sonnet-4-5', 'claude-haiku-4-5']). Empty: any model.
        The panel's model picker shows only these; a request for another model is refused.""",
    ).tag(config=True)

    max_tokens = Int(
        0,
        help="""Largest ``max_tokens`` one request may ask for (0: no cap). A larger request is refused.""",
    ).tag(config=True)

    daily_token_limit = Int(
        0,
        help="""Tokens each user may use per day (0: no limit): input + cache writes + output, plus cache
        reads counted at ``cache_read_weight``. Resets at the server's local midnight; the count is kept
        in the server's data folder, so it survives a restart.""",
    ).tag(config=True)

    cache_read_weight = Float(
        0.1,
        help="""How much one cache-read token counts towards ``daily_token_limit`` (0.1: its price relative
        to an input token).""",
    ).tag(config=True)

    disabled_tools = List(
        Unicode(),
        default_value=[],
        help="""Tools Claude is not offered: tool names (e.g. 'run_cell', 'read_file_head') or groups:
        'files' (the file tools), 'edits' (proposed cell edits), 'run' (running cells), 'mcp' (every MCP
        server's tools). The panel hides them; a request offering one is refused.""",
    ).tag(config=True)

    disabled_modes = List(
        Unicode(),
        default_value=[],
        help="""Permission modes users may not pick for a conversation: 'acceptEdits' (insertions and
        replacements apply at once), 'plan' (read and plan only), 'runInNotebook' (edits apply and cells
        run without asking). 'ask' (every change waits for a click) is always available. The panel does not
        offer these modes; approvals happen in the browser, so this is what the panel shows, not a server check.""",
    ).tag(config=True)

    prices = Dict(
        default_value={},
        help="""Prices in US dollars per million tokens, by model id or id prefix, replacing the built-in
        table for cost estimates, e.g. {'claude-sonnet-4-5': {'input': 3, 'output': 15, 'cache_read': 0.3,
        'cache_write': 3.75}}.""",
    ).tag(config=True)

    audit_log = Unicode(
        "",
        help="""Path of a JSONL audit log (empty: none). One line per answer: time, user, notebook, model,
        request id, tokens, tools called; one per approval decision. No prompt or answer text unless
        ``audit_contents`` is set.""",
    ).tag(config=True)

    audit_contents = Bool(
        False,
        help="""Also write the prompt (the request's last user turn) and the answer text into the audit log.""",
    ).tag(config=True)

    audit_max_bytes = Int(
        10 * 1024 * 1024,
        help="""Size at which the audit log is rotated (``audit.jsonl`` -> ``audit.jsonl.1`` ...).""",
    ).tag(config=True)

    audit_backups = Int(
        5,
        help="""How many rotated audit logs are kept.""",
    ).tag(config=True)

    usage_file = Unicode(
        "",
        help="""Where each user's daily token count is kept. Default: ``jupyterlab_claude/usage.json`` in the
        server's data folder.""",
    ).tag(config=True)

    @validate("prices")
    def _valid_prices(self, proposal: dict) -> dict:
        prices = proposal["value"]
        for model, table in prices.items():
            if not isinstance(table, dict) or not all(
                isinstance(table.get(f, 0), (int, float)) and table.get(f, 0) >= 0 for f in _PRICE_FIELDS
            ):
                raise ValueError(
                    f"c.ClaudePolicy.prices[{model!r}] must be a dict of non-negative numbers "
                    f"({', '.join(_PRICE_FIELDS)})."
                )
        return prices

    @validate("disabled_modes")
    def _known_modes(self, proposal: dict) -> list:
        unknown = [m for m in proposal["value"] if m not in PERMISSION_MODES]
        if unknown:
            raise ValueError(
                f"c.ClaudePolicy.disabled_modes: unknown mode(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(PERMISSION_MODES)} ('ask' cannot be turned off)."
            )
        return proposal["value"]

    @validate("max_tokens", "daily_token_limit", "audit_max_bytes", "audit_backups")
    def _not_negative(self, proposal: dict) -> int:
        if proposal["value"] < 0:
            raise ValueError(f"c.ClaudePolicy.{proposal['trait'].name} cannot be negative.")
        return proposal["value"]

    # -- what the browser is told -----------------------------------------------------------------

    @property
    def managed(self) -> list[str]:
        """The browser-visible settings the administrator set (in any config file or on the command line)."""
        section = self.config.get("ClaudePolicy", {}) if "ClaudePolicy" in self.config else {}
        return [name for name in BROWSER_TRAITS if name in section]

    def browser_view(self) -> dict[str, Any]:
        """What the panel may know: the rules, and which of them an administrator set."""
        return {
            "allowed_models": list(self.allowed_models),
            "max_tokens": self.max_tokens,
            "daily_token_limit": self.daily_token_limit,
            "cache_read_weight": self.cache_read_weight,
            "disabled_tools": list(self.disabled_tools),
            "disabled_modes": list(self.disabled_modes),
            "prices": {k: {f: float(v.get(f, 0)) for f in _PRICE_FIELDS} for k, v in self.prices.items()},
            "managed": self.managed,
            # Users are told that they are audited (not where the log is).
            "audit": bool(self.audit_log),
            "audit_contents": bool(self.audit_log) and self.audit_contents,
        }

    # -- the rules --------------------------------------------------------------------------------

    def model_allowed(self, model: str) -> bool:
        return not self.allowed_models or model in self.allowed_models

    def tool_disabled(self, name: str) -> bool:
        """Whether a tool offered by name is turned off (MCP tools are refused by their route)."""
        disabled = set(self.disabled_tools)
        if name in disabled:
            return True
        return any(name in GROUP_TOOLS.get(group, ()) for group in disabled)

    @property
    def mcp_disabled(self) -> bool:
        return "mcp" in self.disabled_tools

    @property
    def files_disabled(self) -> bool:
        return any(self.tool_disabled(name) for name in GROUP_TOOLS["files"])

    def check_files(self) -> None:
        """Refuse the file routes when the administrator turned the file tools off."""
        if self.files_disabled:
            raise PolicyRefusal("Your administrator turned off the file tools on this server.", reason="tool-disabled")

    def check_request(self, body: dict[str, Any]) -> None:
        """Refuse a Messages API request that breaks the model, max_tokens or tools rules."""
        model = body.get("model")
        if not isinstance(model, str) or not self.model_allowed(model):
            raise PolicyRefusal(
                f"The model {model!r} is not allowed on this server; your administrator allows "
                f"{_names(self.allowed_models)}. Choose one of them in the panel's model picker.",
                reason="model-not-allowed",
            )
        asked = body.get("max_tokens")
        if self.max_tokens and isinstance(asked, int) and asked > self.max_tokens:
            raise PolicyRefusal(
                f"This request asks for up to {asked:,} tokens in the answer; your administrator "
                f"allows at most {self.max_tokens:,} per request.",
                reason="max-tokens",
            )
        tools = body.get("tools")
        if isinstance(tools, list):
            names = {t.get("name") for t in tools if isinstance(t, dict)}
            refused = sorted(n for n in names if isinstance(n, str) and self.tool_disabled(n))
            if refused:
                raise PolicyRefusal(
                    f"Your administrator turned off {_names(refused)} on this server.",
                    reason="tool-disabled",
                )


class PolicyRefusal(Refused):
    """A request the administrator's policy does not allow (403, never retried)."""

    def __init__(self, message: str, *, reason: str, status: int | None = None, error_type: str | None = None):
        super().__init__(
            message,
            status=status,
            error_type=error_type,
            headers={"x-should-retry": "false", "x-claude-policy": reason},
        )


def _names(items: Iterable[str]) -> str:
    items = [str(i) for i in items]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def parse_messages_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a Messages API request, or a clear 400."""
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ClaudeError("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ClaudeError("The request body must be a JSON object.")
    return body


def user_name(handler: Any) -> str:
    """The name a request's usage and audit records go under.

    A JupyterHub server (or any identity provider with real accounts) names its user. Jupyter's own
    token and password logins name each browser session with a fresh random id, which would let a
    new session start a new daily count: there the user is the account the server runs as.
    """
    provider = getattr(handler, "identity_provider", None)
    if provider is None or type(provider).__module__.startswith("jupyter_server.auth"):
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "owner"
    user = handler.current_user
    name = getattr(user, "username", None) or getattr(user, "name", None) or user
    return str(name or "anonymous")[:256]
