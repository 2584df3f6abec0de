"""A local stand-in for Anthropic's Messages API, built on tornado.

Anthropic endpoints (validated like the real service):

* ``POST /v1/messages``               – JSON Message, or SSE when ``"stream": true``
* ``POST /v1/messages/count_tokens``  – ``{"input_tokens": N}``
* ``GET  /v1/models`` / ``/v1/models/{id}``

Test control endpoints (not part of Anthropic's API):

* ``POST /_mock/queue``     – script the next responses of a path
* ``POST /_mock/reset``     – clear the queue and the request log
* ``GET  /_mock/requests``  – every request received, recorded before validation
* ``GET  /_mock/fixtures``  – the fixtures that can be queued
* ``GET  /_mock/health``    – readiness probe
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import string
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

from . import context_editing
from .cache import CacheRequestError, PromptCache, apply_usage, prompt_tokens
from .fixtures import (
    DEFAULT_FIXTURES_DIR,
    FixtureError,
    SSEEvent,
    StreamError,
    assemble_message,
    list_fixtures,
    load_fixture,
)
from .validation import check_count_tokens_request, check_messages_request, estimate_input_tokens

DEFAULT_API_KEY = "test-key-mock"
DEFAULT_FIXTURE = {"/v1/messages": "hello"}
#: Longest a ``stall`` response waits for the client to hang up (keeps runs bounded).
STALL_LIMIT_S = 300.0
_ALPHABET = string.ascii_letters + string.digits


def new_request_id() -> str:
    """Ids shaped like Anthropic's ``request-id`` header values."""
    return "req_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def error_body(error_type: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    """Anthropic's error envelope."""
    body: dict[str, Any] = {"type": "error", "error": {"type": error_type, "message": message}}
    if request_id:
        body["request_id"] = request_id
    return body


#: ``{{header:NAME}}`` or ``{{header:NAME|filter|filter...}}`` in fixture strings.
_HEADER_TEMPLATE = re.compile(r"\{\{header:([A-Za-z0-9-]+)((?:\|[a-z_0-9]+)*)\}\}")


def _echo_filter(value: str, name: str) -> str:
    """The forms a careless gateway might echo a header in (proves the proxy scrubs each)."""
    if name == "lower":
        return value.lower()
    if name == "upper":
        return value.upper()
    if name == "json_u":  # every character as a JSON \\u escape
        return "".join(f"\\u{ord(c):04x}" for c in value)
    if name == "url":  # every byte percent-encoded
        return "".join(f"%{b:02X}" for b in value.encode())
    if name == "base64":
        return base64.b64encode(value.encode()).decode()
    if name == "hex":
        return value.encode().hex()
    if name.startswith("prefix") and name[6:].isdigit():
        return value[: int(name[6:])]
    raise FixtureError(f"unknown echo filter {name!r}")


def substitute_headers(value: Any, headers: dict[str, str]) -> Any:
    """Replace ``{{header:NAME|filters}}`` in fixture strings with the received header (echo fixtures).

    Headers that were not received are left as written.
    """
    if isinstance(value, str):
        if "{{header:" not in value:
            return value

        def replace(match: re.Match[str]) -> str:
            header_value = headers.get(match.group(1).lower())
            if header_value is None:
                return match.group(0)
            for name in filter(None, match.group(2).split("|")):
                header_value = _echo_filter(header_value, name)
            return header_value

        return _HEADER_TEMPLATE.sub(replace, value)
    if isinstance(value, dict):
        return {k: substitute_headers(v, headers) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_headers(v, headers) for v in value]
    return value


