"""JupyterLab extension for chatting with Claude; the server side proxies the Messages API."""

try:
    from ._version import __version__
except ImportError:  # _version.py is written by the build; a plain checkout has none
    __version__ = "dev"

from . import credentials
from .config import ClaudeProxy
from .handlers import setup_handlers
from .proxy import describe_host
from .store import follow_contents_events


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-claude"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_claude"}]


def _load_jupyter_server_extension(server_app):
    """Register the ``claude/`` proxy routes on the Jupyter server."""
    config = ClaudeProxy(config=server_app.config)
    if not config.keep_credentials_in_environment:
        # Before any kernel or terminal starts: they inherit the server's environment.
        config.environment = credentials.take_from_environment(names=credentials.credential_variables(config.provider))
        copies = credentials.remove_copies(config.secrets)
        if copies:
            server_app.log.info("jupyterlab_claude: removed copies of the credentials from the environment: %s", copies)
    # MCP routes first: they must be matched before the claude/(.*) catch-all.
    from .mcp import setup_mcp

    setup_mcp(server_app, lambda: config.secrets, __version__)
    from .handlers import ClaudeHandler
    from .policy_handlers import setup_policy

    setup_policy(server_app, ClaudeHandler)
    from .skills import setup_skills

    setup_skills(server_app, ClaudeHandler)
    state = setup_handlers(server_app.web_app, config)
    server_app.web_app.settings["claude_proxy"] = state
    follow_contents_events(server_app, state.conversations)
    server_app.log.info(
        "jupyterlab_claude %s: proxying Claude API requests to %s via %s (credentials %s)",
        __version__,
        describe_host(state.provider.base_url),
        config.provider,
        "configured" if config.has_credentials else "NOT configured: set ANTHROPIC_API_KEY",
    )


# For backward compatibility with the classic notebook server
load_jupyter_server_extension = _load_jupyter_server_extension
