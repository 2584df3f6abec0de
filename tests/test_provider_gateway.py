"""provider = "gateway": the proxy through a real gateway nobody here wrote, the LiteLLM proxy from PyPI.

LiteLLM (its own virtual environment, .venv-litellm, made by scripts/setup.sh) runs as a process
in front of the mock Messages API with a master key; the Jupyter server reaches it as a gateway
with that key as its bearer token.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket

import httpx
import pytest

from tests.provider_support import (
    API_HEADERS,
    ROOT,
    STREAM_BODY,
    Process,
    assert_no_secret,
    direct_stream,
    error_of,
    events_of,
    live_url,
    post,
    text_of,
)

__all__ = ["live_url"]  # a fixture

LITELLM = os.environ.get("LITELLM_BIN", str(ROOT / ".venv-litellm" / "bin" / "litellm"))
MASTER_KEY = "sk-litellm-" + secrets.token_hex(12)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def litellm(mock_server, api_key, tmp_path_factory):
    assert os.path.exists(LITELLM), f"{LITELLM} is missing: run scripts/setup.sh (it installs requirements-gateway.txt)"
    folder = tmp_path_factory.mktemp("litellm")
    config = folder / "config.yaml"
    config.write_text(
        json.dumps(  # YAML is a superset of JSON
            {
                "model_list": [
                    {
                        "model_name": "claude-sonnet-4-6",
                        "litellm_params": {
                            "model": "anthropic/claude-sonnet-4-6",
                            "api_base": mock_server.url,
                            "api_key": api_key,
                        },
                    }
                ],
                "general_settings": {"master_key": MASTER_KEY},
                "litellm_settings": {"num_retries": 0, "telemetry": False},
                "router_settings": {"disable_cooldowns": True, "num_retries": 0},
            }
        )
    )
    env = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False", "NO_PROXY": "*", "HOME": str(folder)}
    gateway = Process(
        [LITELLM, "--config", str(config), "--host", "127.0.0.1", "--port", str(free_port()), "--num_workers", "1"],
        r"Uvicorn running on (http://\S+)",
        env=env,
        timeout=120,
    )
    yield gateway
    gateway.stop()


@pytest.fixture
def gateway_config() -> dict:
    """Changes to the gateway configuration below ("mock" as base_url: the mock API itself as the gateway)."""
    return {}


@pytest.fixture
def claude_config(request, litellm, mock, api_key, gateway_config, monkeypatch):
    config = {"provider": "gateway", "base_url": litellm.url, "api_key": "", "auth_token": MASTER_KEY}
    config.update(gateway_config)
    if config["base_url"] == "mock":  # with the mock's own key
        config.update(base_url=mock.url, api_key=api_key, auth_token="")
    if config["base_url"] == "tls":  # LiteLLM behind TLS that only the lab's CA vouches for
        tls = request.getfixturevalue("tls_gateway")
        config["base_url"] = tls["url"]
        if config.get("ca_bundle") == "lab-ca":
            config["ca_bundle"] = tls["ca"]
    if config.pop("via_proxy", False):  # set before the server's client exists, as in its environment
        monkeypatch.setenv("HTTPS_PROXY", request.getfixturevalue("outbound_proxy")["url"])
    no_proxy = config.pop("no_proxy", None)
    if no_proxy:
        monkeypatch.setenv("NO_PROXY", no_proxy)
    return config


async def test_an_answer_streams_through_the_gateway(jp_fetch, mock, api_key):
    expected = await direct_stream(mock, api_key, "hello", event_delay_ms=0)
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert response.code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    # LiteLLM re-serialises the events (its own usage fields); the answer and its shape are the same.
    assert [e for e, _ in events_of(response.body)] == [e for e, _ in events_of(expected)]
    assert text_of(response.body) == text_of(expected)
    gateway_call = mock.requests()[-1]
    assert gateway_call["headers"]["x-api-key"] == api_key  # the gateway's own key to the API
    assert_no_secret(response, MASTER_KEY, api_key)


async def test_a_message_without_streaming(jp_fetch, mock):
    mock.queue("hello")
    response = await post(jp_fetch, "v1", "messages", body=dict(STREAM_BODY, stream=False))
    assert response.code == 200
    assert json.loads(response.body)["content"][0]["text"].startswith("Hello!")


async def test_stop_closes_the_connection_to_the_gateway(live_url, mock):
    mock.queue("slow_long", event_delay_ms=100)
    async with httpx.AsyncClient(timeout=20) as client:
        async with client.stream(
            "POST",
            live_url["url"] + "claude/v1/messages",
            headers={**API_HEADERS, **live_url["auth"]},
            json=STREAM_BODY,
        ) as r:
            assert r.status_code == 200
            received = b""
            async for chunk in r.aiter_raw():
                received += chunk
                if received.count(b"\n\n") >= 5:
                    break
    assert events_of(received)[0][0] == "message_start"
    # The gateway passes the hang-up on: the API's answer is cancelled upstream as well.
    for _ in range(200):
        if mock.requests()[-1]["client_closed"]:
            break
        await asyncio.sleep(0.05)
    assert mock.requests()[-1]["client_closed"]


@pytest.mark.parametrize(
    ("fixture", "status", "error_type"),
    [
        ("error_429", 429, "rate_limit_error"),
        # LiteLLM sends an upstream 529 on as a 500 whose message quotes the API's error: said as the 529 it was.
        ("error_529", 529, "overloaded_error"),
        ("error_401", 401, "authentication_error"),
    ],
)
async def test_errors_come_back_plainly(jp_fetch, mock, fixture, status, error_type):
    mock.queue(fixture)
    response = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert response.code == status
    error = error_of(response)
    assert error["type"] == error_type
    assert error["message"]
    assert_no_secret(response, MASTER_KEY)


@pytest.mark.parametrize("gateway_config", [{"base_url": "https://api.anthropic.com"}])
async def test_a_gateway_without_its_url_says_what_to_set(jp_fetch, mock, gateway_config):
    response = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert response.code == 500
    assert "c.ClaudeProxy.base_url" in error_of(response)["message"]
    assert mock.requests() == []


@pytest.mark.parametrize(
    "gateway_config",
    [{"base_url": "mock", "extra_headers": {"X-Lab-Tenant": "fusion-group", "X-Gateway-Key": "gw-" + "k" * 20}}],
)
async def test_extra_headers_go_up_and_their_values_never_come_back(jp_fetch, mock, gateway_config, api_key):
    # The mock as the gateway: it records the headers, and echoes the key back in this stream.
    mock.queue("echo_key_stream", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=STREAM_BODY, headers={"X-Lab-Tenant": "from-the-browser"})
    assert response.code == 200
    received = mock.requests()[-1]["headers"]
    assert received["x-lab-tenant"] == "fusion-group"  # the admin's, not the browser's
    assert received["x-gateway-key"] == "gw-" + "k" * 20
    assert received["x-api-key"] == api_key
    assert_no_secret(response, api_key, "gw-" + "k" * 20)


# -- an institution's TLS and its outbound proxy ------------------------------------------------


def certificate_authority(folder):
    """A CA of the institution's own, and a certificate it issued for 127.0.0.1 (PEM files)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Lab Root CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gateway.lab")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def relay(client_reader, client_writer, host, port):
    upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
    await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))


