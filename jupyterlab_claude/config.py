"""``c.ClaudeProxy.*`` settings for the server-side Claude API proxy."""

from __future__ import annotations

import os

from traitlets import Bool, Dict, Float, Int, List, Unicode, default

from .providers.settings import ProviderSettings


class ClaudeProxy(ProviderSettings):
    """Where and how the Jupyter server forwards Claude API requests.

    The browser never sees the key: the server adds it to each upstream request. The provider's
    settings (``provider``, ``models``, ``extra_headers``, ``ca_bundle``, Bedrock's and Vertex's)
    are in providers/settings.py.
    """

    api_key = Unicode(
        help="""Anthropic API key sent upstream as ``x-api-key``.
        Defaults to the ANTHROPIC_API_KEY environment variable of the server process (which the
        extension then removes from the environment, so kernels and terminals do not inherit it).""",
    ).tag(config=True)

    auth_token = Unicode(
        help="""Bearer token sent upstream as ``Authorization: Bearer ...`` (for gateways that want
        that instead of x-api-key). Used only when no api_key is set.
        Defaults to the ANTHROPIC_AUTH_TOKEN environment variable (removed from the environment like the key).""",
    ).tag(config=True)

    base_url = Unicode(
        help="""Base URL of the Messages API. Defaults to ANTHROPIC_BASE_URL or https://api.anthropic.com.""",
    ).tag(config=True)

    request_timeout = Float(
        600.0,
        help="Seconds allowed for a whole answer (including a long stream) before the proxy gives up.",
    ).tag(config=True)

    connect_timeout = Float(
        10.0,
        help="Seconds allowed to open the connection to the API.",
    ).tag(config=True)

    max_request_bytes = Int(
        32 * 1024 * 1024,
        help="Largest request body (bytes) the proxy forwards; larger ones get 413.",
    ).tag(config=True)

    allow_hidden_files = Bool(
        False,
        help="""Let Claude's file tools list and read hidden files and folders (names starting with '.').
        Files that may hold credentials (.ssh, .aws, .kube, .docker, .git/config, .env*, *.env, *.pem, *.key,
        credentials.*, secrets.*, service-account*.json, histories, .jupyter, ...)
        stay refused either way.""",
    ).tag(config=True)

    secret_file_patterns = List(
        Unicode(),
        default_value=[],
        help="""More names that Claude's file tools always refuse, added to the built-in rules
        (fnmatch patterns, case-insensitive, matched against every component of a path and of
        what a symlink points to, e.g. ['*.sqlite', 'patients*', 'site_passwords.*']).""",
    ).tag(config=True)

    keep_credentials_in_environment = Bool(
        False,
        help="""Leave ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN in the server's environment, where
        every kernel and terminal it starts inherits them (and any cell can print them). By default
        the extension reads them when it loads and removes them; set this only if another server
        extension needs to read them from the environment later.""",
    ).tag(config=True)

    #: Credential variables taken out of the environment at start-up (see credentials.py); the
    #: defaults below read these first, because the environment no longer has them.
    environment = Dict()

    conversations_dir = Unicode(
        ".jupyter-claude/conversations",
        help="""Folder where conversations are saved, relative to the Jupyter root (or absolute).
        A notebook's conversations are in ``<folder>/<notebook path>/<conversation id>.json``.""",
    ).tag(config=True)

    def _from_environment(self, name: str) -> str:
        return (self.environment.get(name) or os.environ.get(name, "")).strip()

    @default("api_key")
    def _default_api_key(self) -> str:
        return self._from_environment("ANTHROPIC_API_KEY")

    @default("auth_token")
    def _default_auth_token(self) -> str:
        return self._from_environment("ANTHROPIC_AUTH_TOKEN")

    @default("base_url")
    def _default_base_url(self) -> str:
        return os.environ.get("ANTHROPIC_BASE_URL", "").strip() or "https://api.anthropic.com"

    @property
    def has_credentials(self) -> bool:
        if self.provider in ("bedrock", "vertex"):
            return True  # the cloud's credential chain is asked at the first request
        return bool(self.api_key or self.auth_token or (self.provider == "gateway" and self.extra_headers))

    @property
    def secrets(self) -> list:
        """Credential values that must never leave the server."""
        return [s for s in (self.api_key, self.auth_token, *self.provider_secrets) if s]