class MockState:
    """Scripted-response queues and the request log, shared by all handlers."""

    def __init__(self, api_key: str = DEFAULT_API_KEY, fixtures_dir: Path = DEFAULT_FIXTURES_DIR):
        self.api_key = api_key
        self.fixtures_dir = Path(fixtures_dir)
        self._lock = threading.Lock()
        self._queues: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        self._records: list[dict[str, Any]] = []
        #: The prompt cache every Messages request reads and writes (``mock_api/cache.py``).
        self.cache = PromptCache()

    def reset(self) -> None:
        with self._lock:
            self._queues.clear()
            self._records.clear()
        self.cache.clear()

    def enqueue(self, path: str, fixture: str, times: int = 1, overrides: dict | None = None) -> None:
        """Queue ``fixture`` for the next ``times`` requests to ``path``."""
        load_fixture(fixture, self.fixtures_dir, overrides)  # fail now, not at request time
        with self._lock:
            for _ in range(times):
                self._queues[path].append({"fixture": fixture, "overrides": dict(overrides or {})})

    def next_scripted(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            queue = self._queues.get(path)
            entry = queue.popleft() if queue else None
        if entry is None:
            return None
        return load_fixture(entry["fixture"], self.fixtures_dir, entry["overrides"])

    def queued(self) -> dict[str, list[str]]:
        with self._lock:
            return {path: [e["fixture"] for e in q] for path, q in self._queues.items() if q}

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            entry["seq"] = len(self._records)
            self._records.append(entry)
        return entry

    def records(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._records]


class _Base(tornado.web.RequestHandler):
    """Anthropic-style errors, a ``request-id`` on every response, and request recording."""

    record_requests = True

    def initialize(self, state: MockState) -> None:
        self.state = state
        self.record_entry: dict[str, Any] | None = None
        self.json_body: Any = None

    def set_default_headers(self) -> None:
        # Runs before initialize() (and again after clear()), so the id is made here, once.
        if not hasattr(self, "request_id"):
            self.request_id = new_request_id()
        self.set_header("request-id", self.request_id)
        self.clear_header("Server")

    def prepare(self) -> None:
        raw = self.request.body or b""
        try:
            self.json_body = json.loads(raw) if raw else None
            body_ok = True
        except ValueError:
            body_ok = False
        if self.record_requests:
            # Recorded before any validation, so tests see rejected requests too.
            headers: dict[str, str] = {}
            for name, value in self.request.headers.get_all():
                key = name.lower()
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            self.record_entry = self.state.record(
                {
                    "method": self.request.method,
                    "path": self.request.path,
                    "query": self.request.query,
                    "headers": headers,
                    "body": self.json_body,
                    "body_text": None if body_ok else raw.decode("utf-8", "replace")[:65536],
                    "time": time.time(),
                    "request_id": self.request_id,
                    "client_closed": False,
                    # time.monotonic() at which each SSE event was handed to the socket;
                    # comparable across processes on one host (the benchmark uses it).
                    "events_sent_monotonic": [],
                }
            )
        self._body_ok = body_ok

    def on_connection_close(self) -> None:
        if self.record_entry is not None:
            self.record_entry["client_closed"] = True
        closed = getattr(self, "_closed_event", None)
        if closed is not None:
            closed.set()

    def send_error_json(self, status: int, error_type: str, message: str) -> None:
        self.set_status(status)
        self.set_header("content-type", "application/json")
        self.finish(json.dumps(error_body(error_type, message, self.request_id)))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        kind = {404: "not_found_error", 405: "invalid_request_error", 413: "request_too_large"}.get(
            status_code, "api_error"
        )
        self.set_header("content-type", "application/json")
        self.finish(json.dumps(error_body(kind, self._reason, self.request_id)))

    # -- the checks the real API applies before looking at a request --------------

    def authenticated(self) -> bool:
        key = self.request.headers.get("x-api-key")
        bearer = self.request.headers.get("authorization", "")
        if key is not None:
            return secrets.compare_digest(key, self.state.api_key)
        if bearer.lower().startswith("bearer "):
            return secrets.compare_digest(bearer[7:].strip(), self.state.api_key)
        return False

    def reject_common(self) -> bool:
        """Send the auth / version / JSON error if any applies; True when one was sent."""
        if not self.authenticated():
            if "x-api-key" in self.request.headers or "authorization" in self.request.headers:
                self.send_error_json(401, "authentication_error", "invalid x-api-key")
            else:
                self.send_error_json(401, "authentication_error", "x-api-key header is required")
            return True
        if not self.request.headers.get("anthropic-version"):
            self.send_error_json(400, "invalid_request_error", "anthropic-version: header is required")
            return True
        if self.request.method == "POST" and not self._body_ok:
            self.send_error_json(400, "invalid_request_error", "Request body is not valid JSON")
            return True
        return False

    # -- serving a fixture ------------------------------------------------------------

    def _close_abruptly(self) -> None:
        """Drop the TCP connection without ending the chunked response."""
        self._auto_finish = False
        self.request.connection.detach().close()

    async def _wait_for_client_to_leave(self) -> None:
        if getattr(self, "_closed_event", None) is None:
            self._closed_event = asyncio.Event()
        stream = self.request.connection.stream
        if stream is not None and not stream.closed():
            try:
                await asyncio.wait_for(self._closed_event.wait(), STALL_LIMIT_S)
            except asyncio.TimeoutError:
                return  # still connected after the limit: end the response normally
        self._auto_finish = False

    async def serve_fixture(self, spec: dict[str, Any], stream: bool, usage: dict[str, Any] | None = None) -> None:
        received = {k.lower(): v for k, v in self.request.headers.items()}
        if usage is not None and spec["events"]:
            # The input side of usage is what this request read from and wrote to the cache.
            spec = dict(spec, events=apply_usage(spec["events"], usage))
        self.set_status(spec["status"])
        for name, value in (spec.get("headers") or {}).items():
            self.set_header(name, str(value))
        if spec.get("body") is not None:
            self.set_header("content-type", "application/json")
            body = substitute_headers(spec["body"], received)
            if isinstance(body, dict) and body.get("type") == "error":
                body.setdefault("request_id", self.request_id)
            self.finish(json.dumps(body))
            return
        if any("{{header:" in e.data for e in spec["events"]):
            spec = dict(spec, events=[SSEEvent(e.event, substitute_headers(e.data, received)) for e in spec["events"]])
        if stream:
            await self._stream_events(spec)
            return
        cut, stall = spec.get("cut_after_events"), spec.get("stall_after_events")
        if cut is not None:
            await asyncio.sleep(spec["event_delay_ms"] * cut / 1000.0)
            self._close_abruptly()
            return
        if stall is not None:
            await self._wait_for_client_to_leave()
            return
        try:
            message = assemble_message(spec["events"])
        except StreamError as err:
            self.set_status(err.status)
            body = dict(err.body, request_id=self.request_id)
            self.set_header("content-type", "application/json")
            self.finish(json.dumps(body))
            return
        except ValueError:
            self.send_error_json(500, "api_error", "Internal server error")
            return
        self.set_header("content-type", "application/json")
        self.finish(json.dumps(message))

    async def _stream_events(self, spec: dict[str, Any]) -> None:
        self.set_header("content-type", "text/event-stream; charset=utf-8")
        self.set_header("cache-control", "no-cache")
        delay = (spec.get("event_delay_ms") or 0) / 1000.0
        cut, stall = spec.get("cut_after_events"), spec.get("stall_after_events")
        self._closed_event = asyncio.Event()
        try:
            for i, event in enumerate(spec["events"]):
                if cut is not None and i >= cut:
                    self._close_abruptly()
                    return
                if stall is not None and i >= stall:
                    await self._wait_for_client_to_leave()
                    return
                if i and delay:
                    await asyncio.sleep(delay)
                data, split = event.encode(), spec.get("split_bytes")
                if split:
                    # Each event in pieces of ``split`` bytes, each flushed after a pause, so the
                    # proxy reads them as separate chunks (a key may straddle two of them).
                    for at in range(0, len(data), int(split)):
                        if at:
                            await asyncio.sleep(max(delay, 0.005))
                        self.write(data[at : at + int(split)])
                        await self.flush()
                else:
                    self.write(data)
                    await self.flush()  # one event per write, as the real API sends them
                if self.record_entry is not None:
                    self.record_entry["events_sent_monotonic"].append(time.monotonic())
        except tornado.iostream.StreamClosedError:
            if self.record_entry is not None:
                self.record_entry["client_closed"] = True
            self._auto_finish = False
            return
        self.finish()


class MessagesHandler(_Base):
    async def post(self) -> None:
        if self.reject_common():
            return
        betas = context_editing.betas_of({k.lower(): v for k, v in self.request.headers.items()})
        problem = check_messages_request(self.json_body) or context_editing.check(self.json_body, betas)
        if problem:
            self.send_error_json(400, "invalid_request_error", problem)
            return
        # Context editing comes first: the edited prompt is what is counted and cached.
        prompt, edits = context_editing.apply(self.json_body, prompt_tokens)
        try:
            usage = self.state.cache.account(prompt)
        except CacheRequestError as err:
            self.send_error_json(400, "invalid_request_error", str(err))
            return
        spec = self.state.next_scripted(self.request.path) or load_fixture(
            DEFAULT_FIXTURE["/v1/messages"], self.state.fixtures_dir
        )
        if self.record_entry is not None:
            self.record_entry["usage"] = usage
            self.record_entry["context_management"] = edits
        if edits is not None and spec["events"]:
            spec = dict(spec, events=context_editing.apply_to_events(spec["events"], edits))
        await self.serve_fixture(spec, stream=bool(self.json_body.get("stream")), usage=usage)


class CountTokensHandler(_Base):
    async def post(self) -> None:
        if self.reject_common():
            return
        betas = context_editing.betas_of({k.lower(): v for k, v in self.request.headers.items()})
        problem = check_count_tokens_request(self.json_body) or context_editing.check(self.json_body, betas)
        if problem:
            self.send_error_json(400, "invalid_request_error", problem)
            return
        spec = self.state.next_scripted(self.request.path)
        if spec:
            await self.serve_fixture(spec, stream=False)
            return
        prompt, edits = context_editing.apply(self.json_body, prompt_tokens)
        answer: dict[str, Any] = {"input_tokens": estimate_input_tokens(prompt)}
        if edits is not None:
            answer["context_management"] = {"original_input_tokens": estimate_input_tokens(self.json_body)}
        self.set_header("content-type", "application/json")
        self.finish(json.dumps(answer))


class _ModelsBase(_Base):
    def models(self) -> list[dict[str, Any]]:
        path = self.state.fixtures_dir / "models.json"
        return json.loads(path.read_text(encoding="utf-8"))["data"]


class ModelsHandler(_ModelsBase):
    async def get(self) -> None:
        if self.reject_common():
            return
        spec = self.state.next_scripted(self.request.path)
        if spec:
            await self.serve_fixture(spec, stream=False)
            return
        try:
            limit = int(self.get_query_argument("limit", "20"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 1000:
            self.send_error_json(400, "invalid_request_error", "limit: Input should be between 1 and 1000")
            return
        models = self.models()
        ids = [m["id"] for m in models]
        after, before = self.get_query_argument("after_id", None), self.get_query_argument("before_id", None)
        if before is not None and before in ids:
            page = models[: ids.index(before)][-limit:]
            has_more = ids.index(before) - len(page) > 0
        else:
            start = ids.index(after) + 1 if after in ids else 0
            page = models[start : start + limit]
            has_more = start + limit < len(models)
        self.set_header("content-type", "application/json")
        self.finish(
            json.dumps(
                {
                    "data": page,
                    "has_more": has_more,
                    "first_id": page[0]["id"] if page else None,
                    "last_id": page[-1]["id"] if page else None,
                }
            )
        )


class ModelHandler(_ModelsBase):
    async def get(self, model_id: str) -> None:
        if self.reject_common():
            return
        for model in self.models():
            if model["id"] == model_id:
                self.set_header("content-type", "application/json")
                self.finish(json.dumps(model))
                return
        self.send_error_json(404, "not_found_error", f"model: {model_id}")


class NotFoundHandler(_Base):
    """Anything else: Anthropic-shaped 404 (and recorded, so tests can see stray requests)."""

    def _not_found(self, *args: Any) -> None:
        self.send_error_json(404, "not_found_error", "Not Found")

    get = post = put = delete = patch = head = options = _not_found


class _Control(_Base):
    record_requests = False

    def set_default_headers(self) -> None:
        super().set_default_headers()
        # Browser-side test helpers may call the control API directly.
        self.set_header("Access-Control-Allow-Origin", "*")
        self.set_header("Access-Control-Allow-Headers", "content-type")
        self.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")

    def options(self) -> None:
        self.set_status(204)
        self.finish()

    def reply(self, payload: Any) -> None:
        self.set_header("content-type", "application/json")
        self.finish(json.dumps(payload))


class QueueHandler(_Control):
    def post(self) -> None:
        body = self.json_body if isinstance(self.json_body, dict) else None
        if not body or not isinstance(body.get("fixture"), str):
            self.send_error_json(400, "invalid_request_error", 'body must be {"fixture": NAME, ...}')
            return
        path = body.get("path", "/v1/messages")
        times = body.get("times", 1)
        overrides = {k: v for k, v in body.items() if k not in ("fixture", "path", "times")}
        if not isinstance(times, int) or times < 1:
            self.send_error_json(400, "invalid_request_error", "times must be a positive integer")
            return
        try:
            self.state.enqueue(path, body["fixture"], times, overrides)
        except FixtureError as err:
            self.send_error_json(400, "invalid_request_error", str(err))
            return
        self.reply({"queued": times, "queue": self.state.queued()})

    def get(self) -> None:
        self.reply({"queue": self.state.queued()})


class ResetHandler(_Control):
    def post(self) -> None:
        self.state.reset()
        self.reply({"ok": True})


class RequestsHandler(_Control):
    def get(self) -> None:
        self.reply({"requests": self.state.records()})


class FixturesHandler(_Control):
    def get(self) -> None:
        out = []
        for name in list_fixtures(self.state.fixtures_dir):
            spec = load_fixture(name, self.state.fixtures_dir)
            out.append({"name": name, "description": spec["description"], "status": spec["status"]})
        self.reply({"fixtures": out})


class HealthHandler(_Control):
    def get(self) -> None:
        self.reply({"ok": True})


def make_app(state: MockState) -> tornado.web.Application:
    args = {"state": state}
    return tornado.web.Application(
        [
            (r"/v1/messages", MessagesHandler, args),
            (r"/v1/messages/count_tokens", CountTokensHandler, args),
            (r"/v1/models", ModelsHandler, args),
            (r"/v1/models/([^/]+)", ModelHandler, args),
            (r"/_mock/queue", QueueHandler, args),
            (r"/_mock/reset", ResetHandler, args),
            (r"/_mock/requests", RequestsHandler, args),
            (r"/_mock/fixtures", FixturesHandler, args),
            (r"/_mock/health", HealthHandler, args),
            (r".*", NotFoundHandler, args),
        ]
    )


def listen(state: MockState, port: int = 0, host: str = "127.0.0.1") -> tornado.httpserver.HTTPServer:
    """Start serving on the current event loop; ``server.port`` tells the bound port."""
    sockets = tornado.netutil.bind_sockets(port, host)
    server = tornado.httpserver.HTTPServer(make_app(state))
    server.add_sockets(sockets)
    server.port = sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    return server


class MockServer:
    """The mock running on its own thread and event loop (for pytest and the benchmark)."""

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        api_key: str = DEFAULT_API_KEY,
        fixtures_dir: Path = DEFAULT_FIXTURES_DIR,
    ):
        self.host = host
        self.state = MockState(api_key, fixtures_dir)
        self._requested_port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="mock-api", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> MockServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("mock API did not start")
        return self

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._server = listen(self.state, self._requested_port, self.host)
        self.port = self._server.port  # type: ignore[attr-defined]
        self._ready.set()
        await self._stop.wait()
        self._server.stop()
        await self._server.close_all_connections()

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_mock_server(**kwargs: Any) -> MockServer:
    """Start the mock in a background thread; returns it with ``.url`` / ``.port`` / ``.state``."""
    return MockServer(**kwargs).start()