@pytest.fixture
async def tls_gateway(litellm, tmp_path):
    """LiteLLM behind a TLS front end whose certificate only the lab's CA vouches for."""
    import ssl
    from urllib.parse import urlsplit

    paths = certificate_authority(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(paths["cert"], paths["key"])
    target = urlsplit(litellm.url)
    server = await asyncio.start_server(
        lambda r, w: relay(r, w, target.hostname, target.port), "127.0.0.1", 0, ssl=context
    )
    port = server.sockets[0].getsockname()[1]
    yield {"url": f"https://127.0.0.1:{port}", "ca": str(paths["ca"]), "port": port}
    server.close()


@pytest.fixture
async def outbound_proxy():
    """An HTTP CONNECT proxy (what HTTPS_PROXY names) that records where it was asked to go."""
    seen = []

    async def handle(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = request.split(b"\r\n", 1)[0].decode().split(" ", 2)
        seen.append((method, target))
        host, _, port = target.rpartition(":")
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await relay(reader, writer, host, int(port))

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    yield {"url": f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", "seen": seen}
    server.close()


@pytest.mark.parametrize("gateway_config", [{"base_url": "tls", "ca_bundle": "lab-ca"}])
async def test_the_labs_ca_bundle_lets_the_server_trust_the_gateway(jp_fetch, mock, gateway_config):
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert response.code == 200
    assert text_of(response.body).startswith("Hello!")


@pytest.mark.parametrize("gateway_config", [{"base_url": "tls"}])
async def test_without_the_labs_ca_the_certificate_is_refused_plainly(jp_fetch, mock, gateway_config):
    response = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert response.code == 502
    assert "TLS/certificate error" in error_of(response)["message"]
    assert mock.requests() == []


@pytest.mark.parametrize("gateway_config", [{"base_url": "tls", "ca_bundle": "lab-ca", "via_proxy": True}])
async def test_https_proxy_from_the_environment_is_used(jp_fetch, mock, gateway_config, tls_gateway, outbound_proxy):
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert response.code == 200
    assert outbound_proxy["seen"] == [("CONNECT", f"127.0.0.1:{tls_gateway['port']}")]


@pytest.mark.parametrize("gateway_config", [{"base_url": "mock", "models": ["claude-sonnet-4-6", "lab-claude-fast"]}])
async def test_configured_models_are_the_list_even_where_the_upstream_has_one(jp_fetch, mock, gateway_config):
    response = await jp_fetch("claude", "v1", "models", raise_error=False)
    assert [m["id"] for m in json.loads(response.body)["data"]] == ["claude-sonnet-4-6", "lab-claude-fast"]
    assert mock.requests() == []


@pytest.mark.parametrize(
    "gateway_config", [{"base_url": "tls", "ca_bundle": "lab-ca", "via_proxy": True, "no_proxy": "127.0.0.1"}]
)
async def test_no_proxy_keeps_the_gateway_direct(jp_fetch, mock, gateway_config, outbound_proxy):
    mock.queue("hello", event_delay_ms=0)
    response = await post(jp_fetch, "v1", "messages", body=STREAM_BODY)
    assert response.code == 200
    assert outbound_proxy["seen"] == []
