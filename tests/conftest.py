"""Shared fixtures: a real mock Messages API and a real Jupyter server with the extension."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from traitlets.config import Config

from mock_api import MockServer, start_mock_server

pytest_plugins = ["pytest_jupyter.jupyter_server"]


class _SharedLoop(asyncio.SelectorEventLoop):
    """One loop for the server fixtures and the test; only its owning fixture closes it.

    pytest-jupyter serves the Jupyter server on its own loop, while pytest-asyncio
    (``asyncio_mode = auto``) would run each test on another one. Handing
    pytest-asyncio this loop makes both the same, and ignoring the runner's
    ``close()`` lets pytest-jupyter's teardown still use it afterwards.
    """

    def close(self) -> None:
        pass

    def really_close(self) -> None:
        super().close()


_loop: _SharedLoop | None = None


def _shared_loop() -> _SharedLoop:
    global _loop
    if _loop is None or _loop.is_closed():
        _loop = _SharedLoop()
    asyncio.set_event_loop(_loop)
    return _loop


def pytest_asyncio_loop_factories(config, item):
    return {"jupyter": _shared_loop}


@pytest.fixture(autouse=True)
def jp_asyncio_loop():
    """Override of pytest-jupyter's loop fixture: the shared loop, closed at the very end."""
    global _loop
    loop = _shared_loop()
    yield loop
    loop.really_close()
    _loop = None


@pytest.fixture(scope="session")
def api_key() -> str:
    """A throwaway key, new each run, so no real-looking key is ever committed."""
    return "sk-ant-test-" + secrets.token_hex(16)


@pytest.fixture(scope="session")
def mock_server(api_key: str):
    server = start_mock_server(api_key=api_key)
    yield server
    server.stop()


class Mock:
    """Test-side handle on the mock: script responses and read what it received."""

    def __init__(self, server: MockServer):
        self.server = server
        self.url = server.url

    def queue(self, fixture: str, times: int = 1, path: str = "/v1/messages", **overrides: Any) -> None:
        self.server.state.enqueue(path, fixture, times, overrides)

    def requests(self) -> list[dict[str, Any]]:
        return self.server.state.records()


@pytest.fixture
def mock(mock_server: MockServer) -> Mock:
    mock_server.state.reset()
    return Mock(mock_server)


@pytest.fixture
def claude_config() -> dict[str, Any]:
    """Per-test overrides for ``c.ClaudeProxy``."""
    return {}


@pytest.fixture
def jp_server_config(mock: Mock, api_key: str, claude_config: dict[str, Any]) -> Config:
    proxy = {"base_url": mock.url, "api_key": api_key, "auth_token": ""}
    proxy.update(claude_config)
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_claude": True}},
            "ClaudeProxy": proxy,
        }
    )
