"""The key lives only in the server process: kernels and terminals it starts never get it.

The server is started with ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN in its environment (no
``c.ClaudeProxy`` credentials), as ``ANTHROPIC_API_KEY=... jupyter lab`` does, and real kernels
are started through the server's own session and kernel managers.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

CREDENTIAL_NAMES = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
ROOT = Path(__file__).resolve().parent.parent

# What a cell (or any package in the kernel) could do to find the key.
PROBE = textwrap.dedent(
    """
    import json, os
    def _claude_probe():
        found = {name: os.environ.get(name) for name in %(names)r}
        found['environ'] = '\\n'.join(f'{k}={v}' for k, v in os.environ.items())
        try:
            with open(f'/proc/{os.getppid()}/environ', 'rb') as f:
                found['parent_environ'] = f.read().decode('utf-8', 'replace')
        except OSError:
            found['parent_environ'] = ''
        print(json.dumps(found))
    _claude_probe()
    del _claude_probe
    """
) % {"names": CREDENTIAL_NAMES}


@pytest.fixture
def auth_token() -> str:
    return "tok-test-" + secrets.token_hex(16)


@pytest.fixture
def key_in_environment(monkeypatch, api_key: str, auth_token: str) -> dict[str, str]:
    """The server's environment as an admin sets it, before the server starts."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", api_key)
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", auth_token)
    # Copies under names the extension cannot know (MY_KEY=$ANTHROPIC_API_KEY, a header line).
    monkeypatch.setenv("MY_CLAUDE_KEY", api_key)
    monkeypatch.setenv("GATEWAY_HEADERS", f"x-api-key: {api_key}")
    return {"ANTHROPIC_API_KEY": api_key, "ANTHROPIC_AUTH_TOKEN": auth_token}


@pytest.fixture
def leaky_kernel_spec(jp_kernel_dir) -> str:
    """A kernelspec whose ``env`` asks for the key by reference (jupyter_client substitutes it)."""
    spec_dir = Path(jp_kernel_dir) / "leaky"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (env references the key)",
        "language": "python",
        "env": {"COPY_OF_KEY": "${ANTHROPIC_API_KEY}", "COPY_OF_TOKEN": "${ANTHROPIC_AUTH_TOKEN}"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return "leaky"


@pytest.fixture
def jp_server_config(mock, key_in_environment, leaky_kernel_spec) -> Config:
    # No credential in c.ClaudeProxy: the server must take it from its environment.
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_claude": True, "jupyter_server_terminals": True}},
            "ClaudeProxy": {"base_url": mock.url},
        }
    )


async def run_in_kernel(jp_serverapp, jp_fetch, kernel_name: str, code: str) -> str:
    """Start a kernel the way JupyterLab does (a session for a notebook), run ``code``, return stdout."""
    r = await jp_fetch(
        "api",
        "sessions",
        method="POST",
        body=json.dumps({"path": "probe.ipynb", "type": "notebook", "name": "", "kernel": {"name": kernel_name}}),
    )
    kernel_id = json.loads(r.body)["kernel"]["id"]
    km = jp_serverapp.kernel_manager
    client = km.get_kernel(kernel_id).client()
    client.start_channels()
    out: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    try:
        await client.wait_for_ready(timeout=60)
        reply = await client.execute_interactive(code, output_hook=hook, timeout=60)
        assert reply["content"]["status"] == "ok", out
    finally:
        client.stop_channels()
        await km.shutdown_kernel(kernel_id, now=True)
    return "".join(out)


