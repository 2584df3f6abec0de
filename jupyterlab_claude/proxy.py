"""Pure helpers for the Claude API proxy: which headers cross, error bodies, scrubbing.

Nothing here does I/O, so each rule is unit-tested on its own.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterable
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
_REDACTED_BYTES = REDACTED.encode()


def upstream_request_headers(
    browser_headers: Iterable[tuple[str, str]], api_key: str = "", auth_token: str = ""
) -> dict[str, str]:
    """Headers for the upstream request: the allow-listed browser ones plus the server's credential."""
    headers: dict[str, str] = {}
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
    upstream_headers: Iterable[tuple[str, str]], secrets: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """The allow-listed upstream response headers, with any secret scrubbed from values."""
    secrets = [s for s in secrets if s]
    out = []
    for name, value in upstream_headers:
        if is_returned_header(name):
            out.append((name.lower(), scrub_text(value, secrets)))
    return out


def error_body(error_type: str, message: str) -> dict[str, object]:
    """An error in the shape the Messages API uses, so clients handle both alike."""
    return {"type": "error", "error": {"type": error_type, "message": message}}


def error_json(error_type: str, message: str) -> str:
    return json.dumps(error_body(error_type, message))


def sse_error_event(message: str = MID_STREAM_LOST_MESSAGE, error_type: str = "api_error") -> bytes:
    """A final ``error`` event in the API's own stream format."""
    return f"event: error\ndata: {error_json(error_type, message)}\n\n".encode()


def is_event_stream(content_type: str | None) -> bool:
    return bool(content_type) and content_type.split(";")[0].strip().lower() == "text/event-stream"


# -- scrubbing credentials out of what the browser gets ------------------------------------
#
# A gateway may echo the credential it received: as is, case-folded, JSON- or URL-escaped,
# HTML-encoded, hex or base64, or only its first characters. Each credential is described as a
# sequence of *units* (one per character, or per base64/hex symbol), each unit a set of byte
# strings it may appear as; a match is SCRUB_MIN_PREFIX units in a row, extended as far as the
# credential goes, so the rest of a key never survives next to a redacted prefix. Streams are
# scrubbed chunk by chunk: only a tail that could still become a match is held back.

#: A run of this many leading characters of a credential is scrubbed (together with the rest).
#: Shorter echoes (a gateway showing ``sk-ant-api03-ab…``) reveal nothing usable.
SCRUB_MIN_PREFIX = 16

_Unit = tuple[bytes, ...]
_Form = tuple[_Unit, ...]


def _hex_cases(hx: str) -> list[bytes]:
    """``2d`` -> [b"2d", b"2D"]: every upper/lower mix of the hex digits."""
    out = [""]
    for ch in hx:
        out = [o + v for o in out for v in sorted({ch.lower(), ch.upper()})]
    return [o.encode() for o in out]


def _char_unit(c: str) -> _Unit:
    """Every way one character of a credential may be echoed."""
    alts = set()
    for v in {c, c.lower(), c.upper()}:
        if len(v) != 1:
            continue
        raw = v.encode("utf-8")
        alts.add(raw)
        code = ord(v)
        if code < 0x80:
            for hx in _hex_cases(f"{code:02x}"):
                alts.update(
                    (
                        b"\\u00" + hx,  # JSON
                        b"\\\\u00" + hx,  # JSON inside a JSON string
                        b"%u00" + hx,  # JavaScript escape()
                        b"\\x" + hx,  # Python / JavaScript string literal
                        b"%" + hx,  # URL-encoded
                        b"%25" + hx,  # URL-encoded twice
                        b"&#x" + hx + b";",
                        b"&#X" + hx + b";",
                    )
                )
            alts.add(b"&#%d;" % code)
        elif code < 0x10000:
            alts.update(b"\\u" + hx for hx in _hex_cases(f"{code:04x}"))
            alts.add(b"".join(b"%%%02X" % b for b in raw))
            alts.add(b"".join(b"%%%02x" % b for b in raw))
    if c == "/":
        alts.update((b"\\/", b"\\\\/"))  # JSON's optional escape
    if c == " ":
        alts.add(b"+")  # form encoding
    return tuple(sorted(alts, key=lambda a: (-len(a), a)))


def _symbol_unit(sym: str) -> _Unit:
    """A base64 symbol: itself, or escaped where JSON or URLs would escape it."""
    alts = {sym.encode()}
    if sym in "+/=":
        alts.update(b"%" + hx for hx in _hex_cases(f"{ord(sym):02x}"))
    if sym == "/":
        alts.update((b"\\/", b"\\\\/"))
    return tuple(sorted(alts, key=lambda a: (-len(a), a)))


