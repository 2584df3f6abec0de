"""Local stand-ins for Amazon Bedrock and Google Vertex AI, in front of the mock Messages API.

Each speaks its cloud's wire protocol, checked from the other side by the clouds' own code:

- ``bedrock``: ``POST /model/{id}/invoke[-with-response-stream]``. The SigV4 signature is
  recomputed with botocore's signer (or a bearer API key compared); a wrong one gets Bedrock's
  403 ``InvalidSignatureException`` / ``UnrecognizedClientException``. Streams are AWS
  event-stream frames (prelude, headers, CRC32s), one ``chunk`` event per Messages API event;
  the mock's errors come back as Bedrock's (``ThrottlingException``, ``ServiceUnavailableException``,
  and an ``exception`` frame mid-stream).
- ``vertex``: ``POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{m}:streamRawPredict``
  (and ``rawPredict``, ``count-tokens:rawPredict``), with an OAuth token endpoint ``POST /token``
  that google-auth gets a service account's token from (its signed JWT checked); a wrong bearer token gets
  Google's 401 ``UNAUTHENTICATED``, the mock's 429 Google's ``RESOURCE_EXHAUSTED``.

``python tests/provider_standins.py bedrock|vertex --upstream URL --upstream-key KEY [...]``
prints ``standin listening on http://127.0.0.1:PORT``. ``GET /_standin/requests`` lists what
it received (path, headers, body, verdict).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import datetime
import hmac
import json
import re
import secrets
import struct
import sys
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
import tornado.web
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)

GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"

#: Mock (Anthropic) error type -> Bedrock's HTTP status and exception name.
BEDROCK_HTTP_ERRORS = {
    "rate_limit_error": (429, "ThrottlingException"),
    "overloaded_error": (503, "ServiceUnavailableException"),
    "authentication_error": (403, "UnrecognizedClientException"),
    "invalid_request_error": (400, "ValidationException"),
    "not_found_error": (404, "ResourceNotFoundException"),
    "api_error": (500, "InternalServerException"),
}
#: ... and the exception frame's name mid-stream.
BEDROCK_STREAM_ERRORS = {
    "rate_limit_error": "throttlingException",
    "overloaded_error": "serviceUnavailableException",
    "api_error": "modelStreamErrorException",
}


def event_stream_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: prelude (total length, headers length, CRC32), string headers, payload, CRC32."""
    encoded = b"".join(
        bytes([len(k)]) + k.encode() + b"\x07" + struct.pack(">H", len(v.encode())) + v.encode()
        for k, v in headers.items()
    )
    prelude = struct.pack(">II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    message = prelude + struct.pack(">I", binascii.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", binascii.crc32(message))


def chunk_frame(event_json: bytes) -> bytes:
    payload = json.dumps({"bytes": base64.b64encode(event_json).decode(), "p": "abcdefgh"}).encode()
    return event_stream_frame(
        {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}, payload
    )


def exception_frame(name: str, message: str) -> bytes:
    return event_stream_frame(
        {":exception-type": name, ":content-type": "application/json", ":message-type": "exception"},
        json.dumps({"message": message}).encode(),
    )


def sse_events(text: str) -> list[tuple[str, str]]:
    events, name, data = [], "", []
    for line in text.splitlines() + [""]:
        if not line:
            if data:
                events.append((name or "message", "\n".join(data)))
            name, data = "", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
    return events


class State:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.requests: list[dict[str, Any]] = []
        self.tokens: set[str] = set()
        self.client = httpx.AsyncClient(timeout=30)


