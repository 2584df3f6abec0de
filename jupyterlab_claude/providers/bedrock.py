"""Amazon Bedrock: ``InvokeModel`` / ``InvokeModelWithResponseStream``, signed with botocore's SigV4.

The request is the Messages API's body without ``model`` and ``stream`` (the model goes in the
URL, the stream in the action) and with ``anthropic_version``, as the official SDK's
``AnthropicBedrock`` sends it. Credentials: a Bedrock API key (``AWS_BEARER_TOKEN_BEDROCK``) as
a bearer token, else botocore's standard chain (the keys this extension took from the
environment, then the profile, the container or instance role). Bedrock cannot list models or
count tokens: the list is ``c.ClaudeProxy.models``, the count is estimated and says so.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from ..errors import ClaudeError, ServerError
from .base import (
    COUNT_TOKENS,
    MESSAGES,
    MODEL_PREFIX,
    MODELS,
    Answer,
    Prepared,
    Provider,
    anthropic_error,
    by_status,
    estimated_count_answer,
    lower_keys,
    models_answer,
    parse_body,
    request_model,
)
from .eventstream import LABEL, EventStreamToSSE, bedrock_error

#: The event stream's content type.
EVENT_STREAM = "application/vnd.amazon.eventstream"


def anthropic_version() -> str:
    """The body's ``anthropic_version``: the one the installed official SDK sends to Bedrock."""
    try:
        from anthropic._constants import ANTHROPIC_API_VERSION

        return ANTHROPIC_API_VERSION
    except ImportError:  # pragma: no cover - the [bedrock] extra installs it
        return "bedrock-2023-05-31"


def invoke_path(model: str, stream: bool) -> str:
    """``/model/{id}/invoke[-with-response-stream]``, the id quoted as the SDK quotes it (an ARN's ``/`` too)."""
    action = "invoke-with-response-stream" if stream else "invoke"
    return f"/model/{quote(model, safe=':;')}/{action}"


