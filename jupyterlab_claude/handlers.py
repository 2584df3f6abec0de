"""Tornado handlers that forward the browser's Claude API calls with the server's key."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, Optional
from urllib.parse import parse_qsl, urlencode

import httpx
import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.iostream import StreamClosedError

from . import conversations, files, proxy
from .config import ClaudeProxy
from .errors import ClaudeError, Refused
from .store import ConversationStore

#: Model ids as the API issues them; anything else under claude/v1/models/ is a 404.
MODEL_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:@-]*"


def filter_query(query: str, allowed: tuple) -> str:
    """Keep only known API query parameters (the page's ``?token=`` must not travel upstream)."""
    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in allowed])


class ProxyState:
    """The configuration and the one shared upstream HTTP client."""

    def __init__(self, config: ClaudeProxy):
        self.config = config
        self.conversations = ConversationStore(config)
        self._client: Optional[httpx.AsyncClient] = None

    @property
    def client(self) -> httpx.AsyncClient:
        # Created lazily so it binds to the server's running event loop.
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.config.request_timeout, connect=self.config.connect_timeout),
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class ClaudeBaseHandler(APIHandler):
    """Shared plumbing: error replies in the API's shape and the forwarding loop."""

    def initialize(self, state: ProxyState) -> None:
        self.state = state
        self._pump: Optional[asyncio.Future] = None
        self._client_gone = False

    @property
    def proxy_config(self) -> ClaudeProxy:
        return self.state.config

    def send_api_error(self, status: int, error_type: str, message: str, headers: Optional[Dict[str, str]] = None) -> None:
        self.set_status(status)
        for name, value in (headers or {}).items():
            self.set_header(name, value)
        self.finish(proxy.error_json(error_type, message))

    def on_connection_close(self) -> None:
        # The browser stopped (e.g. the Stop button): stop reading upstream so the answer is cancelled there too.
        self._client_gone = True
        if self._pump is not None and not self._pump.done():
            self._pump.cancel()
        super().on_connection_close()

    async def forward(self, method: str, path: str, query: str = "") -> None:
        """Send this request to ``path`` of the configured API and relay the answer."""
        cfg = self.proxy_config
        if not cfg.has_credentials:
            self.send_api_error(
                401,
                "authentication_error",
                proxy.NO_KEY_MESSAGE,
                {"x-should-retry": "false", "x-claude-proxy-error": "no-api-key"},
            )
            return
        body = self.request.body if method == "POST" else None
        if body is not None and len(body) > cfg.max_request_bytes:
            self.send_api_error(
                413,
                "request_too_large",
                proxy.request_too_large_message(len(body), cfg.max_request_bytes),
                {"x-should-retry": "false", "x-claude-proxy-error": "request-too-large"},
            )
            return

        loop = asyncio.get_running_loop()
        deadline = loop.time() + cfg.request_timeout
        client = self.state.client
        try:
            request = client.build_request(
                method,
                proxy.upstream_url(cfg.base_url, path, query),
                headers=proxy.upstream_request_headers(self.request.headers.get_all(), cfg.api_key, cfg.auth_token),
                content=body,
            )
            response = await asyncio.wait_for(client.send(request, stream=True), cfg.request_timeout)
        except (httpx.TimeoutException, asyncio.TimeoutError):
            self.log.warning("Claude proxy: %s timed out before answering", proxy.describe_host(cfg.base_url))
            self.send_api_error(
                504,
                "api_error",
                proxy.timeout_message(cfg.request_timeout, cfg.base_url),
                {"x-claude-proxy-error": "upstream-timeout"},
            )
            return
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            reason = proxy.connect_error_reason(exc)
            self.log.warning("Claude proxy: cannot reach %s: %s", proxy.describe_host(cfg.base_url), reason)
            self.send_api_error(
                502,
                "api_error",
                proxy.unreachable_message(reason, cfg.base_url),
                {"x-claude-proxy-error": "upstream-unreachable"},
            )
            return
        try:
            await self._relay(response, deadline)
        finally:
            await response.aclose()

    async def _relay(self, response: httpx.Response, deadline: float) -> None:
        cfg = self.proxy_config
        self.set_status(response.status_code)
        for name, value in proxy.downstream_response_headers(response.headers.multi_items(), cfg.secrets):
            self.set_header(name, value)
        content_type = response.headers.get("content-type", "application/json")
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())

        if not 200 <= response.status_code < 300:
            # Error bodies are small; read them whole so credentials can be scrubbed out.
            try:
                raw = await asyncio.wait_for(response.aread(), remaining)
            except (httpx.HTTPError, asyncio.TimeoutError):
                raw = b""
            self.finish(proxy.scrub_bytes(raw, cfg.secrets), set_content_type=content_type)
            return

        streaming = proxy.is_event_stream(content_type)
        if streaming:
            self.set_header("Cache-Control", "no-cache")
            self.set_header("X-Accel-Buffering", "no")  # stop reverse proxies (nginx) from buffering SSE
        # 2xx bodies are scrubbed too (a gateway may echo the key into a stream), chunk by chunk.
        scrubber = proxy.StreamScrubber(cfg.secrets)
        self._pump = asyncio.ensure_future(self._copy_body(response, scrubber))
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

    async def _copy_body(self, response: httpx.Response, scrubber: proxy.StreamScrubber) -> None:
        # No buffering: each upstream chunk (an SSE event, usually) is flushed as it arrives;
        # the scrubber holds back only a tail that could be the start of a credential.
        # aiter_bytes (not raw): if an upstream compresses anyway, what is scrubbed is what is sent.
        async for chunk in response.aiter_bytes():
            out = scrubber.feed(chunk)
            if out:
                self.write(out)
                await self.flush()
        tail = scrubber.flush()
        if tail:
            self.write(tail)


