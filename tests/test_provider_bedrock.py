"""provider = "bedrock": the proxy against a Bedrock stand-in that checks SigV4 with botocore.

The stand-in's own framing is first read by botocore's event-stream parser and by the official
``AnthropicBedrock`` client, so it cannot merely agree with the proxy's reading of it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets

import httpx
import pytest
from anthropic import AnthropicBedrock
from botocore.eventstream import EventStreamBuffer

from jupyterlab_claude import credentials
from jupyterlab_claude.providers.base import ESTIMATED_HEADER
from jupyterlab_claude.providers.eventstream import EventStreamToSSE
from tests.provider_support import (
    API_HEADERS,
    STREAM_BODY,
    Standin,
    assert_no_secret,
    direct_stream,
    error_of,
    events_of,
    live_url,
    post,
    text_of,
)

__all__ = ["live_url"]  # a fixture

REGION = "us-west-2"
ACCESS_KEY = "AKIASTANDIN" + secrets.token_hex(5).upper()
SECRET_KEY = secrets.token_urlsafe(30)
BEARER = "ABSKstandin" + secrets.token_urlsafe(24)
MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
MODELS = [MODEL, "global.anthropic.claude-opus-4-1-20250805-v1:0"]


@pytest.fixture(scope="module")
def bedrock(mock_server, api_key):
    standin = Standin(
        "bedrock",
        mock_server.url,
        api_key,
        "--region",
        REGION,
        "--access-key",
        ACCESS_KEY,
        "--secret-key",
        SECRET_KEY,
        "--bearer",
        BEARER,
    )
    yield standin
    standin.stop()


@pytest.fixture
def aws_secret() -> str:
    return SECRET_KEY


@pytest.fixture
def bedrock_api_key() -> str:
    return ""


@pytest.fixture
def aws_keys_in_environment() -> bool:
    return True


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch, tmp_path, aws_secret, bedrock_api_key, aws_keys_in_environment):
    """The server's AWS keys in its environment, as an admin sets them; nothing from this machine's ~/.aws.

    Set before the Jupyter server starts (the extension takes them out of the environment then).
    """
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delitem(credentials._taken, name, raising=False)  # what an earlier server took
    if aws_keys_in_environment:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", aws_secret)
    monkeypatch.setitem(credentials._taken, "AWS_BEARER_TOKEN_BEDROCK", "")
    if bedrock_api_key:
        monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", bedrock_api_key)
    else:
        monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def bedrock_settings() -> dict:
    """More c.ClaudeProxy settings for one test."""
    return {}


@pytest.fixture
def claude_config(bedrock, bedrock_settings):
    return {
        "provider": "bedrock",
        "aws_region": REGION,
        "bedrock_base_url": bedrock.url,
        "models": MODELS,
        **bedrock_settings,
    }


@pytest.fixture
def standin(bedrock):
    bedrock.reset()
    return bedrock


def bedrock_body(**extra):
    return {**STREAM_BODY, "model": MODEL, **extra}


# -- the stand-in, checked by AWS's and Anthropic's own code --------------------------------------


def test_standin_frames_parse_with_botocore_and_the_official_client_streams_from_it(standin, mock):
    mock.queue("hello", event_delay_ms=0)
    client = AnthropicBedrock(
        aws_access_key=ACCESS_KEY,
        aws_secret_key=SECRET_KEY,
        aws_region=REGION,
        base_url=standin.url,
        max_retries=0,
    )
    with client.messages.stream(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "hi"}]) as stream:
        text = "".join(stream.text_stream)
    assert text == "Hello! I'm Claude. How can I help you with your notebook today?"
    sdk_request = standin.requests()[-1]
    assert sdk_request["verdict"] == "accepted"

    # The raw frames, read by botocore's parser (CRCs checked) without any of our code.
    mock.queue("hello", event_delay_ms=0)
    signed = client.messages.with_raw_response.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "hi"}], stream=True
    )
    buffer = EventStreamBuffer()
    buffer.add_data(signed.http_response.read())
    frames = list(buffer)
    assert {f.headers[":message-type"] for f in frames} == {"event"}
    first = json.loads(base64.b64decode(json.loads(frames[0].payload)["bytes"]))
    assert first["type"] == "message_start"


def test_a_wrong_signature_is_refused_by_the_standin(standin):
    client = AnthropicBedrock(
        aws_access_key=ACCESS_KEY,
        aws_secret_key="not-the-secret",
        aws_region=REGION,
        base_url=standin.url,
        max_retries=0,
    )
    with pytest.raises(Exception) as caught:
        client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "hi"}])
    assert getattr(caught.value, "status_code", None) == 403
    assert standin.requests()[-1]["verdict"] == "refused 403"


# -- through the proxy ------------------------------------------------------------------------


async def test_streamed_answer_is_the_same_sse_as_the_anthropic_path(jp_fetch, mock, api_key, standin):
    expected = await direct_stream(mock, api_key, "hello", event_delay_ms=0)
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body())
    assert response.code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    # Byte for byte what the Anthropic API path gives the browser.
    assert response.body == expected
    received = standin.requests()[-1]
    assert received["verdict"] == "accepted"  # the SigV4 signature checked out with botocore
    assert received["path"] == f"/model/{MODEL}/invoke-with-response-stream"
    assert "model" not in received["body"] and "stream" not in received["body"]
    assert received["body"]["anthropic_version"]
    assert "x-amz-date" in received["signed_headers"] and "host" in received["signed_headers"]
    # The browser's Jupyter token and the server's Anthropic key stay behind.
    assert api_key not in json.dumps(received["headers"])
    assert_no_secret(response, SECRET_KEY, ACCESS_KEY)


async def test_the_request_is_the_one_the_official_client_sends(jp_fetch, mock, standin):
    body = bedrock_body(system="Be brief.", stop_sequences=["###"])
    mock.queue("hello", event_delay_ms=0)
    await post(jp_fetch, "v1", "messages", body=body, headers={"anthropic-beta": "context-1m-2025-08-07"})
    ours = standin.requests()[-1]
    mock.queue("hello", event_delay_ms=0)
    client = AnthropicBedrock(
        aws_access_key=ACCESS_KEY, aws_secret_key=SECRET_KEY, aws_region=REGION, base_url=standin.url, max_retries=0
    )
    kwargs = {k: v for k, v in body.items() if k != "stream"}
    client.beta.messages.create(**kwargs, stream=True, betas=["context-1m-2025-08-07"]).close()
    theirs = standin.requests()[-1]
    assert ours["path"] == theirs["path"]
    assert ours["body"] == theirs["body"]


async def test_an_arn_model_id_is_quoted_into_one_path_segment(jp_fetch, mock, standin):
    arn = "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body(model=arn))
    assert response.code == 200
    assert standin.requests()[-1]["uri"] == "/model/" + arn.replace("/", "%2F") + "/invoke-with-response-stream"


async def test_a_message_without_streaming(jp_fetch, mock, standin):
    mock.queue("hello")
    response = await post(jp_fetch, "v1", "messages", body=dict(bedrock_body(), stream=False))
    assert response.code == 200
    assert json.loads(response.body)["content"][0]["text"].startswith("Hello!")
    assert standin.requests()[-1]["path"] == f"/model/{MODEL}/invoke"


async def test_stop_closes_the_upstream_answer(live_url, mock, standin):
    mock.queue("stall")
    async with httpx.AsyncClient(timeout=10) as client:
        async with client.stream(
            "POST",
            live_url["url"] + "claude/v1/messages",
            headers={**API_HEADERS, **live_url["auth"]},
            json=bedrock_body(),
        ) as r:
            assert r.status_code == 200
            received = b""
            async for chunk in r.aiter_raw():
                received += chunk
                if received.count(b"\n\n") >= 3:
                    break
    assert [e for e, _ in events_of(received)] == ["message_start", "content_block_start", "ping"]
    # Stop in the browser: the proxy hangs up on Bedrock (and the stand-in on the mock).
    for _ in range(100):
        if standin.requests()[-1].get("client_closed"):
            break
        await asyncio.sleep(0.05)
    assert standin.requests()[-1]["client_closed"]


@pytest.mark.parametrize(
    ("fixture", "status", "error_type", "name"),
    [
        ("error_429", 429, "rate_limit_error", "ThrottlingException"),
        ("error_529", 529, "overloaded_error", "ServiceUnavailableException"),
    ],
)
async def test_throttling_and_overload_come_back_as_the_messages_api_says_them(
    jp_fetch, mock, standin, fixture, status, error_type, name
):
    mock.queue(fixture)
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body())
    assert response.code == status
    error = error_of(response)
    assert error["type"] == error_type
    assert error["message"].startswith(f"Amazon Bedrock refused the request ({name}): ")
    assert response.headers["x-should-retry"] == "true"
    assert response.headers["request-id"] == "standin-req-1"


@pytest.mark.parametrize("aws_secret", ["a-wrong-secret-key-0123456789"])
async def test_rejected_keys_are_a_401(jp_fetch, standin, aws_secret):
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body())
    assert response.code == 401
    error = error_of(response)
    assert error["type"] == "authentication_error"
    assert "InvalidSignatureException" in error["message"]


@pytest.mark.parametrize("bedrock_api_key", [BEARER])
async def test_a_bedrock_api_key_is_sent_as_a_bearer_token(jp_fetch, mock, standin, bedrock_api_key):
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body())
    assert response.code == 200
    assert text_of(response.body).startswith("Hello!")
    received = standin.requests()[-1]
    assert received["headers"]["authorization"] == f"Bearer {BEARER}"
    # Taken out of the environment before any kernel starts, like the AWS keys.
    assert not {"AWS_BEARER_TOKEN_BEDROCK", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"} & set(os.environ)
    assert_no_secret(response, BEARER)


async def test_an_exception_frame_mid_answer_becomes_the_error_event(jp_fetch, mock, standin):
    mock.queue("error_event_mid_stream", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body())
    events = events_of(response.body)
    assert events[0][0] == "message_start"
    assert events[-1][0] == "error"
    error = json.loads(events[-1][1])["error"]
    assert error["type"] == "overloaded_error"
    assert error["message"].startswith("Amazon Bedrock: ")


async def test_models_come_from_the_configuration(jp_fetch, standin):
    response = await jp_fetch("claude", "v1", "models", raise_error=False)
    assert [m["id"] for m in json.loads(response.body)["data"]] == MODELS
    one = await jp_fetch("claude", "v1", "models", MODEL, raise_error=False)
    assert json.loads(one.body)["id"] == MODEL
    missing = await jp_fetch("claude", "v1", "models", "claude-nope", raise_error=False)
    assert missing.code == 404 and error_of(missing)["type"] == "not_found_error"
    assert standin.requests() == []  # nothing asked of Bedrock


async def test_token_counts_are_estimated_and_say_so(jp_fetch, standin):
    body = {"model": MODEL, "messages": [{"role": "user", "content": "word " * 400}]}
    response = await post(jp_fetch, "v1", "messages", "count_tokens", body=body)
    assert response.code == 200
    count = json.loads(response.body)
    assert count["estimated"] is True and "estimated" in count["note"]
    assert 400 <= count["input_tokens"] <= 800  # 2000 characters of prose
    assert response.headers[ESTIMATED_HEADER] == "estimated"
    assert standin.requests() == []


def test_aws_keys_leave_the_environment_only_when_bedrock_signs_with_them(monkeypatch):
    monkeypatch.setattr(credentials, "_taken", {})
    env = {"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s", "AWS_BEARER_TOKEN_BEDROCK": "b"}
    other = dict(env)
    credentials.take_from_environment(other, credentials.credential_variables("anthropic"))
    assert other == {"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s"}  # the scientist's own keys
    mine = dict(env)
    credentials.take_from_environment(mine, credentials.credential_variables("bedrock"))
    assert mine == {}


def test_event_stream_cut_mid_frame_ends_with_an_error_event():
    from tests.provider_standins import chunk_frame

    frame = chunk_frame(b'{"type":"ping"}')
    decoder = EventStreamToSSE()
    assert decoder.feed(frame + frame[:7]) == b'event: ping\ndata: {"type":"ping"}\n\n'
    assert b"event: error" in decoder.flush()
    corrupt = bytearray(frame)
    corrupt[-1] ^= 0xFF
    assert b"cannot read" in EventStreamToSSE().feed(bytes(corrupt))


@pytest.mark.parametrize("bedrock_api_key", [BEARER], ids=["bearer"])  # the id is in PYTEST_CURRENT_TEST
async def test_a_kernel_gets_neither_the_aws_keys_nor_the_bedrock_key(jp_serverapp, jp_fetch, bedrock_api_key):
    from tests.test_key_environment import run_in_kernel

    probe = (
        "import os\n"
        "print(sorted(k for k in os.environ if k.startswith('AWS_')))\n"
        "print(open(f'/proc/{os.getppid()}/environ', 'rb').read().decode('utf-8', 'replace'))\n"
        "print('\\n'.join(f'{k}={v}' for k, v in os.environ.items()))\n"
    )
    out = await run_in_kernel(jp_serverapp, jp_fetch, "python3", probe)
    for secret in (SECRET_KEY, ACCESS_KEY, BEARER):
        assert secret not in out
    assert "AWS_SECRET_ACCESS_KEY" not in out and "AWS_BEARER_TOKEN_BEDROCK" not in out


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({**STREAM_BODY, "model": ".."}).encode(),
        json.dumps({**STREAM_BODY, "model": "x?action=delete"}).encode(),
        json.dumps({**STREAM_BODY, "model": "a#b"}).encode(),
        json.dumps({**STREAM_BODY, "model": "a\nb"}).encode(),
        json.dumps({**STREAM_BODY, "model": ""}).encode(),
        json.dumps({k: v for k, v in STREAM_BODY.items() if k != "model"}).encode(),
    ],
    ids=["not-json", "array", "dotdot", "query", "fragment", "newline", "empty", "no-model"],
)
async def test_bad_bodies_and_model_ids_are_refused_before_anything_is_signed(jp_fetch, standin, body):
    response = await post(jp_fetch, "v1", "messages", body=body)
    # 400 from the provider; a body without a model may already be refused (403) by the admin policy.
    assert (response.code, error_of(response)["type"]) in (
        (400, "invalid_request_error"),
        (403, "permission_error"),
    )
    assert standin.requests() == []


async def test_a_model_id_cannot_leave_its_path_segment(jp_fetch, mock, standin):
    mock.queue("hello", event_delay_ms=0)
    await post(jp_fetch, "v1", "messages", body=bedrock_body(model="../../../admin%2f..;x"))
    received = standin.requests()
    # One segment, quoted: the stand-in's route matched /model/{one segment}/invoke-with-response-stream.
    assert received and received[-1]["uri"] == "/model/..%2F..%2F..%2Fadmin%252f..;x/invoke-with-response-stream"


async def test_without_jupyters_token_nothing_reaches_bedrock(live_url, standin):
    async with httpx.AsyncClient() as client:
        r = await client.post(live_url["url"] + "claude/v1/messages", headers=dict(API_HEADERS), json=bedrock_body())
    assert r.status_code == 403
    assert standin.requests() == []


@pytest.fixture
def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_an_unreachable_endpoint_names_bedrock_and_its_setting(jp_fetch, jp_serverapp, closed_port):
    jp_serverapp.web_app.settings["claude_proxy"].config.bedrock_base_url = f"http://127.0.0.1:{closed_port}"
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body())
    assert response.code == 502
    message = error_of(response)["message"]
    assert message.startswith(f"The Jupyter server could not reach Amazon Bedrock at 127.0.0.1:{closed_port}")
    assert "c.ClaudeProxy.aws_region (or bedrock_base_url)" in message


@pytest.mark.parametrize("aws_keys_in_environment", [False])
@pytest.mark.parametrize("bedrock_settings", [{"aws_profile": "lab"}])
async def test_a_named_profile_signs(jp_fetch, mock, standin, bedrock_settings, aws_keys_in_environment, tmp_path):
    # The profile file is read at the first request (botocore's chain), so it can be written here.
    (tmp_path / "no-credentials").write_text(
        f"[lab]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
    )
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body())
    assert response.code == 200, response.body
    assert standin.requests()[-1]["verdict"] == "accepted"


@pytest.fixture
async def instance_metadata():
    """EC2's instance metadata service (IMDSv2) handing out a role's temporary credentials."""
    import datetime

    token = "imds-" + secrets.token_hex(8)
    session_token = "FwoGZXIvYXdzE" + secrets.token_urlsafe(40)
    calls = []

    async def handle(reader, writer):
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        method, path, _ = head.split("\r\n", 1)[0].split(" ", 2)
        calls.append((method, path))
        if method == "PUT" and path == "/latest/api/token":
            status, body = 200, token
        elif f"x-aws-ec2-metadata-token: {token}" not in head.lower():
            status, body = 401, ""
        elif path == "/latest/meta-data/iam/security-credentials/":
            status, body = 200, "lab-jupyter-role"
        elif path == "/latest/meta-data/iam/security-credentials/lab-jupyter-role":
            expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=6)
            status, body = (
                200,
                json.dumps(
                    {
                        "Code": "Success",
                        "Type": "AWS-HMAC",
                        "AccessKeyId": ACCESS_KEY,
                        "SecretAccessKey": SECRET_KEY,
                        "Token": session_token,
                        "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                ),
            )
        else:
            status, body = 404, ""
        data = body.encode()
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    yield {
        "url": f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}",
        "session_token": session_token,
        "calls": calls,
    }
    server.close()


@pytest.mark.parametrize("aws_keys_in_environment", [False])
async def test_an_instance_role_signs_with_its_session_token(
    jp_fetch, jp_serverapp, mock, standin, aws_keys_in_environment, instance_metadata, monkeypatch
):
    # botocore's chain reaches the metadata service at the first request, so the endpoint can be set here.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", instance_metadata["url"])
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=bedrock_body())
    assert response.code == 200, response.body
    received = standin.requests()[-1]
    assert received["verdict"] == "accepted"
    assert received["headers"]["x-amz-security-token"] == instance_metadata["session_token"]
    assert "x-amz-security-token" in received["signed_headers"]
    assert ("PUT", "/latest/api/token") in instance_metadata["calls"]
    assert_no_secret(response, instance_metadata["session_token"])
    # Credentials from the chain count among the secrets scrubbed from replies, like configured ones.
    secrets_now = jp_serverapp.web_app.settings["claude_proxy"].config.secrets
    assert instance_metadata["session_token"] in secrets_now and SECRET_KEY in secrets_now
