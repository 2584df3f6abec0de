"""provider = "vertex": the proxy against a Vertex AI stand-in, with real application-default credentials.

google-auth loads a service-account key file (GOOGLE_APPLICATION_CREDENTIALS) and gets its token
from the stand-in's OAuth endpoint with a JWT signed by that key, which the stand-in verifies; it
accepts only tokens it issued, and is first read by the official ``AnthropicVertex`` client.
"""

from __future__ import annotations

import asyncio
import json
import secrets

import httpx
import pytest
from anthropic import AnthropicVertex
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.transport.requests import Request
from google.oauth2 import service_account

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

PROJECT = "lab-project-1"
REGION = "us-east5"
MODEL = "claude-sonnet-4-5@20250929"
CLIENT_EMAIL = f"jupyter-claude@{PROJECT}.iam.gserviceaccount.com"


def private_key_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def account_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def vertex(mock_server, api_key, account_key, tmp_path_factory):
    public = tmp_path_factory.mktemp("vertex") / "service-account-public.pem"
    public.write_bytes(
        account_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    standin = Standin(
        "vertex", mock_server.url, api_key, "--project", PROJECT, "--region", REGION,
        "--public-key-file", str(public), "--client-email", CLIENT_EMAIL,
    )  # fmt: skip
    yield standin
    standin.stop()


@pytest.fixture
def signing_key(account_key):
    """The key the server's credentials file holds (a test swaps in one the stand-in does not know)."""
    return account_key


def account_info(standin, key) -> dict:
    """A service-account key file as the Cloud console writes it, its token endpoint the stand-in's."""
    return {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": secrets.token_hex(20),
        "private_key": private_key_pem(key),
        "client_email": CLIENT_EMAIL,
        "client_id": "1234567890",
        "token_uri": standin.url + "/token",
    }


@pytest.fixture(autouse=True)
def application_default_credentials(monkeypatch, tmp_path, vertex, signing_key):
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(account_info(vertex, signing_key)))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")  # never the metadata server of this machine
    return path


@pytest.fixture
def claude_config(vertex):
    return {
        "provider": "vertex",
        "vertex_project": PROJECT,
        "vertex_region": REGION,
        "vertex_base_url": vertex.url + "/v1",
        "models": [MODEL],
    }


@pytest.fixture
def standin(vertex):
    vertex.reset()
    return vertex


def vertex_body(**extra):
    return {**STREAM_BODY, "model": MODEL, **extra}


def official_client(standin, key) -> AnthropicVertex:
    credentials = service_account.Credentials.from_service_account_info(
        account_info(standin, key), scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )
    credentials.refresh(Request())
    return AnthropicVertex(
        region=REGION, project_id=PROJECT, access_token=credentials.token, base_url=standin.url + "/v1", max_retries=0
    )


def test_the_official_client_streams_from_the_standin(standin, mock, account_key):
    mock.queue("hello", event_delay_ms=0)
    client = official_client(standin, account_key)
    with client.messages.stream(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "hi"}]) as stream:
        text = "".join(stream.text_stream)
    assert text == "Hello! I'm Claude. How can I help you with your notebook today?"
    assert standin.requests()[-1]["verdict"] == "accepted"


async def test_streamed_answer_is_the_anthropic_paths_sse_and_the_request_the_sdks(
    jp_fetch, mock, api_key, standin, account_key
):
    expected = await direct_stream(mock, api_key, "hello", event_delay_ms=0)
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=vertex_body())
    assert response.code == 200
    assert response.body == expected
    token_request, ours = standin.requests()[-2:]
    assert token_request["verdict"] == "token issued"  # google-auth refreshed the ADC token from the stand-in
    assert ours["verdict"] == "accepted"
    assert ours["path"] == (
        f"/v1/projects/{PROJECT}/locations/{REGION}/publishers/anthropic/models/{MODEL}:streamRawPredict"
    )
    token = ours["headers"]["authorization"].removeprefix("Bearer ")
    assert_no_secret(response, token)

    mock.queue("hello", event_delay_ms=0)
    client = official_client(standin, account_key)
    client.messages.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "hi"}], stream=True
    ).close()
    theirs = standin.requests()[-1]
    assert (ours["uri"], ours["body"]) == (theirs["uri"], theirs["body"])


