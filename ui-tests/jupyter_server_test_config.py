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
