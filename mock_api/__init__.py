"""A local Messages API server that speaks Anthropic's published protocol, for tests.

Run it with ``python -m mock_api --port 18765`` or start it in-process with
:func:`start_mock_server`.
"""

from .fixtures import DEFAULT_FIXTURES_DIR, assemble_message, load_fixture, parse_sse
from .server import DEFAULT_API_KEY, MockServer, MockState, listen, make_app, start_mock_server

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_FIXTURES_DIR",
    "MockServer",
    "MockState",
    "assemble_message",
    "listen",
    "load_fixture",
    "make_app",
    "parse_sse",
    "start_mock_server",
]
