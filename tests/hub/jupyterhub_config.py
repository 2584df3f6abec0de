"""A JupyterHub as a lab's admin would set it up for Claude, for the hub test.

Two users log in with a password (DummyAuthenticator: test only); each gets their own Jupyter
server, started as a local process (the same unix account here; a real hub uses a per-user
account or a container). The admin, not the users, holds the key and sets the policy:

- the key and the API's URL go into each user's server through ``c.Spawner.environment``
  (the extension takes them out of the environment before any kernel starts);
- the policy goes on each server's command line (``c.Spawner.args``), which outranks any
  config file a user could write in their own ``~/.jupyter``.

Everything comes from the environment the test sets: HUB_STATE (a fresh folder), HUB_PORT,
HUB_MOCK_URL, HUB_CLAUDE_KEY, HUB_PASSWORD, HUB_USER_PORTS ("9980,9981").
"""

import os
import shutil

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

here = os.path.dirname(os.path.abspath(__file__))
state = os.environ["HUB_STATE"]
port = int(os.environ.get("HUB_PORT", "8100"))
users = ["alice", "bob"]
user_ports = dict(zip(users, (int(p) for p in os.environ.get("HUB_USER_PORTS", "9980,9981").split(",")), strict=True))

c.JupyterHub.bind_url = f"http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
proxy_bin = os.path.join(here, "node_modules", ".bin")
c.ConfigurableHTTPProxy.command = [shutil.which("configurable-http-proxy", path=proxy_bin) or "configurable-http-proxy"]
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = f"sqlite:///{os.path.join(state, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["HUB_PASSWORD"]
c.Authenticator.allowed_users = set(users)

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(state, "home", "{username}")
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60

# -- what the admin decides for Claude ---------------------------------------------------------
c.Spawner.environment = {
    "ANTHROPIC_API_KEY": os.environ["HUB_CLAUDE_KEY"],
    "ANTHROPIC_BASE_URL": os.environ["HUB_MOCK_URL"],
}
c.Spawner.args = [
    # A list setting is given once per item.
    "--ClaudePolicy.allowed_models=claude-haiku-4-5",
    "--ClaudePolicy.allowed_models=claude-sonnet-4-6",
    "--ClaudePolicy.max_tokens=8192",
    "--ClaudePolicy.daily_token_limit=200000",
    "--ClaudePolicy.disabled_tools=run",
    f"--ClaudePolicy.audit_log={os.path.join(state, 'audit', '{username}.jsonl')}",
]
if os.geteuid() == 0:  # the test machine's containers run as root
    c.Spawner.args.append("--allow-root")


def pre_spawn_hook(spawner):
    # Fixed ports for the two servers (the test's port range); the audit log per user.
    spawner.port = user_ports[spawner.user.name]
    spawner.args = [a.replace("{username}", spawner.user.name) for a in spawner.args]
    os.makedirs(os.path.join(state, "home", spawner.user.name), exist_ok=True)


c.Spawner.pre_spawn_hook = pre_spawn_hook