def assert_absent(text: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        assert value not in text, f"the value of {name} reached the kernel"


async def test_kernel_started_by_the_server_has_no_key(jp_serverapp, jp_fetch, key_in_environment):
    out = await run_in_kernel(jp_serverapp, jp_fetch, "python3", PROBE)
    found = json.loads(out)
    for name in CREDENTIAL_NAMES:
        assert found[name] is None, name
    assert_absent(out, key_in_environment)
    assert_absent(await run_in_kernel(jp_serverapp, jp_fetch, "python3", "%env"), key_in_environment)


async def test_kernelspec_env_referencing_the_key_gets_nothing(
    jp_serverapp, jp_fetch, key_in_environment, leaky_kernel_spec
):
    out = await run_in_kernel(
        jp_serverapp,
        jp_fetch,
        leaky_kernel_spec,
        "import os; print(os.environ.get('COPY_OF_KEY'), os.environ.get('COPY_OF_TOKEN'))",
    )
    assert "COPY_OF" not in out  # the kernel ran and printed something
    assert_absent(out, key_in_environment)


async def test_terminal_environment_has_no_key(jp_serverapp, key_in_environment):
    terminals = jp_serverapp.web_app.settings["terminal_manager"]
    env = terminals.make_term_env()  # what terminado gives the shell of each new terminal
    for name in CREDENTIAL_NAMES:
        assert name not in env
    assert_absent("\n".join(f"{k}={v}" for k, v in env.items()), key_in_environment)


async def test_server_keeps_the_key_and_still_authenticates_upstream(
    jp_serverapp, jp_fetch, mock, api_key, auth_token, key_in_environment
):
    for name in CREDENTIAL_NAMES + ("MY_CLAUDE_KEY", "GATEWAY_HEADERS"):
        assert name not in os.environ  # taken out of the environment children inherit
    config = jp_serverapp.web_app.settings["claude_proxy"].config
    assert (config.api_key, config.auth_token) == (api_key, auth_token)
    assert config.has_credentials

    r = await jp_fetch(
        "claude",
        "v1",
        "messages",
        method="POST",
        body=json.dumps(
            {"model": "claude-sonnet-4-6", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}
        ),
        headers={"anthropic-version": "2023-06-01", "content-type": "application/json"},
    )
    assert r.code == 200 and json.loads(r.body)["type"] == "message"
    (sent,) = mock.requests()
    assert sent["headers"]["x-api-key"] == api_key  # the mock accepts only this key

    # Kernels started after a request are clean too.
    assert_absent(await run_in_kernel(jp_serverapp, jp_fetch, "python3", PROBE), key_in_environment)


def test_taken_credentials_are_wiped_from_the_process_environment_block(api_key, auth_token):
    """/proc/<server pid>/environ (readable by the kernel, same user) must not show the key either.

    Only a process that got the key at exec time has it in that block, so this runs one.
    """
    code = textwrap.dedent(
        """
        import json, os, posix
        from jupyterlab_claude import credentials
        taken = credentials.take_from_environment()
        with open('/proc/self/environ', 'rb') as f:
            block = f.read()
        print(json.dumps({
            'taken': taken,
            'in_os_environ': [n for n in %(names)r if n in os.environ],
            'in_posix_environ': [n for n in %(names)r if n.encode() in posix.environ],
            'block': block.decode('utf-8', 'replace'),
            'other_kept': os.environ.get('UNRELATED_VARIABLE'),
        }))
        """
    ) % {"names": CREDENTIAL_NAMES}
    env = dict(os.environ, ANTHROPIC_API_KEY=api_key, ANTHROPIC_AUTH_TOKEN=auth_token, UNRELATED_VARIABLE="kept")
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["taken"] == {"ANTHROPIC_API_KEY": api_key, "ANTHROPIC_AUTH_TOKEN": auth_token}
    assert result["in_os_environ"] == [] and result["in_posix_environ"] == []
    if sys.platform.startswith("linux"):
        assert api_key not in result["block"] and auth_token not in result["block"]
        assert "UNRELATED_VARIABLE=kept" in result["block"]  # nothing else is touched
    assert result["other_kept"] == "kept"


def test_taking_twice_keeps_the_first_values(monkeypatch, api_key):
    """A second server extension load in the same process (tests, some launchers) still has the key."""
    from jupyterlab_claude import credentials

    monkeypatch.setenv("ANTHROPIC_API_KEY", api_key)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    monkeypatch.setattr(credentials, "_taken", {})
    assert credentials.take_from_environment() == {"ANTHROPIC_API_KEY": api_key}
    assert "ANTHROPIC_API_KEY" not in os.environ
    assert credentials.take_from_environment() == {"ANTHROPIC_API_KEY": api_key}


def test_copies_of_a_credential_are_removed_whatever_their_name(api_key):
    from jupyterlab_claude import credentials

    environ = {
        "MY_KEY": f" {api_key}\n",
        "HEADERS": f"Authorization: Bearer {api_key}",
        "SHORT": "abc",
        "HAS_SHORT": "xabcx",
        "PATH": "/usr/bin",
    }
    removed = credentials.remove_copies([api_key, "abc"], environ)
    assert sorted(removed) == ["HEADERS", "MY_KEY", "SHORT"]
    assert environ == {"HAS_SHORT": "xabcx", "PATH": "/usr/bin"}  # a short token only as a whole value
