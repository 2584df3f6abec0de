"""What the proxy asks of a provider, and the answers every provider shares.

The browser speaks the Messages API to ``claude/v1/...``; a provider turns each call into the
upstream request (URL, body, signature) and, where the upstream speaks differently, its answer
back into the Messages API's: Bedrock's event stream into SSE, a cloud's error body into
``{"type": "error", ...}``. Calls the upstream cannot answer (Bedrock has no models endpoint
and no token counting) are answered here, from configuration, and say so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from .. import proxy
from ..errors import BadRequest, ClaudeError, Missing

if TYPE_CHECKING:
    from ..config import ClaudeProxy

MESSAGES = "v1/messages"
COUNT_TOKENS = "v1/messages/count_tokens"
MODELS = "v1/models"
MODEL_PREFIX = "v1/models/"

#: The Messages API's status and type for a refusal by HTTP status alone.
BY_STATUS = {401: (401, "authentication_error"), 403: (403, "permission_error"), 429: (429, "rate_limit_error")}


def by_status(status: int) -> tuple[int, str]:
    return BY_STATUS.get(status, (status, "api_error" if status >= 500 else "invalid_request_error"))


#: Marks a token count this server estimated (the upstream cannot count): a header and a body field.
ESTIMATED_HEADER = "x-claude-token-count"

#: Characters per token of the estimate: English prose and code run at 3.5-4; JSON's quoting and
#: keys at less, so a lower figure keeps the estimate on the safe (high) side.
CHARS_PER_TOKEN = 3.5


class StreamDecoder(Protocol):
    """Turns a 2xx body, chunk by chunk, into the Messages API's SSE bytes."""

    def feed(self, chunk: bytes) -> bytes: ...

    def flush(self) -> bytes:
        """What is left at the end; an unfinished frame becomes a final error event."""
        ...


@dataclass
class Answer:
    """A reply made by the server itself, without asking the upstream."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class Prepared:
    """What to send upstream, and how to read its 2xx body (None: as is)."""

    request: httpx.Request
    decoder: Callable[[], StreamDecoder] | None = None
    #: The content type the browser gets for a decoded body.
    content_type: str | None = None


class Provider:
    """The Anthropic API itself; the other providers change what differs."""

    name = "anthropic"
    #: Who answers, in messages to the scientist.
    label = "the Claude API"
    #: What to check when the upstream cannot be reached.
    url_setting = "ANTHROPIC_BASE_URL"

    def __init__(self, config: ClaudeProxy):
        self.config = config

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def check(self) -> None:
        """Refuse before anything is sent when the provider cannot work as configured."""
        if not (self.config.api_key or self.config.auth_token):
            raise ClaudeError(
                proxy.NO_KEY_MESSAGE,
                status=401,
                error_type="authentication_error",
                headers={"x-should-retry": "false", "x-claude-proxy-error": "no-api-key"},
            )

    async def prepare(
        self,
        client: httpx.AsyncClient,
        method: str,
        path: str,
        query: str,
        browser_headers: Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> Prepared | Answer:
        if self.config.models and (path == MODELS or path.startswith(MODEL_PREFIX)):
            return models_answer(self.config.models, path)
        cfg = self.config
        headers = proxy.upstream_request_headers(browser_headers, cfg.api_key, cfg.auth_token)
        headers.update(lower_keys(cfg.extra_headers))  # the admin's word wins over the browser's
        url = proxy.upstream_url(cfg.base_url, path, query)
        return Prepared(client.build_request(method, url, headers=headers, content=body))

    def error_reply(self, status: int, headers: Mapping[str, str], raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        """An upstream error as the browser gets it: status, body, headers to add. As is, here."""
        return status, raw, {}

    def close(self) -> None:
        pass


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names lower-cased; ones that would confuse the framing are dropped."""
    return {
        k.lower(): v for k, v in headers.items() if k.lower() not in ("host", "content-length", "transfer-encoding")
    }


def json_answer(status: int, value: Any, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, json.dumps(value).encode(), dict(headers or {}))


def parse_body(body: bytes | None) -> dict[str, Any]:
    """The request's JSON object; anything else is refused plainly."""
    try:
        value = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not JSON.") from None
    if not isinstance(value, dict):
        raise BadRequest("The request body must be a JSON object.")
    return value


def request_model(data: dict[str, Any]) -> str:
    model = data.get("model")
    if not isinstance(model, str) or not model.strip():
        raise BadRequest("model: Field required (a model id, e.g. one of c.ClaudeProxy.models).")
    if model.partition(";")[0] in (".", "..") or any(ord(c) < 0x20 or c in "?#" for c in model):
        raise BadRequest(f"model: {model!r} is not a model id.")
    return model


def models_answer(ids: list[str], path: str) -> Answer:
    """``GET v1/models`` (one page, all of them) or ``v1/models/{id}`` from the configured list."""

    def entry(model_id: str) -> dict[str, Any]:
        return {"type": "model", "id": model_id, "display_name": model_id, "created_at": "1970-01-01T00:00:00Z"}

    if path.startswith(MODEL_PREFIX):
        from urllib.parse import unquote

        wanted = unquote(path[len(MODEL_PREFIX) :])
        if wanted not in ids:
            raise Missing(f"model: {wanted} is not one of the models this server offers (c.ClaudeProxy.models).")
        return json_answer(200, entry(wanted))
    data = [entry(i) for i in ids]
    return json_answer(
        200,
        {"data": data, "has_more": False, "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None},
    )


def estimate_input_tokens(data: dict[str, Any]) -> int:
    """An estimate of the request's input tokens, from the length of what would be sent."""
    counted = {k: data[k] for k in ("system", "messages", "tools", "tool_choice", "thinking") if k in data}
    text = json.dumps(counted, ensure_ascii=False, separators=(",", ":"))
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


def estimated_count_answer(body: bytes | None, who: str) -> Answer:
    """``count_tokens`` where the upstream cannot count: an estimate, marked as one in body and header."""
    data = parse_body(body)
    request_model(data)
    count = estimate_input_tokens(data)
    return json_answer(
        200,
        {
            "input_tokens": count,
            "estimated": True,
            "note": f"{who} cannot count tokens: the server estimated them ({CHARS_PER_TOKEN:g} characters a token).",
        },
        {ESTIMATED_HEADER: "estimated"},
    )


def anthropic_error(status: int, error_type: str, message: str, headers: dict[str, str] | None = None):
    """An upstream refusal rephrased in the Messages API's shape."""
    body = proxy.error_json(error_type, message).encode()
    return status, body, {"content-type": "application/json", **(headers or {})}
