"""Bedrock's streamed answer (AWS event-stream framing) as the Messages API's SSE.

Each ``chunk`` event of ``InvokeModelWithResponseStream`` carries one Messages API event as
JSON (base64 in ``{"bytes": ...}``); that JSON goes out verbatim as ``event: <type>\\ndata: <json>``,
the bytes the Anthropic API itself sends. Frames are parsed, and their CRCs checked, by botocore's
own event-stream parser. An exception frame (throttling mid-answer, a model error) becomes the
API's ``error`` event; so does a frame that does not parse, after which the rest is dropped.
"""

from __future__ import annotations

import base64
import json

from botocore.eventstream import EventStreamBuffer, ParserError

from .. import proxy

#: Bedrock's exception names -> (HTTP status the Anthropic API would use, its error type).
BEDROCK_ERRORS = {
    "throttlingexception": (429, "rate_limit_error"),
    "servicequotaexceededexception": (429, "rate_limit_error"),
    "toomanyrequestsexception": (429, "rate_limit_error"),
    "serviceunavailableexception": (529, "overloaded_error"),
    "modelnotreadyexception": (529, "overloaded_error"),
    "unrecognizedclientexception": (401, "authentication_error"),
    "invalidsignatureexception": (401, "authentication_error"),
    "incompletesignatureexception": (401, "authentication_error"),
    "expiredtokenexception": (401, "authentication_error"),
    "missingauthenticationtokenexception": (401, "authentication_error"),
    "accessdeniedexception": (403, "permission_error"),
    "validationexception": (400, "invalid_request_error"),
    "resourcenotfoundexception": (404, "not_found_error"),
    "modeltimeoutexception": (504, "timeout_error"),
    "modelstreamerrorexception": (500, "api_error"),
    "modelerrorexception": (500, "api_error"),
    "internalserverexception": (500, "api_error"),
}

LABEL = "Amazon Bedrock"


def bedrock_error(code: str) -> tuple[int, str] | None:
    """(status, error type) for a Bedrock exception name (``ThrottlingException``, or the
    ``x-amzn-ErrorType`` form ``ThrottlingException:http://...``)."""
    return BEDROCK_ERRORS.get(code.split(":", 1)[0].strip().lower())


class EventStreamToSSE:
    """Feed it the body's bytes as they come; it returns the SSE bytes of the events completed."""

    def __init__(self) -> None:
        self._buffer = EventStreamBuffer()
        self._failed = False
        #: Bytes fed that are not yet a whole frame.
        self._pending = 0

    def feed(self, chunk: bytes) -> bytes:
        if self._failed:
            return b""
        self._buffer.add_data(chunk)
        self._pending += len(chunk)
        out = []
        try:
            for message in self._buffer:
                self._pending -= message.prelude.total_length
                out.append(self._event(message.headers, message.payload))
        except ParserError as exc:
            self._failed = True
            out.append(proxy.sse_error_event(f"{LABEL} sent a stream this server cannot read ({type(exc).__name__})."))
        return b"".join(out)

    def flush(self) -> bytes:
        if self._failed or not self._pending:
            return b""
        self._failed = True
        return proxy.sse_error_event(proxy.MID_STREAM_LOST_MESSAGE)

    def _event(self, headers: dict, payload: bytes) -> bytes:
        kind = headers.get(":message-type")
        if kind == "event":
            if headers.get(":event-type") != "chunk":
                return b""
            raw = base64.b64decode(json.loads(payload)["bytes"])
            data = json.loads(raw)
            event = data.get("type") if isinstance(data, dict) else None
            if not isinstance(event, str) or not event.isprintable() or not event:
                return b""
            if b"\n" in raw or b"\r" in raw:  # one data line per event
                raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
            return b"event: " + event.encode() + b"\ndata: " + raw + b"\n\n"
        code = str(headers.get(":exception-type") or headers.get(":error-code") or "")
        try:
            detail = json.loads(payload or b"{}")
            text = detail.get("message") or detail.get("Message") or ""
        except (ValueError, AttributeError):
            text = ""
        text = text or str(headers.get(":error-message") or "") or "the answer failed"
        _, error_type = bedrock_error(code) or (500, "api_error")
        return proxy.sse_error_event(f"{LABEL}: {text} ({code or 'error'})", error_type=error_type)