class Base(tornado.web.RequestHandler):
    def initialize(self, state: State) -> None:
        self.state = state
        self.record: dict[str, Any] = {}
        self.upstream: httpx.Response | None = None

    def prepare(self) -> None:
        body: Any
        try:
            body = json.loads(self.request.body) if self.request.body else None
        except ValueError:
            body = self.request.body.decode("utf-8", "replace")
        self.record = {
            "method": self.request.method,
            "path": self.request.path,
            "uri": self.request.uri,
            "headers": {k.lower(): v for k, v in self.request.headers.get_all()},
            "body": body,
            "verdict": "",
        }
        if not self.request.path.startswith("/_standin/"):
            self.state.requests.append(self.record)

    def check_xsrf_cookie(self) -> None:
        pass

    def on_connection_close(self) -> None:
        # The proxy hung up (the scientist pressed Stop): record it, and hang up on the mock too.
        self.record["client_closed"] = True
        if self.upstream is not None:
            asyncio.ensure_future(self.upstream.aclose())

    def refuse(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.record["verdict"] = f"refused {status}"
        self.set_status(status)
        for k, v in (headers or {}).items():
            self.set_header(k, v)
        self.set_header("content-type", "application/json")
        self.finish(json.dumps(body))

    async def ask_mock(self, path: str, body: dict[str, Any]) -> httpx.Response:
        request = self.state.client.build_request(
            "POST",
            self.state.args.upstream + path,
            headers={"x-api-key": self.state.args.upstream_key, "anthropic-version": "2023-06-01"},
            json=body,
        )
        self.upstream = await self.state.client.send(request, stream=True)
        return self.upstream


class Requests(Base):
    def get(self) -> None:
        self.finish(json.dumps({"requests": self.state.requests}))

    def delete(self) -> None:
        """Forget what was received, and (Vertex) every token issued: the next use of one is refused."""
        self.state.requests.clear()
        if self.get_query_argument("revoke", ""):
            self.state.tokens.clear()
        self.finish("{}")


# -- Bedrock ---------------------------------------------------------------------------------


class BedrockInvoke(Base):
    async def post(self, model: str, action: str) -> None:
        if not self.authenticated():
            return
        try:
            data = json.loads(self.request.body)
        except ValueError:
            return self.bedrock_error(400, "ValidationException", "Malformed input request, please reformat.")
        if "model" in data or "stream" in data or not data.get("anthropic_version"):
            return self.bedrock_error(
                400, "ValidationException", "Malformed input request: extraneous key [model/stream] or no version"
            )
        self.record["verdict"] = "accepted"
        body = {k: v for k, v in data.items() if k not in ("anthropic_version", "anthropic_beta")}
        body["model"] = unquote(model)
        stream = action == "invoke-with-response-stream"
        body["stream"] = stream
        response = await self.ask_mock("/v1/messages", body)
        try:
            if response.status_code != 200:
                raw = await response.aread()
                error = json.loads(raw).get("error", {})
                status, name = BEDROCK_HTTP_ERRORS.get(error.get("type"), (500, "InternalServerException"))
                return self.bedrock_error(status, name, error.get("message", ""))
            if not stream:
                self.set_header("content-type", "application/json")
                return self.finish(await response.aread())
            self.set_header("content-type", "application/vnd.amazon.eventstream")
            self.set_header("x-amzn-bedrock-content-type", "application/json")
            text = ""
            async for piece in response.aiter_text():
                text += piece
                *complete, text = text.split("\n\n")
                for block in complete:
                    for name, data_line in sse_events(block + "\n\n"):
                        if name == "error":
                            error = json.loads(data_line)["error"]
                            frame = exception_frame(
                                BEDROCK_STREAM_ERRORS.get(error["type"], "internalServerException"), error["message"]
                            )
                        else:
                            frame = chunk_frame(data_line.encode())
                        self.write(frame)
                        await self.flush()
        finally:
            await response.aclose()

    def bedrock_error(self, status: int, name: str, message: str) -> None:
        self.refuse(
            status,
            {"message": message},
            {
                "x-amzn-ErrorType": f"{name}:http://internal.amazon.com/coral/com.amazon.bedrock/",
                "x-amzn-RequestId": "standin-req-1",
            },
        )

    def authenticated(self) -> bool:
        args = self.state.args
        authorization = self.request.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            if args.bearer and hmac.compare_digest(authorization[7:], args.bearer):
                return True
            self.bedrock_error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
            return False
        found = _SIGV4.match(authorization)
        if not found:
            self.bedrock_error(403, "IncompleteSignatureException", "Authorization header requires a SigV4 signature.")
            return False
        if found["key"] != args.access_key:
            self.bedrock_error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
            return False
        if found["service"] != "bedrock" or found["region"] != args.region:
            self.bedrock_error(
                403, "InvalidSignatureException", "Credential should be scoped to bedrock in " + args.region
            )
            return False
        stamp = self.request.headers.get("X-Amz-Date", "")
        try:
            signed_at = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            self.bedrock_error(403, "IncompleteSignatureException", "X-Amz-Date is missing or malformed.")
            return False
        if abs((datetime.datetime.now(datetime.timezone.utc) - signed_at).total_seconds()) > 300:
            self.bedrock_error(403, "InvalidSignatureException", "Signature expired.")
            return False
        # Recompute the signature over what arrived, with botocore's own signer.
        signed = found["signed"].split(";")
        headers = {name: self.request.headers.get(name, "") for name in signed}
        request = AWSRequest(
            method=self.request.method,
            url=f"{self.request.protocol}://{self.request.host}{self.request.uri}",
            headers=headers,
            data=self.request.body,
        )
        request.context["timestamp"] = stamp
        signer = SigV4Auth(
            Credentials(args.access_key, args.secret_key, args.session_token or None), "bedrock", args.region
        )
        expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
        token_ok = not args.session_token or self.request.headers.get("X-Amz-Security-Token") == args.session_token
        if not hmac.compare_digest(expected, found["signature"]) or not token_ok:
            self.bedrock_error(
                403,
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.",
            )
            return False
        self.record["signed_headers"] = signed
        return True


# -- Vertex ----------------------------------------------------------------------------------


class VertexToken(Base):
    """Google's OAuth token endpoint, as google-auth refreshes a service account's token from it.

    The JWT assertion is verified with google-auth's own ``jwt.decode`` against the service
    account's public key: signature, audience (Google's token endpoint, which a service account's
    JWT names whichever ``token_uri`` it is sent to), issuer and expiry.
    """

    def post(self) -> None:
        import google.auth.jwt

        form = {k: v[0] for k, v in parse_qs(self.request.body.decode()).items()}
        args = self.state.args
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self.refuse(400, {"error": "unsupported_grant_type"})
        try:
            with open(args.public_key_file, "rb") as f:
                claims = google.auth.jwt.decode(
                    form.get("assertion", ""), certs=f.read(), audience=GOOGLE_TOKEN_AUDIENCE
                )
        except Exception as exc:
            self.record["assertion_error"] = f"{type(exc).__name__}: {exc}"
            return self.refuse(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        if claims.get("iss") != args.client_email:
            return self.refuse(400, {"error": "invalid_grant", "error_description": "Invalid issuer."})
        token = "ya29.standin-" + secrets.token_urlsafe(24)
        self.state.tokens.add(token)
        self.record["verdict"] = "token issued"
        self.finish(
            json.dumps(
                {"access_token": token, "expires_in": 3599, "token_type": "Bearer", "scope": form.get("scope", "")}
            )
        )


class VertexPredict(Base):
    async def post(self, project: str, region: str, model: str, specifier: str) -> None:
        args = self.state.args
        authorization = self.request.headers.get("Authorization", "")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.state.tokens:
            return self.google_error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential.",
            )
        if project != args.project or region != args.region:
            return self.google_error(403, "PERMISSION_DENIED", f"Permission denied on resource project {project}.")
        try:
            data = json.loads(self.request.body)
        except ValueError:
            return self.google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if not data.get("anthropic_version"):
            return self.google_error(400, "INVALID_ARGUMENT", "anthropic_version: Field required")
        model = unquote(model)
        if model == "count-tokens":
            if specifier != "rawPredict" or "model" not in data:
                return self.google_error(400, "INVALID_ARGUMENT", "count-tokens needs rawPredict and a model")
            path, body = "/v1/messages/count_tokens", {k: v for k, v in data.items() if k != "anthropic_version"}
        else:
            if "model" in data:
                return self.google_error(400, "INVALID_ARGUMENT", "model: Extra inputs are not permitted")
            if (specifier == "streamRawPredict") != bool(data.get("stream")):
                return self.google_error(400, "INVALID_ARGUMENT", "streamRawPredict is for stream: true")
            path = "/v1/messages"
            body = {k: v for k, v in data.items() if k != "anthropic_version"}
            body["model"] = model
        self.record["verdict"] = "accepted"
        response = await self.ask_mock(path, body)
        try:
            if response.status_code == 429:
                await response.aread()
                return self.google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com.")
            self.set_status(response.status_code)
            self.set_header("content-type", response.headers.get("content-type", "application/json"))
            async for piece in response.aiter_raw():
                self.write(piece)
                await self.flush()
        finally:
            await response.aclose()

    def google_error(self, status: int, google_status: str, message: str) -> None:
        self.refuse(status, {"error": {"code": status, "message": message, "status": google_status}})


def make_app(args: argparse.Namespace) -> tornado.web.Application:
    state = State(args)
    routes: list[Any] = [(r"/_standin/requests", Requests, {"state": state})]
    if args.kind == "bedrock":
        routes.append((r"/model/([^/]+)/(invoke|invoke-with-response-stream)", BedrockInvoke, {"state": state}))
    else:
        routes.append((r"/token", VertexToken, {"state": state}))
        routes.append(
            (
                r"/v1/projects/([^/]+)/locations/([^/]+)/publishers/anthropic/models/([^/:]+):(rawPredict|streamRawPredict)",
                VertexPredict,
                {"state": state},
            )
        )
    return tornado.web.Application(routes)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["bedrock", "vertex"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", required=True, help="the mock Messages API")
    parser.add_argument("--upstream-key", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key", default="")
    parser.add_argument("--secret-key", default="")
    parser.add_argument("--session-token", default="")
    parser.add_argument("--bearer", default="", help="Bedrock: accept this API key instead of SigV4")
    parser.add_argument("--project", default="")
    parser.add_argument("--public-key-file", default="", help="Vertex: the service account's public key (PEM)")
    parser.add_argument("--client-email", default="")
    args = parser.parse_args()
    app = make_app(args)
    server = app.listen(args.port, "127.0.0.1")
    port = next(iter(server._sockets.values())).getsockname()[1]
    print(f"standin listening on http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
