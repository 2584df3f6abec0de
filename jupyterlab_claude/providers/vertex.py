"""Google Vertex AI: ``rawPredict`` / ``streamRawPredict`` with an application-default credentials token.

As the official SDK's ``AnthropicVertex`` sends it: the model goes in the URL
(``.../publishers/anthropic/models/{model}:streamRawPredict``), the body keeps the rest and gets
``anthropic_version``; token counting is ``.../models/count-tokens:rawPredict``. The answer is
the Messages API's own SSE. The token comes from google-auth's ``google.auth.default()`` (a
service-account file, workload identity, gcloud's application-default login, the metadata server)
and is refreshed by google-auth when it expires.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from .. import proxy
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
    lower_keys,
    models_answer,
    parse_body,
    request_model,
)
from .bedrock import anthropic_version

LABEL = "Google Vertex AI"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"

#: Google's error statuses -> (HTTP status the Anthropic API would use, its error type).
GOOGLE_ERRORS = {
    "UNAUTHENTICATED": (401, "authentication_error"),
    "PERMISSION_DENIED": (403, "permission_error"),
    "RESOURCE_EXHAUSTED": (429, "rate_limit_error"),
    "NOT_FOUND": (404, "not_found_error"),
    "INVALID_ARGUMENT": (400, "invalid_request_error"),
    "FAILED_PRECONDITION": (400, "invalid_request_error"),
    "UNAVAILABLE": (529, "overloaded_error"),
    "DEADLINE_EXCEEDED": (504, "timeout_error"),
    "INTERNAL": (500, "api_error"),
}


def default_base_url(region: str) -> str:
    """The endpoint the SDK uses for a region."""
    if region == "global":
        return "https://aiplatform.googleapis.com/v1"
    if region in ("us", "eu"):
        return f"https://aiplatform.{region}.rep.googleapis.com/v1"
    return f"https://{region}-aiplatform.googleapis.com/v1"


def model_url(base_url: str, project: str, region: str, model: str, stream: bool) -> str:
    specifier = "streamRawPredict" if stream else "rawPredict"
    segment = quote(model, safe="!$&'()*+,=:@").replace(";", "%3B")
    return f"{_location(base_url, project, region)}/publishers/anthropic/models/{segment}:{specifier}"


def count_tokens_url(base_url: str, project: str, region: str) -> str:
    return f"{_location(base_url, project, region)}/publishers/anthropic/models/count-tokens:rawPredict"


def _location(base_url: str, project: str, region: str) -> str:
    return f"{base_url.rstrip('/')}/projects/{quote(project, safe='')}/locations/{quote(region, safe='')}"


class VertexProvider(Provider):
    name = "vertex"
    label = LABEL
    url_setting = "c.ClaudeProxy.vertex_region (or vertex_base_url)"

    def __init__(self, config: Any):
        super().__init__(config)
        self._credentials: Any = None
        self._project = config.vertex_project
        self._lock = threading.Lock()

    @property
    def region(self) -> str:
        return self.config.vertex_region

    @property
    def base_url(self) -> str:
        return self.config.vertex_base_url or default_base_url(self.region or "global")

    def check(self) -> None:
        if not self.region:
            raise ServerError(
                "Google Vertex AI needs a region: set c.ClaudeProxy.vertex_region (or CLOUD_ML_REGION) in the "
                "Jupyter server's configuration, then restart it.",
                headers={"x-should-retry": "false", "x-claude-proxy-error": "no-region"},
            )

    def _token(self) -> str:
        """A current access token (and the project); blocking: run off the loop."""
        import google.auth
        import google.auth.transport.requests

        with self._lock:
            if self._credentials is None:
                credentials, project = google.auth.default(scopes=[SCOPE])
                self._credentials = credentials
                self._project = self._project or project or ""
            if not self._credentials.valid:
                self._credentials.refresh(google.auth.transport.requests.Request())
            token = self._credentials.token
        if not token:
            raise RuntimeError("the credentials gave no access token")
        self.config.remember_secret(token)
        return token

    async def _authorization(self) -> str:
        try:
            token = await asyncio.get_running_loop().run_in_executor(None, self._token)
        except Exception as exc:  # google.auth.exceptions.DefaultCredentialsError, RefreshError, ...
            raise ClaudeError(
                f"The Google credentials for Vertex AI could not be loaded ({type(exc).__name__}: "
                f"{proxy.scrub_text(str(exc), self.config.secrets)}). Give the Jupyter server application-default "
                "credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity, or gcloud auth "
                "application-default login), then restart it.",
                status=401,
                error_type="authentication_error",
                headers={"x-should-retry": "false", "x-claude-proxy-error": "no-google-credentials"},
            ) from None
        if not self._project:
            raise ServerError(
                "Google Vertex AI needs a project: set c.ClaudeProxy.vertex_project (or ANTHROPIC_VERTEX_PROJECT_ID).",
                headers={"x-should-retry": "false", "x-claude-proxy-error": "no-project"},
            )
        return f"Bearer {token}"

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
        if path not in (MESSAGES, COUNT_TOKENS):  # pragma: no cover - the routes are fixed
            raise ServerError(f"{LABEL} does not offer {path}.", status=404, error_type="not_found_error")
        data = parse_body(body)
        model = request_model(data)
        data.setdefault("anthropic_version", anthropic_version())
        authorization = await self._authorization()
        if path == MESSAGES:
            data.pop("model")
            url = model_url(self.base_url, self._project, self.region, model, bool(data.get("stream")))
        else:
            url = count_tokens_url(self.base_url, self._project, self.region)
        headers = {**lower_keys(self.config.extra_headers), **proxy.upstream_request_headers(browser_headers)}
        headers["content-type"] = "application/json"
        headers["authorization"] = authorization
        return Prepared(client.build_request("POST", url, headers=headers, content=json.dumps(data).encode()))

    def error_reply(self, status: int, headers: Mapping[str, str], raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        """Google's ``{"error": {"code", "message", "status"}}`` as the Messages API's error; the
        model's own errors (already in the Messages API's shape) as they are."""
        try:
            detail = json.loads(raw or b"{}")
        except ValueError:
            detail = None
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            detail = detail[0]  # some Google front ends wrap the error in a list
        if isinstance(detail, dict) and detail.get("type") == "error":
            return status, raw, {}
        error = detail.get("error") if isinstance(detail, dict) else None
        error = error if isinstance(error, dict) else {}
        google_status = str(error.get("status") or "")
        text = str(error.get("message") or "").strip() or raw[:300].decode("utf-8", "replace").strip()
        new_status, error_type = GOOGLE_ERRORS.get(google_status) or by_status(status)
        name = google_status or f"HTTP {status}"
        message = f"{LABEL} refused the request ({name}): {text or 'no details given'}"
        retry = "true" if new_status in (429, 529) else "false"
        return anthropic_error(new_status, error_type, message, {"x-should-retry": retry})
