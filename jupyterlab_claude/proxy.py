"""Pure helpers for the Claude API proxy: which headers cross, error bodies, scrubbing.

Nothing here does I/O, so each rule is unit-tested on its own.
"""

from __future__ import annotations

import json
from typing import Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote, urlsplit

#: Browser request headers forwarded to the API unchanged. Everything else stays
#: behind: notably the browser's own ``authorization`` (Jupyter's token), cookies,
#: any ``x-api-key`` the browser sends, and ``anthropic-dangerous-direct-browser-access``.
FORWARDED_REQUEST_HEADERS = ("anthropic-version", "anthropic-beta", "content-type", "accept")

#: Upstream response headers passed back to the browser.
RETURNED_RESPONSE_HEADERS = (
    "content-type",
    "retry-after",
    "retry-after-ms",
    "x-should-retry",
    "request-id",
)
RETURNED_RESPONSE_PREFIXES = ("anthropic-ratelimit-",)

NO_KEY_MESSAGE = (
    "No Anthropic API key is configured on this Jupyter server. Set the ANTHROPIC_API_KEY "
    "environment variable in the shell that starts JupyterLab (or c.ClaudeProxy.api_key in "
    "jupyter_server_config.py), then restart JupyterLab."
)
MID_STREAM_LOST_MESSAGE = "The connection to the Claude API was lost mid-answer."
REDACTED = "[redacted]"


def upstream_request_headers(
    browser_headers: Iterable[Tuple[str, str]], api_key: str = "", auth_token: str = ""
) -> Dict[str, str]:
    """Headers for the upstream request: the allow-listed browser ones plus the server's credential."""
    headers: Dict[str, str] = {}
    for name, value in browser_headers:
        if name.lower() in FORWARDED_REQUEST_HEADERS:
            headers[name.lower()] = value
    # Compressed bodies would have to be buffered to re-frame them; ask for plain bytes.
    headers["accept-encoding"] = "identity"
    if api_key:
        headers["x-api-key"] = api_key
    elif auth_token:
        headers["authorization"] = f"Bearer {auth_token}"
    return headers


def is_returned_header(name: str) -> bool:
    """Whether an upstream response header may be passed back to the browser."""
    lower = name.lower()
    return lower in RETURNED_RESPONSE_HEADERS or lower.startswith(RETURNED_RESPONSE_PREFIXES)


def downstream_response_headers(
    upstream_headers: Iterable[Tuple[str, str]], secrets: Iterable[str] = ()
) -> List[Tuple[str, str]]:
    """The allow-listed upstream response headers, with any secret scrubbed from values."""
    secrets = [s for s in secrets if s]
    out = []
    for name, value in upstream_headers:
        if is_returned_header(name):
            out.append((name.lower(), scrub_text(value, secrets)))
    return out


def error_body(error_type: str, message: str) -> Dict[str, object]:
    """An error in the shape the Messages API uses, so clients handle both alike."""
    return {"type": "error", "error": {"type": error_type, "message": message}}


def error_json(error_type: str, message: str) -> str:
    return json.dumps(error_body(error_type, message))


def sse_error_event(message: str = MID_STREAM_LOST_MESSAGE, error_type: str = "api_error") -> bytes:
    """A final ``error`` event in the API's own stream format."""
    return f"event: error\ndata: {error_json(error_type, message)}\n\n".encode()


def is_event_stream(content_type: Optional[str]) -> bool:
    return bool(content_type) and content_type.split(";")[0].strip().lower() == "text/event-stream"


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def scrub_bytes(data: bytes, secrets: Iterable[str]) -> bytes:
    """Replace every occurrence of each secret (some gateways echo request headers in errors)."""
    for secret in secrets:
        if secret:
            data = data.replace(secret.encode(), REDACTED.encode())
    return data


def upstream_url(base_url: str, path: str, query: str = "") -> str:
    """Join the configured base URL and a server-chosen API path (never a client-chosen one)."""
    url = base_url.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{query}" if query else url


def model_path(model_id: str) -> str:
    """``v1/models/{id}`` with the id quoted as one path segment."""
    return "v1/models/" + quote(model_id, safe="")


def describe_host(base_url: str) -> str:
    """Host (and port) of the base URL for messages; no path, query or userinfo."""
    parts = urlsplit(base_url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "the configured host"


def unreachable_message(reason: str, base_url: str) -> str:
    return (
        f"The Jupyter server could not reach the Claude API at {describe_host(base_url)} ({reason}). "
        "Check ANTHROPIC_BASE_URL and the server's network."
    )


def timeout_message(seconds: float, base_url: str) -> str:
    return (
        f"The Claude API at {describe_host(base_url)} did not answer within {seconds:g} seconds. "
        "Check ANTHROPIC_BASE_URL and the server's network, or try again."
    )


def _exception_chain(exc: BaseException) -> List[BaseException]:
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def connect_error_reason(exc: BaseException) -> str:
    """A short plain-words reason for a transport failure before any response.

    HTTP clients wrap the socket error (``All connection attempts failed``), so
    the whole cause chain is examined.
    """
    chain = _exception_chain(exc)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain).lower()
    if "UnsupportedProtocol" in names or "InvalidURL" in names:
        return "the base URL is not a valid http:// or https:// URL"
    if "ConnectionRefusedError" in names or "refused" in text:
        return "connection refused"
    if "gaierror" in names or "name or service not known" in text or "nodename nor servname" in text:
        return "host name not found"
    if "certificate" in text or "ssl" in text:
        return "TLS/certificate error"
    if "ConnectionResetError" in names or "reset" in text:
        return "connection reset"
    if "ProxyError" in names:
        return "HTTP proxy error"
    return "network error"


def request_too_large_message(size: int, limit: int) -> str:
    return f"Request of {size} bytes exceeds the proxy's limit of {limit} bytes (c.ClaudeProxy.max_request_bytes)."