async def test_a_message_without_streaming_uses_raw_predict(jp_fetch, mock, standin):
    mock.queue("hello")
    response = await post(jp_fetch, "v1", "messages", body=vertex_body(stream=False))
    assert response.code == 200
    assert json.loads(response.body)["content"][0]["text"].startswith("Hello!")
    assert standin.requests()[-1]["path"].endswith(f"/models/{MODEL}:rawPredict")


async def test_token_counting_is_vertexs_own(jp_fetch, mock, api_key, standin):
    body = {"model": MODEL, "messages": [{"role": "user", "content": "count me"}]}
    response = await post(jp_fetch, "v1", "messages", "count_tokens", body=body)
    assert response.code == 200
    count = json.loads(response.body)
    async with httpx.AsyncClient() as client:
        direct = await client.post(
            mock.url + "/v1/messages/count_tokens", headers={**API_HEADERS, "x-api-key": api_key}, json=body
        )
    assert count == direct.json() and "estimated" not in count
    assert standin.requests()[-1]["path"].endswith("/publishers/anthropic/models/count-tokens:rawPredict")


async def test_stop_closes_the_upstream_answer(live_url, mock, standin):
    mock.queue("stall")
    async with httpx.AsyncClient(timeout=10) as client:
        async with client.stream(
            "POST",
            live_url["url"] + "claude/v1/messages",
            headers={**API_HEADERS, **live_url["auth"]},
            json=vertex_body(),
        ) as r:
            assert r.status_code == 200
            received = b""
            async for chunk in r.aiter_raw():
                received += chunk
                if received.count(b"\n\n") >= 3:
                    break
    assert [e for e, _ in events_of(received)] == ["message_start", "content_block_start", "ping"]
    for _ in range(100):
        if standin.requests()[-1].get("client_closed"):
            break
        await asyncio.sleep(0.05)
    assert standin.requests()[-1]["client_closed"]


async def test_quota_exhausted_is_a_429_and_overloaded_a_529(jp_fetch, mock, standin):
    mock.queue("error_429")
    response = await post(jp_fetch, "v1", "messages", body=vertex_body())
    assert response.code == 429
    error = error_of(response)
    assert error["type"] == "rate_limit_error"
    assert error["message"].startswith("Google Vertex AI refused the request (RESOURCE_EXHAUSTED): Quota exceeded")
    assert response.headers["x-should-retry"] == "true"

    mock.queue("error_529")
    response = await post(jp_fetch, "v1", "messages", body=vertex_body())
    assert response.code == 529
    assert error_of(response)["type"] == "overloaded_error"


async def test_a_revoked_token_is_a_401(jp_fetch, mock, standin):
    mock.queue("hello", event_delay_ms=0)
    assert (await post(jp_fetch, "v1", "messages", body=vertex_body())).code == 200
    standin.reset(revoke=True)
    response = await post(jp_fetch, "v1", "messages", body=vertex_body())
    assert response.code == 401
    error = error_of(response)
    assert error["type"] == "authentication_error"
    assert "UNAUTHENTICATED" in error["message"]


@pytest.mark.parametrize("signing_key", [rsa.generate_private_key(public_exponent=65537, key_size=2048)])
async def test_credentials_that_cannot_be_refreshed_are_a_401_saying_what_to_set(jp_fetch, standin, signing_key):
    response = await post(jp_fetch, "v1", "messages", body=vertex_body())
    assert response.code == 401
    error = error_of(response)
    assert error["type"] == "authentication_error"
    assert "RefreshError" in error["message"] and "application-default" in error["message"]
    assert "signature" in standin.requests()[-1]["assertion_error"].lower()


async def test_models_come_from_the_configuration(jp_fetch, standin):
    response = await jp_fetch("claude", "v1", "models", raise_error=False)
    assert [m["id"] for m in json.loads(response.body)["data"]] == [MODEL]
    assert not [r for r in standin.requests() if "/publishers/" in r["path"]]


async def test_the_answer_text_arrives(jp_fetch, mock, standin):
    mock.queue("markdown_code", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=vertex_body())
    assert "```" in text_of(response.body)
