"""Tornado handlers of the ``claude/`` routes: thin, over the logic modules.

The Messages API routes forward the browser's calls with the server's key; the file tools
and saved conversations call ``files`` and ``conversations``. Every handler derives from
:class:`ClaudeHandler`, the one place where an :class:`errors.ClaudeError` becomes a response.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import httpx
import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.iostream import StreamClosedError

from . import conversations, files, proxy
from .config import ClaudeProxy
from .errors import BadRequest, ClaudeError, Refused, ServerError, TooLarge
from .providers import Answer, Prepared, make_provider
from .providers.base import StreamDecoder
from .store import ConversationStore

T = TypeVar("T")

#: Model ids as the API issues them (Bedrock's ``...-v1:0`` and Vertex's ``...@2025...`` with the
#: ``:`` / ``@`` percent-encoded as clients send them); anything else under claude/v1/models/ is a 404.
MODEL_ID_PATTERN = r"[A-Za-z0-9](?:[A-Za-z0-9._:@-]|%3[Aa]|%40)*"


def filter_query(query: str, allowed: tuple) -> str:
    """Keep only known API query parameters (the page's ``?token=`` must not travel upstream)."""
    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in allowed])


class ProxyState:
    """The configuration and the one shared upstream HTTP client."""

    def __init__(self, config: ClaudeProxy):
        self.config = config
        self.conversations = ConversationStore(config)
        self.provider = make_provider(config)
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        # Created lazily so it binds to the server's running event loop.
        if self._client is None or self._client.is_closed:
            # trust_env (the default): HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE are honoured.
            ca_bundle = self.config.ca_bundle
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.config.request_timeout, connect=self.config.connect_timeout),
                follow_redirects=False,
                verify=ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class ClaudeHandler(APIHandler):
    """Base of every ``claude/`` route: the shared state, and the one error translator.

    Handlers and the logic modules raise :class:`errors.ClaudeError`; :meth:`write_error`
    answers it in the Claude API's shape (``{"type": "error", "error": {...}}``) with its
    status and headers. Everything else (Tornado's ``HTTPError``: unauthenticated, XSRF,
    not found) keeps jupyter_server's own JSON error.
    """

    #: How a failing disk is logged and told, as (log prefix, what could not be done).
    disk_failure = ("Claude", "complete that request")

    def initialize(self, state: ProxyState) -> None:
        self.state = state

    @property
    def proxy_config(self) -> ClaudeProxy:
        return self.state.config

    def jupyter_root(self, consequence: str) -> str:
        """The folder the contents API serves; refused (403) if the server has none."""
        root = getattr(self.contents_manager, "root_dir", None) or self.settings.get("server_root_dir")
        if not root:
            raise Refused(f"The Jupyter server has no root folder, so {consequence}.")
        return root

    async def off_loop(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` on the executor: a slow disk must not stall the server."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, lambda: fn(*args, **kwargs))
        except OSError as exc:
            prefix, what = self.disk_failure
            self.log.warning("%s: %s failed: %s", prefix, fn.__name__, type(exc).__name__)
            raise ServerError(f"The server could not {what} ({type(exc).__name__}).") from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if not isinstance(exc, ClaudeError):
            super().write_error(status_code, **kwargs)
            return
        # send_error cleared the headers prepare() had set: put the CORS ones back, as a finished reply keeps them.
        self.set_cors_headers()
        self.set_status(exc.status)
        for name, value in exc.headers.items():
            self.set_header(name, value)
        self.finish(proxy.error_json(exc.error_type, exc.message))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # A refusal is an answer, not a crash: the request log line shows its status.
        if not isinstance(value, ClaudeError):
            super().log_exception(typ, value, tb)


class ProxyHandler(ClaudeHandler):
    """The forwarding loop of the Messages API routes."""

    _pump: asyncio.Future | None = None
    _client_gone = False
    #: The admin policy's hold on this request (Messages only): meters the answer, counts and audits it.
    admission: Any = None

    def on_connection_close(self) -> None:
        # The browser stopped (e.g. the Stop button): stop reading upstream so the answer is cancelled there too.
        self._client_gone = True
        if self._pump is not None and not self._pump.done():
            self._pump.cancel()
        super().on_connection_close()

    async def forward(self, method: str, path: str, query: str = "") -> None:
        """Send this request to ``path`` of the configured API and relay the answer."""
        cfg = self.proxy_config
        provider = self.state.provider
        provider.check()
        body = self.request.body if method == "POST" else None
        if body is not None and len(body) > cfg.max_request_bytes:
            raise TooLarge(
                proxy.request_too_large_message(len(body), cfg.max_request_bytes),
                headers={"x-should-retry": "false", "x-claude-proxy-error": "request-too-large"},
            )

        loop = asyncio.get_running_loop()
        deadline = loop.time() + cfg.request_timeout
        client = self.state.client
        base_url = provider.base_url
        prepared = await provider.prepare(client, method, path, query, self.request.headers.get_all(), body)
        if isinstance(prepared, Answer):  # the provider answers this itself (Bedrock's model list)
            self.set_status(prepared.status)
            for name, value in prepared.headers.items():
                self.set_header(name, value)
            self.finish(prepared.body, set_content_type=prepared.content_type)
            return
        try:
            response = await asyncio.wait_for(client.send(prepared.request, stream=True), cfg.request_timeout)
        except (httpx.TimeoutException, asyncio.TimeoutError):
            self.log.warning("Claude proxy: %s timed out before answering", proxy.describe_host(base_url))
            raise ServerError(
                proxy.timeout_message(cfg.request_timeout, base_url, provider.label, provider.url_setting),
                status=504,
                headers={"x-claude-proxy-error": "upstream-timeout"},
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            reason = proxy.connect_error_reason(exc)
            self.log.warning("Claude proxy: cannot reach %s: %s", proxy.describe_host(base_url), reason)
            raise ServerError(
                proxy.unreachable_message(reason, base_url, provider.label, provider.url_setting),
                status=502,
                headers={"x-claude-proxy-error": "upstream-unreachable"},
            ) from None
        try:
            await self._relay(response, deadline, prepared)
        finally:
            await response.aclose()

    async def _relay(self, response: httpx.Response, deadline: float, prepared: Prepared) -> None:
        cfg = self.proxy_config
        self.set_status(response.status_code)
        for name, value in proxy.downstream_response_headers(response.headers.multi_items(), cfg.secrets):
            self.set_header(name, value)
        content_type = response.headers.get("content-type", "application/json")
        ok = 200 <= response.status_code < 300
        decoder = prepared.decoder() if prepared.decoder and ok else None
        if decoder is not None:
            content_type = prepared.content_type or content_type
            self.set_header("content-type", content_type)
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())

        if not 200 <= response.status_code < 300:
            # Error bodies are small; read them whole so credentials can be scrubbed out.
            try:
                raw = await asyncio.wait_for(response.aread(), remaining)
            except (httpx.HTTPError, asyncio.TimeoutError):
                raw = b""
            # Each provider says its refusals in the Messages API's shape (Bedrock's and Google's differ).
            status, raw, headers = self.state.provider.error_reply(response.status_code, response.headers, raw)
            self.set_status(status)
            content_type = headers.pop("content-type", content_type)
            for name, value in headers.items():
                self.set_header(name, proxy.scrub_text(value, cfg.secrets))
            self.finish(proxy.scrub_bytes(raw, cfg.secrets), set_content_type=content_type)
            return

        streaming = proxy.is_event_stream(content_type)
        if streaming:
            self.set_header("Cache-Control", "no-cache")
            self.set_header("X-Accel-Buffering", "no")  # stop reverse proxies (nginx) from buffering SSE
        # 2xx bodies are scrubbed too (a gateway may echo the key into a stream), chunk by chunk.
        scrubber = proxy.StreamScrubber(cfg.secrets)
        self._pump = asyncio.ensure_future(self._copy_body(response, scrubber, decoder))
        try:
            await asyncio.wait_for(self._pump, remaining)
        except asyncio.CancelledError:
            if not self._client_gone:
                raise
            return
        except (httpx.HTTPError, asyncio.TimeoutError) as exc:
            self.log.warning("Claude proxy: upstream stream ended early: %s", type(exc).__name__)
            try:
                self.write(scrubber.flush())  # what was held back, before the error event
                if streaming:
                    self.write(proxy.sse_error_event())
            except RuntimeError:
                pass
        except StreamClosedError:
            return
        self.finish(set_content_type=content_type)

    async def _copy_body(
        self, response: httpx.Response, scrubber: proxy.StreamScrubber, decoder: StreamDecoder | None = None
    ) -> None:
        # No buffering: each upstream chunk (an SSE event, usually) is flushed as it arrives;
        # the scrubber holds back only a tail that could be the start of a credential.
        # aiter_bytes (not raw): if an upstream compresses anyway, what is scrubbed is what is sent.
        # A decoder (Bedrock's event stream) turns the chunks into the SSE the browser reads first.
        async for chunk in self._decoded(response, decoder):
            if self.admission is not None:
                self.admission.feed(chunk)
            out = scrubber.feed(chunk)
            if out:
                self.write(out)
                await self.flush()
        tail = scrubber.flush()
        if tail:
            self.write(tail)

    @staticmethod
    async def _decoded(response: httpx.Response, decoder: StreamDecoder | None):
        async for chunk in response.aiter_bytes():
            out = decoder.feed(chunk) if decoder is not None else chunk
            if out:
                yield out
        if decoder is not None:
            tail = decoder.flush()
            if tail:
                yield tail


class MessagesHandler(ProxyHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        self.admission = self.settings["claude_policy"].admit(self, self.request.body)
        await self.forward("POST", "v1/messages", filter_query(self.request.query, ("beta",)))

    def on_finish(self) -> None:
        self._admitted_done()

    def on_connection_close(self) -> None:
        super().on_connection_close()
        self._admitted_done()

    def _admitted_done(self) -> None:
        if self.admission is not None:
            self.admission.done(self.get_status(), self._headers.get("request-id", ""), stopped=self._client_gone)


class CountTokensHandler(ProxyHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        await self.forward("POST", "v1/messages/count_tokens", filter_query(self.request.query, ("beta",)))


class ModelsHandler(ProxyHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        query = filter_query(self.request.query, ("limit", "after_id", "before_id", "beta"))
        await self.forward("GET", "v1/models", query)


class ModelHandler(ProxyHandler):
    @tornado.web.authenticated
    async def get(self, model_id: str) -> None:
        await self.forward("GET", proxy.model_path(model_id), filter_query(self.request.query, ("beta",)))


class StatusHandler(ClaudeHandler):
    """Whether the server can talk to Claude; never reveals the key or the upstream URL."""

    @tornado.web.authenticated
    async def get(self) -> None:
        from . import __version__

        self.finish(json.dumps({"key_configured": self.proxy_config.has_credentials, "version": __version__}))


class FilesHandler(ClaudeHandler):
    """Read-only file tools under the Jupyter root.

    Authorised like the contents API (resource ``contents``, action ``read``), so a server
    whose authorizer denies reading files denies these too.
    """

    auth_resource = "contents"
    disk_failure = ("Claude file tools", "read that path")

    async def run_tool(self, fn: Any, path: str, **kwargs: Any) -> None:
        """Answer ``fn(root, path, **kwargs)`` under the configured hidden-file and secret rules."""
        self.settings["claude_policy"].policy.check_files()
        root = self.jupyter_root("no files can be read")
        config = self.proxy_config
        rules = files.SecretRules(config.secret_file_patterns)
        result = await self.off_loop(fn, root, path, allow_hidden=config.allow_hidden_files, rules=rules, **kwargs)
        self.finish(json.dumps(result))


class FilesListHandler(FilesHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        await self.run_tool(files.list_dir, self.get_query_argument("path", ""))


class FilesHeadHandler(FilesHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        lines = files.parse_int(self.get_query_argument("lines", None), "lines", files.DEFAULT_LINES, files.MAX_LINES)
        max_bytes = files.parse_int(
            self.get_query_argument("max_bytes", None), "max_bytes", files.DEFAULT_MAX_BYTES, files.MAX_MAX_BYTES
        )
        path = self.get_query_argument("path", "")
        if not path.strip():
            raise BadRequest("Give the 'path' of a file relative to the Jupyter root.")
        await self.run_tool(files.head_file, path, lines=lines, max_bytes=max_bytes)


class ConversationsHandler(ClaudeHandler):
    """Saved conversations of a notebook; authorised like the contents API (read / write)."""

    auth_resource = "contents"
    disk_failure = ("Claude conversations", "save or read that conversation")

    @property
    def notebook(self) -> str:
        return self.get_query_argument("notebook", "")

    async def run_store(self, fn: Callable[..., T], *args: Any, lock: str | None = None, **kwargs: Any) -> T:
        """``fn(store, *args, **kwargs)`` off the loop, holding conversation ``lock``'s file lock if given."""
        store = self.state.conversations.folder(self.jupyter_root("conversations cannot be saved"))
        if lock is None:
            return await self.off_loop(fn, store, *args, **kwargs)
        path = conversations.conversation_file(store, self.notebook, lock)
        async with self.state.conversations.writing(path):
            return await self.off_loop(fn, store, *args, **kwargs)


class ConversationsListHandler(ConversationsHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        found = await self.run_store(conversations.list_conversations, self.notebook)
        self.finish(json.dumps({"conversations": found}))


class ConversationHandler(ConversationsHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, conversation_id: str) -> None:
        self.finish(json.dumps(await self.run_store(conversations.read_conversation, self.notebook, conversation_id)))

    @tornado.web.authenticated
    @authorized
    async def put(self, conversation_id: str) -> None:
        limit = self.proxy_config.max_request_bytes
        if len(self.request.body) > limit:
            raise TooLarge(proxy.request_too_large_message(len(self.request.body), limit))
        body = conversations.parse_body(self.request.body)
        saved = await self.run_store(
            conversations.save_conversation,
            self.notebook,
            conversation_id,
            body,
            lock=conversation_id,
            secrets=self.proxy_config.secrets,
        )
        self.finish(json.dumps(saved))

    @tornado.web.authenticated
    @authorized
    async def delete(self, conversation_id: str) -> None:
        await self.run_store(conversations.delete_conversation, self.notebook, conversation_id, lock=conversation_id)
        self.set_status(204)
        self.finish()


class NotFoundHandler(ClaudeHandler):
    """Everything else under ``claude/``: arbitrary paths are never forwarded."""

    def _not_found(self, *args: Any) -> None:
        raise tornado.web.HTTPError(404)

    get = tornado.web.authenticated(_not_found)
    post = tornado.web.authenticated(_not_found)
    put = tornado.web.authenticated(_not_found)
    patch = tornado.web.authenticated(_not_found)
    delete = tornado.web.authenticated(_not_found)
    head = tornado.web.authenticated(_not_found)


def setup_handlers(web_app: Any, config: ClaudeProxy) -> ProxyState:
    """Register the ``claude/`` routes under the server's base URL."""
    state = ProxyState(config)
    base = url_path_join(web_app.settings["base_url"], "claude")
    args = {"state": state}
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "v1", "messages"), MessagesHandler, args),
            (url_path_join(base, "v1", "messages", "count_tokens"), CountTokensHandler, args),
            (url_path_join(base, "v1", "models"), ModelsHandler, args),
            (url_path_join(base, "v1", "models", f"({MODEL_ID_PATTERN})"), ModelHandler, args),
            (url_path_join(base, "status"), StatusHandler, args),
            (url_path_join(base, "files", "list"), FilesListHandler, args),
            (url_path_join(base, "files", "head"), FilesHeadHandler, args),
            (url_path_join(base, "conversations"), ConversationsListHandler, args),
            (url_path_join(base, "conversations", "([^/]+)"), ConversationHandler, args),
            (url_path_join(base, "(.*)"), NotFoundHandler, args),
        ],
    )
    return state