def secret_forms(secret: str) -> list[tuple[_Form, int]]:
    """The forms a credential is looked for in, each with the units a match needs at least."""
    if not secret:
        return []
    forms: list[tuple[_Form, int]] = []
    text = tuple(_char_unit(c) for c in secret)
    forms.append((text, min(SCRUB_MIN_PREFIX, len(text))))
    raw = secret.encode("utf-8")
    if len(raw) < SCRUB_MIN_PREFIX:
        return forms  # encoded forms of a short string would turn up in unrelated data
    forms.append((tuple(tuple(_hex_cases(f"{b:02x}")) for b in raw), SCRUB_MIN_PREFIX))
    seen = set()
    for skip in range(3):  # base64 of a longer string: the credential at each of the 3 alignments
        # Matches stop where the data stops agreeing, so the padded tail costs nothing when the
        # credential sits inside a longer encoded string, and is caught when it ends there.
        body = raw[skip:]
        for encoded in (base64.b64encode(body), base64.urlsafe_b64encode(body)):
            if encoded in seen:
                continue
            seen.add(encoded)
            units = tuple(_symbol_unit(chr(b)) for b in encoded)
            forms.append((units, min(len(units), -(-SCRUB_MIN_PREFIX * 4 // 3))))
    return forms


class _Scrubbing:
    """Compiled forms of a set of credentials."""

    def __init__(self, secrets: tuple[str, ...]):
        self.forms: list[tuple[_Form, int]] = [f for s in secrets for f in secret_forms(s)]
        # One group per form, so ``lastindex`` names the form that matched.
        groups = [b"(" + b"".join(_alternation(u) for u in units[:need]) + b")" for units, need in self.forms]
        self.pattern = re.compile(b"|".join(groups)) if groups else None
        #: Every byte any form is written with: a tail ending in another byte (an SSE event's
        #: final newline) cannot be a credential in progress.
        self.alphabet = frozenset(c for units, _ in self.forms for u in units for a in u for c in a)
        # Matches a tail that is a proper beginning of some form's needed prefix (or the empty
        # tail at the very end): searched from near the end, its start is where to hold back from.
        self.partial = re.compile(b"|".join(_partial_pattern(units, need) for units, need in self.forms) or b"\\Z")
        #: Longest byte length of a needed prefix, and of a whole form.
        self.max_prefix = max((sum(len(u[0]) for u in units[:need]) for units, need in self.forms), default=0)
        self.max_form = max((sum(len(u[0]) for u in units) for units, _ in self.forms), default=0)

    @staticmethod
    def extend(buf: bytes, end: int, units: _Form, start: int) -> tuple[int, bool]:
        """Follow a match past its needed prefix as far as the credential goes.

        Returns the end and whether more bytes could still extend it (the buffer ran out).
        """
        i = start
        while i < len(units):
            for alt in units[i]:
                if buf.startswith(alt, end):
                    end += len(alt)
                    break
            else:
                rest = buf[end:]
                return end, any(alt.startswith(rest) for alt in units[i])
            i += 1
        return end, False


def _alternation(alts: Iterable[bytes]) -> bytes:
    return b"(?:" + b"|".join(re.escape(a) for a in sorted(set(alts), key=lambda a: (-len(a), a))) + b")"


def _partial_pattern(units: _Form, need: int) -> bytes:
    """A regex for the strings that are proper beginnings of ``units[:need]``, up to the end of data."""
    expr = b""
    for i in reversed(range(need)):
        cut_short = _alternation(a[:n] for a in units[i] for n in range(len(a)))  # includes b""
        ends_here = cut_short + b"\\Z"
        expr = ends_here if not expr else b"(?:" + ends_here + b"|" + _alternation(units[i]) + expr + b")"
    return expr


@functools.lru_cache(maxsize=16)
def _scrubbing(secrets: tuple[str, ...]) -> _Scrubbing:
    return _Scrubbing(secrets)


class StreamScrubber:
    """Scrub a body chunk by chunk, catching a credential split across chunks.

    Bytes that cannot be part of a credential go out at once; only a tail that could still
    become one is held (at most ``max_hold`` bytes) until the next chunk or :meth:`flush`.
    With no credential in the stream, the output is byte-identical to the input.
    """

    def __init__(self, secrets: Iterable[str]):
        self._s = _scrubbing(tuple(sorted({s for s in secrets if s})))
        self.pending = b""
        #: Longest form of any credential, minus one byte.
        self.max_hold = max(self._s.max_form - 1, 0)

    def feed(self, chunk: bytes) -> bytes:
        return self._run(self.pending + bytes(chunk), final=False)

    def flush(self) -> bytes:
        return self._run(self.pending, final=True)

    def _run(self, buf: bytes, final: bool) -> bytes:
        self.pending = b""
        s = self._s
        if s.pattern is None:
            return buf
        out: list[bytes] = []
        pos = 0
        while True:
            m = s.pattern.search(buf, pos)
            if m is None:
                break
            units, need = s.forms[m.lastindex - 1]
            end, open_ended = s.extend(buf, m.end(), units, need)
            if open_ended and not final:
                out.append(buf[pos : m.start()])
                self.pending = buf[m.start() :]
                return b"".join(out)
            out.append(buf[pos : m.start()])
            out.append(_REDACTED_BYTES)
            pos = end
        hold = len(buf)
        if not final and buf[pos:] and buf[-1] in s.alphabet:
            # Only a start within the last max_prefix bytes can still grow into a match.
            tail = s.partial.search(buf, max(pos, len(buf) - s.max_prefix + 1))
            hold = tail.start() if tail else len(buf)
        out.append(buf[pos:hold])
        self.pending = buf[hold:]
        return b"".join(out)


def scrub_bytes(data: bytes, secrets: Iterable[str]) -> bytes:
    """Replace every form of each secret (some gateways echo request headers, in errors or not)."""
    scrubber = StreamScrubber(secrets)
    return scrubber.feed(data) + scrubber.flush()


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    data = text.encode("utf-8", "surrogatepass")
    scrubbed = scrub_bytes(data, secrets)
    return text if scrubbed == data else scrubbed.decode("utf-8", "surrogatepass")


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


def unreachable_message(
    reason: str, base_url: str, who: str = "the Claude API", setting: str = "ANTHROPIC_BASE_URL"
) -> str:
    return (
        f"The Jupyter server could not reach {who} at {describe_host(base_url)} ({reason}). "
        f"Check {setting} and the server's network."
    )


def timeout_message(
    seconds: float, base_url: str, who: str = "the Claude API", setting: str = "ANTHROPIC_BASE_URL"
) -> str:
    return (
        f"{who[0].upper() + who[1:]} at {describe_host(base_url)} did not answer within {seconds:g} seconds. "
        f"Check {setting} and the server's network, or try again."
    )


def _exception_chain(exc: BaseException) -> list[BaseException]:
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
