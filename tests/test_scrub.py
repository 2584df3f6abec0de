"""Scrubbing credentials out of everything the proxy returns: each form a key can be echoed in,
in error bodies and in 2xx streams, including a key split across network chunks."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest

from jupyterlab_claude import proxy
from jupyterlab_claude.proxy import REDACTED, scrub_bytes, scrub_text
from mock_api.fixtures import parse_sse

FIXTURES = Path(__file__).resolve().parent.parent / "mock_api" / "fixtures"
API_HEADERS = {"anthropic-version": "2023-06-01", "content-type": "application/json"}
BODY = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
R = REDACTED.encode()
#: The documented promise: a run of this many leading characters of a key is scrubbed (with the rest).
MIN_PREFIX = 16


@pytest.fixture(scope="module")
def slashy() -> str:
    """A gateway token with the characters JSON and URLs escape ('/', '+', '=')."""
    return f"gw+{secrets.token_hex(10)}/{secrets.token_hex(10)}=="


def json_u(s: str, upper_hex: bool = False) -> str:
    return "".join(("\\u%04X" if upper_hex else "\\u%04x") % ord(c) for c in s)


def url_all(s: str, upper_hex: bool = True) -> str:
    return "".join(("%%%02X" if upper_hex else "%%%02x") % b for b in s.encode())


#: Textual forms: the echo is replaced whole, nothing of it left.
TEXT_FORMS: dict[str, Callable[[str], str]] = {
    "exact": lambda k: k,
    "upper": str.upper,
    "lower": str.lower,
    "swapcase": str.swapcase,
    "json_u_every_char": json_u,
    "json_u_upper_hex": lambda k: json_u(k, upper_hex=True),
    "json_u_dash_only": lambda k: k.replace("-", "\\u002d"),
    "json_u_of_upper": lambda k: json_u(k.upper()),
    "json_double_escaped": lambda k: json_u(k).replace("\\", "\\\\"),
    "python_x_escapes": lambda k: "".join(f"\\x{ord(c):02x}" for c in k),
    "url_every_byte": url_all,
    "url_lower_hex": lambda k: url_all(k, upper_hex=False),
    "url_quote": lambda k: quote(k, safe=""),
    "url_quote_plus": quote_plus,
    "url_double_encoded": lambda k: quote(url_all(k), safe=""),
    "html_decimal": lambda k: "".join(f"&#{ord(c)};" for c in k),
    "html_hex": lambda k: "".join(f"&#x{ord(c):x};" for c in k),
    "hex_lower": lambda k: k.encode().hex(),
    "hex_upper": lambda k: k.encode().hex().upper(),
    "prefix_40": lambda k: k[:40],
    "prefix_40_upper": lambda k: k[:40].upper(),
    "prefix_40_json_u": lambda k: json_u(k[:40]),
    "prefix_min": lambda k: k[:MIN_PREFIX],
    "mixed": lambda k: "".join([c, c.upper(), json_u(c), url_all(c)][i % 4] for i, c in enumerate(k)),
}

SLASHY_FORMS: dict[str, Callable[[str], str]] = {
    "json_escaped_slash": lambda k: k.replace("/", "\\/"),
    "json_double_escaped_slash": lambda k: k.replace("/", "\\\\/"),
    "url_quote": lambda k: quote(k, safe=""),
    "url_quote_plus": quote_plus,
}


def base64_forms(k: str) -> dict[str, bytes]:
    raw = k.encode()
    return {
        "b64_alone": base64.b64encode(raw),
        "b64_after_1": base64.b64encode(b"u:" + raw)[:-1],
        "b64_after_2": base64.b64encode(b"us:" + raw + b"!"),
        "b64_after_3": base64.b64encode(b"usr:" + raw + b"!?"),
        "b64_urlsafe": base64.urlsafe_b64encode(b"x" + raw),
        "b64_basic_auth_header": b"Basic " + base64.b64encode(b"user:" + raw),
        "b64_unpadded": base64.b64encode(raw).rstrip(b"="),
    }


def envelope(form: bytes) -> bytes:
    return b'{"type":"error","error":{"type":"authentication_error","message":"bad key: ' + form + b' (end)"}}'


def b64_leak(data: bytes, key: str, window: int = MIN_PREFIX) -> bool:
    """Whether any run of base64 characters in ``data`` decodes (at any alignment) to ``window`` key chars."""
    pieces = {key.encode()[i : i + window] for i in range(len(key) - window + 1)}
    for run in re.findall(rb"[A-Za-z0-9+/_-]{8,}", data):
        run = run.replace(b"-", b"+").replace(b"_", b"/")
        for k in range(4):
            chunk = run[k:]
            chunk = chunk[: len(chunk) // 4 * 4]
            try:
                decoded = base64.b64decode(chunk)
            except ValueError:
                continue
            if any(p in decoded for p in pieces):
                return True
    return False


# -- pure: each form -----------------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(TEXT_FORMS))
def test_each_textual_form_is_replaced_whole(api_key, form):
    echoed = TEXT_FORMS[form](api_key).encode()
    assert echoed != b"" and echoed not in envelope(b"")
    out = scrub_bytes(envelope(echoed), [api_key])
    assert out == envelope(R), out


@pytest.mark.parametrize("form", sorted(SLASHY_FORMS))
def test_escaped_slash_plus_and_equals_forms_are_replaced(slashy, form):
    out = scrub_bytes(envelope(SLASHY_FORMS[form](slashy).encode()), [slashy])
    assert out == envelope(R), out


@pytest.mark.parametrize("form", sorted(base64_forms("x")))
def test_base64_at_every_alignment_is_scrubbed(api_key, form):
    echoed = base64_forms(api_key)[form]
    assert b64_leak(echoed, api_key)  # control: the helper sees the key in the raw form
    out = scrub_bytes(envelope(echoed), [api_key])
    assert R in out
    assert not b64_leak(out, api_key), out


def test_the_whole_key_is_replaced_not_only_the_prefix(api_key):
    # A key whose first characters already suffice must not leave its tail behind.
    out = scrub_bytes(envelope(api_key.encode() + b"tail"), [api_key])
    assert out == envelope(R + b"tail")


def test_a_prefix_shorter_than_the_minimum_is_left(api_key):
    assert proxy.SCRUB_MIN_PREFIX == MIN_PREFIX
    short = api_key[: MIN_PREFIX - 1].encode()
    assert scrub_bytes(envelope(short), [api_key]) == envelope(short)


def test_every_occurrence_of_every_secret_in_text_and_headers(api_key, slashy):
    text = f"a {api_key} b {slashy.upper()} c {api_key.lower()}"
    assert scrub_text(text, [api_key, slashy, ""]) == f"a {REDACTED} b {REDACTED} c {REDACTED}"
    headers = proxy.downstream_response_headers([("request-id", f"req {json_u(api_key)}")], [api_key])
    assert headers == [("request-id", f"req {REDACTED}")]


def test_short_secrets_are_scrubbed_exactly_and_text_without_secrets_is_untouched():
    data = b'{"message": "bad key k1 (Bearer t2), k1"}'
    assert scrub_bytes(data, ["k1", "t2", ""]) == b'{"message": "bad key [redacted] (Bearer [redacted]), [redacted]"}'
    assert scrub_bytes(data, []) == data


def test_long_tokens_do_not_break_the_scrubber():
    token = "eyJ" + secrets.token_urlsafe(1500)  # a JWT-sized bearer token
    out = scrub_bytes(b"x " + token.upper().encode() + b" y " + json_u(token).encode(), [token])
    assert out == b"x " + R + b" y " + R


# -- pure: streams -------------------------------------------------------------------------


def feed_all(scrubber: proxy.StreamScrubber, pieces: list[bytes]) -> bytes:
    out = b"".join(scrubber.feed(p) for p in pieces)
    return out + scrubber.flush()


@pytest.mark.parametrize(
    "form", ["exact", "upper", "json_u_every_char", "url_every_byte", "prefix_40", "mixed", "hex_lower"]
)
def test_a_key_split_across_two_chunks_is_caught_at_every_offset(api_key, form):
    body = b"event: content_block_delta\ndata: " + envelope(TEXT_FORMS[form](api_key).encode()) + b"\n\n"
    expected = b"event: content_block_delta\ndata: " + envelope(R) + b"\n\n"
    for cut in range(1, len(body)):
        out = feed_all(proxy.StreamScrubber([api_key]), [body[:cut], body[cut:]])
        assert out == expected, cut


def test_a_key_fed_one_byte_at_a_time_is_caught(api_key):
    body = b"x " + api_key.encode() + b" y " + base64.b64encode(b"u:" + api_key.encode()) + b" z"
    out = feed_all(proxy.StreamScrubber([api_key]), [body[i : i + 1] for i in range(len(body))])
    assert out == scrub_bytes(body, [api_key])
    assert api_key.encode() not in out and not b64_leak(out, api_key)


@pytest.mark.parametrize("fixture", ["hello", "markdown_code", "thinking", "tool_use", "slow_long", "xss_corpus"])
def test_streams_without_secrets_pass_byte_identical_and_whole_events_are_never_held(api_key, fixture):
    data = (FIXTURES / f"{fixture}.sse").read_bytes()
    events = [e.encode() for e in parse_sse(data.decode())]
    scrubber = proxy.StreamScrubber([api_key, "tok-" + secrets.token_hex(20)])
    for event in events:
        assert scrubber.feed(event) == event  # nothing held back: no added latency per event
    assert scrubber.flush() == b""
    rng = random.Random(fixture)
    cuts = sorted(rng.sample(range(1, len(data)), 40))
    pieces = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)], strict=True)]
    assert feed_all(proxy.StreamScrubber([api_key]), pieces) == data


def test_hold_back_is_bounded_by_the_longest_form(api_key):
    scrubber = proxy.StreamScrubber([api_key])
    assert 0 < scrubber.max_hold < 8 * len(api_key)
    rng = random.Random(7)
    forms = [TEXT_FORMS[f](api_key).encode() for f in sorted(TEXT_FORMS)]
    data = b" filler ".join(forms + [api_key[:20].encode(), b"sk-ant-"])
    fed = emitted = 0
    at = 0
    while at < len(data):
        step = rng.randint(1, 30)
        piece = data[at : at + step]
        at += step
        fed += len(piece)
        emitted += len(scrubber.feed(piece))
        # Output shrinks where secrets are replaced; so compare what is still unaccounted for.
        assert len(scrubber.pending) <= scrubber.max_hold
    tail = scrubber.flush()
    assert scrubber.pending == b""
    assert api_key.encode() not in tail


def test_a_partial_key_at_the_very_end_is_flushed_unless_long_enough(api_key):
    scrubber = proxy.StreamScrubber([api_key])
    held = scrubber.feed(b"data: " + api_key[:10].encode())
    assert held == b"data: "  # could still become the key
    assert scrubber.flush() == api_key[:10].encode()  # the stream ended: it never did
    scrubber = proxy.StreamScrubber([api_key])
    assert scrubber.feed(b"data: " + api_key[:30].encode()) == b"data: "
    assert scrubber.flush() == R


# -- through the proxy, with the mock echoing the key ---------------------------------------


async def test_a_key_echoed_in_a_200_stream_is_scrubbed_even_across_chunks(jp_fetch, mock, api_key):
    mock.queue("echo_key_stream", event_delay_ms=0, split_bytes=7)
    async with httpx.AsyncClient() as client:
        direct = await client.post(
            mock.url + "/v1/messages", headers={**API_HEADERS, "x-api-key": api_key}, json=dict(BODY, stream=True)
        )
    assert api_key in direct.text and api_key.upper() in direct.text  # control: the mock really echoes it

    mock.queue("echo_key_stream", event_delay_ms=0, split_bytes=7)
    r = await jp_fetch(
        "claude", "v1", "messages", method="POST", body=json.dumps(dict(BODY, stream=True)), headers=dict(API_HEADERS)
    )
    assert r.code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
    events = parse_sse(r.body.decode())
    text = "".join(e.json()["delta"].get("text", "") for e in events if e.event == "content_block_delta")
    assert text.count(REDACTED) == 8, text  # every form, as the browser decodes it
    assert api_key.lower() not in text.lower() and api_key[:16].lower() not in r.body.decode().lower()
    assert not b64_leak(r.body, api_key) and api_key.encode().hex() not in r.body.decode().lower()
    assert [e.event for e in events][-1] == "message_stop"
    # Only the echoes changed: everything else is byte-identical.
    assert scrub_bytes(direct.content, [api_key]) == r.body


async def test_a_key_echoed_in_a_200_json_body_is_scrubbed(jp_fetch, mock, api_key):
    mock.queue("echo_key_stream")
    r = await jp_fetch("claude", "v1", "messages", method="POST", body=json.dumps(BODY), headers=dict(API_HEADERS))
    assert r.code == 200
    message = json.loads(r.body)
    assert message["content"][0]["text"].count(REDACTED) == 8
    assert api_key.lower() not in r.body.decode().lower()


async def test_every_form_echoed_in_an_error_body_is_scrubbed(jp_fetch, mock, api_key):
    forms = ["", "|upper", "|lower", "|json_u", "|url", "|prefix40", "|base64", "|hex", "|prefix40|upper"]
    message = "invalid x-api-key: " + " / ".join(f"{{{{header:x-api-key{f}}}}}" for f in forms)
    body = {"type": "error", "error": {"type": "authentication_error", "message": message}}
    mock.queue("error_401_echo_key", body=body)
    r = await jp_fetch(
        "claude", "v1", "messages", method="POST", body=json.dumps(BODY), headers=dict(API_HEADERS), raise_error=False
    )
    assert r.code == 401
    text = json.loads(r.body)["error"]["message"]
    assert text == "invalid x-api-key: " + " / ".join([REDACTED] * len(forms)), text


def test_saved_conversations_are_scrubbed_of_every_form(api_key):
    from jupyterlab_claude.conversations import scrub

    forms = {name: make(api_key) for name, make in TEXT_FORMS.items()}
    saved = {"turns": [{"text": f"echo {v} end", "notes": [v]} for v in forms.values()], api_key.upper(): 1}
    out = scrub(saved, [api_key])
    assert out == {"turns": [{"text": f"echo {REDACTED} end", "notes": [REDACTED]} for _ in forms], REDACTED: 1}


async def test_fifty_concurrent_streams_arrive_byte_identical_through_the_scrubber(jp_fetch, mock, api_key):
    async with httpx.AsyncClient() as client:
        mock.queue("slow_long", event_delay_ms=0)
        direct = await client.post(
            mock.url + "/v1/messages", headers={**API_HEADERS, "x-api-key": api_key}, json=dict(BODY, stream=True)
        )
    mock.queue("slow_long", times=50, event_delay_ms=1, split_bytes=50)
    replies = await asyncio.gather(
        *(
            jp_fetch(
                "claude",
                "v1",
                "messages",
                method="POST",
                body=json.dumps(dict(BODY, stream=True)),
                headers=dict(API_HEADERS),
            )
            for _ in range(50)
        )
    )
    assert all(r.code == 200 and r.body == direct.content for r in replies)