class MessagesHandler(ClaudeBaseHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        await self.forward("POST", "v1/messages", filter_query(self.request.query, ("beta",)))


class CountTokensHandler(ClaudeBaseHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        await self.forward("POST", "v1/messages/count_tokens", filter_query(self.request.query, ("beta",)))


class ModelsHandler(ClaudeBaseHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        query = filter_query(self.request.query, ("limit", "after_id", "before_id", "beta"))
        await self.forward("GET", "v1/models", query)


class ModelHandler(ClaudeBaseHandler):
    @tornado.web.authenticated
    async def get(self, model_id: str) -> None:
        await self.forward("GET", proxy.model_path(model_id), filter_query(self.request.query, ("beta",)))


class StatusHandler(ClaudeBaseHandler):
    """Whether the server can talk to Claude; never reveals the key or the upstream URL."""

    @tornado.web.authenticated
    async def get(self) -> None:
        from . import __version__

        self.finish(json.dumps({"key_configured": self.proxy_config.has_credentials, "version": __version__}))


class FilesBaseHandler(APIHandler):
    """Read-only file tools under the Jupyter root; errors as ``{"type": "error", "error": {...}}``.

    Authorised like the contents API (resource ``contents``, action ``read``), so a server
    whose authorizer denies reading files denies these too.
    """

    auth_resource = "contents"

    def initialize(self, state: ProxyState) -> None:
        self.state = state

    @property
    def files_root(self) -> str:
        root = getattr(self.contents_manager, "root_dir", None) or self.settings.get("server_root_dir")
        if not root:
            raise Refused("The Jupyter server has no root folder, so no files can be read.")
        return root

    async def run_tool(self, fn: Any, path: str, **kwargs: Any) -> None:
        """Run ``fn(root, path, **kwargs)`` off the event loop (a slow disk must not stall the server)."""
        try:
            root = self.files_root
            result = await asyncio.get_running_loop().run_in_executor(None, lambda: fn(root, path, **kwargs))
        except ClaudeError as exc:
            self.set_status(exc.status)
            self.finish(proxy.error_json(exc.error_type, exc.message))
            return
        except OSError as exc:
            self.log.warning("Claude file tools: %s failed: %s", fn.__name__, type(exc).__name__)
            self.set_status(500)
            self.finish(proxy.error_json("api_error", f"The server could not read that path ({type(exc).__name__})."))
            return
        self.finish(json.dumps(result))


class FilesListHandler(FilesBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        await self.run_tool(
            files.list_dir,
            self.get_query_argument("path", ""),
            allow_hidden=self.state.config.allow_hidden_files,
            rules=files.SecretRules(self.state.config.secret_file_patterns),
        )


class FilesHeadHandler(FilesBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        try:
            lines = files.parse_int(self.get_query_argument("lines", None), "lines", files.DEFAULT_LINES, files.MAX_LINES)
            max_bytes = files.parse_int(
                self.get_query_argument("max_bytes", None), "max_bytes", files.DEFAULT_MAX_BYTES, files.MAX_MAX_BYTES
            )
        except ClaudeError as exc:
            self.set_status(exc.status)
            self.finish(proxy.error_json(exc.error_type, exc.message))
            return
        path = self.get_query_argument("path", "")
        if not path.strip():
            self.set_status(400)
            self.finish(proxy.error_json("invalid_request_error", "Give the 'path' of a file relative to the Jupyter root."))
            return
        await self.run_tool(
            files.head_file,
            path,
            lines=lines,
            max_bytes=max_bytes,
            allow_hidden=self.state.config.allow_hidden_files,
            rules=files.SecretRules(self.state.config.secret_file_patterns),
        )


class ConversationsBaseHandler(APIHandler):
    """Saved conversations of a notebook; authorised like the contents API (read / write)."""

    auth_resource = "contents"

    def initialize(self, state: ProxyState) -> None:
        self.state = state

    @property
    def store(self) -> str:
        root = getattr(self.contents_manager, "root_dir", None) or self.settings.get("server_root_dir")
        if not root:
            raise Refused("The Jupyter server has no root folder, so conversations cannot be saved.")
        return self.state.conversations.folder(root)

    async def run_store(self, fn: Any, *args: Any, lock: Optional[str] = None, status: int = 200, **kwargs: Any) -> None:
        """Run a store function off the event loop, holding the conversation's lock if given."""
        loop = asyncio.get_running_loop()
        try:
            store = self.store
            if lock is not None:
                path = conversations.conversation_file(store, self.get_query_argument("notebook", ""), lock)
                async with self.state.conversations.moving:
                    pass  # a rename being followed finishes first
                async with self.state.conversations.lock(path):
                    result = await loop.run_in_executor(None, lambda: fn(store, *args, **kwargs))
            else:
                result = await loop.run_in_executor(None, lambda: fn(store, *args, **kwargs))
        except ClaudeError as exc:
            self.set_status(exc.status)
            self.finish(proxy.error_json(exc.error_type, exc.message))
            return
        except OSError as exc:
            self.log.warning("Claude conversations: %s failed: %s", fn.__name__, type(exc).__name__)
            self.set_status(500)
            self.finish(proxy.error_json("api_error", f"The server could not save or read that conversation ({type(exc).__name__})."))
            return
        self.set_status(status)
        if status == 204:
            self.finish()
        else:
            self.finish(json.dumps(result))


class ConversationsListHandler(ConversationsBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        notebook = self.get_query_argument("notebook", "")
        await self.run_store(lambda store: {"conversations": conversations.list_conversations(store, notebook)})


class ConversationHandler(ConversationsBaseHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, conversation_id: str) -> None:
        notebook = self.get_query_argument("notebook", "")
        await self.run_store(conversations.read_conversation, notebook, conversation_id)

    @tornado.web.authenticated
    @authorized
    async def put(self, conversation_id: str) -> None:
        limit = self.state.config.max_request_bytes
        if len(self.request.body) > limit:
            self.set_status(413)
            self.finish(proxy.error_json("request_too_large", proxy.request_too_large_message(len(self.request.body), limit)))
            return
        try:
            body = conversations.parse_body(self.request.body)
        except ClaudeError as exc:
            self.set_status(exc.status)
            self.finish(proxy.error_json(exc.error_type, exc.message))
            return
        notebook = self.get_query_argument("notebook", "")
        await self.run_store(
            conversations.save_conversation,
            notebook,
            conversation_id,
            body,
            lock=conversation_id,
            secrets=self.state.config.secrets,
        )

    @tornado.web.authenticated
    @authorized
    async def delete(self, conversation_id: str) -> None:
        notebook = self.get_query_argument("notebook", "")
        await self.run_store(conversations.delete_conversation, notebook, conversation_id, lock=conversation_id, status=204)


class NotFoundHandler(ClaudeBaseHandler):
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