class BedrockProvider(Provider):
    name = "bedrock"
    label = LABEL
    url_setting = "c.ClaudeProxy.aws_region (or bedrock_base_url)"

    def __init__(self, config: Any):
        super().__init__(config)
        self._session: Any = None
        self._credentials: Any = None
        self._lock = threading.Lock()

    # -- configuration -----------------------------------------------------------------

    def _botocore_session(self) -> Any:
        import botocore.session

        if self._session is None:
            session = botocore.session.Session(profile=self.config.aws_profile or None)
            self._session = session
        return self._session

    @property
    def region(self) -> str:
        if self.config.aws_region:
            return self.config.aws_region
        try:
            return self._botocore_session().get_config_variable("region") or ""
        except Exception:  # a broken ~/.aws/config: said below as "no region"
            return ""

    @property
    def base_url(self) -> str:
        return self.config.bedrock_base_url or f"https://bedrock-runtime.{self.region}.amazonaws.com"

    def check(self) -> None:
        if not self.region and not self.config.bedrock_base_url:
            raise ServerError(
                "Amazon Bedrock needs an AWS region: set c.ClaudeProxy.aws_region (or AWS_REGION) in the "
                "Jupyter server's configuration, then restart it.",
                headers={"x-should-retry": "false", "x-claude-proxy-error": "no-region"},
            )

    def _resolve_credentials(self) -> Any:
        """botocore credentials (refreshable ones refresh themselves); blocking: run off the loop."""
        from botocore.credentials import Credentials

        with self._lock:
            if self._credentials is None:
                env = self.config._from_environment
                key, secret = env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")
                if key and secret:
                    self._credentials = Credentials(key, secret, env("AWS_SESSION_TOKEN") or None)
                else:
                    self._credentials = self._botocore_session().get_credentials()
            return self._credentials

    async def _sign(self, method: str, url: str, headers: dict[str, str], content: bytes) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        def sign() -> dict[str, str]:
            credentials = self._resolve_credentials()
            if credentials is None:
                raise ClaudeError(
                    "No AWS credentials were found for Amazon Bedrock. Give the Jupyter server a Bedrock API key "
                    "(AWS_BEARER_TOKEN_BEDROCK), AWS keys in its environment, a profile (c.ClaudeProxy.aws_profile) "
                    "or an instance role, then restart it.",
                    status=401,
                    error_type="authentication_error",
                    headers={"x-should-retry": "false", "x-claude-proxy-error": "no-aws-credentials"},
                )
            frozen = credentials.get_frozen_credentials()
            # Keys from a profile or a role are secrets too: scrubbed from replies like configured ones.
            self.config.remember_secret(frozen.secret_key)
            self.config.remember_secret(frozen.token or "")
            request = AWSRequest(method=method, url=url, headers=headers, data=content)
            SigV4Auth(frozen, "bedrock", self.region or "us-east-1").add_auth(request)
            return {k: v for k, v in request.headers.items() if v is not None}

        try:
            return await asyncio.get_running_loop().run_in_executor(None, sign)
        except ClaudeError:
            raise
        except Exception as exc:  # botocore: a profile that does not exist, an unreachable instance role
            raise ClaudeError(
                f"The AWS credentials for Amazon Bedrock could not be loaded ({type(exc).__name__}: {exc}).",
                status=401,
                error_type="authentication_error",
                headers={"x-should-retry": "false", "x-claude-proxy-error": "no-aws-credentials"},
            ) from None

    # -- requests ----------------------------------------------------------------------

    async def prepare(
        self,
        client: httpx.AsyncClient,
        method: str,
        path: str,
        query: str,
        browser_headers: Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> Prepared | Answer:
        if path == MODELS or path.startswith(MODEL_PREFIX):
            return models_answer(self.config.models, path)
        if path == COUNT_TOKENS:
            return estimated_count_answer(body, LABEL)
        if path != MESSAGES:  # pragma: no cover - the routes are fixed
            raise ServerError(f"{LABEL} does not offer {path}.", status=404, error_type="not_found_error")

        data = parse_body(body)
        model = request_model(data)
        data.pop("model")
        stream = bool(data.pop("stream", False))
        data.setdefault("anthropic_version", anthropic_version())
        browser = {k.lower(): v for k, v in browser_headers}
        betas = [b.strip() for b in browser.get("anthropic-beta", "").split(",") if b.strip()]
        if betas:
            data.setdefault("anthropic_beta", betas)
        content = json.dumps(data).encode()
        url = self.base_url.rstrip("/") + invoke_path(model, stream)

        headers = {
            **lower_keys(self.config.extra_headers),
            "content-type": "application/json",
            "accept": EVENT_STREAM if stream else "application/json",
        }
        if self.config.bedrock_bearer_token:
            headers["authorization"] = f"Bearer {self.config.bedrock_bearer_token}"
        else:
            headers = await self._sign("POST", url, headers, content)
        headers["accept-encoding"] = "identity"
        request = client.build_request("POST", url, headers=headers, content=content)
        if stream:
            return Prepared(request, decoder=EventStreamToSSE, content_type="text/event-stream; charset=utf-8")
        return Prepared(request)

    def error_reply(self, status: int, headers: Mapping[str, str], raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        """Bedrock's ``{"message": ...}`` with ``x-amzn-ErrorType`` as the Messages API's error."""
        code = headers.get("x-amzn-errortype", "")
        try:
            detail = json.loads(raw or b"{}")
        except ValueError:
            detail = {}
        if not isinstance(detail, dict):
            detail = {}
        if detail.get("type") == "error":  # already the Messages API's shape
            return status, raw, {}
        code = code or str(detail.get("__type", "")).rsplit("#", 1)[-1]
        text = str(detail.get("message") or detail.get("Message") or "").strip()
        mapped = bedrock_error(code) if code else None
        if mapped is None:
            mapped = by_status(status)
        new_status, error_type = mapped
        name = code.split(":", 1)[0] or f"HTTP {status}"
        message = f"{LABEL} refused the request ({name}): {text or 'no details given'}"
        extra = {"x-should-retry": "true" if new_status in (429, 529) else "false"}
        request_id = headers.get("x-amzn-requestid")
        if request_id:
            extra["request-id"] = request_id
        return anthropic_error(new_status, error_type, message, extra)
