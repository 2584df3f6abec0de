"""The URLs the Bedrock and Vertex providers build are the ones the official SDK's clients build.

Each SDK client sends into an ``httpx2.MockTransport`` that keeps the request; ours must name the
same path for the same model id, including ids with ``:``, ``@``, ``/`` (an ARN) and ``;``.
"""

from __future__ import annotations

import httpx2
import pytest
from anthropic import AnthropicBedrock, AnthropicVertex

from jupyterlab_claude.providers.bedrock import invoke_path
from jupyterlab_claude.providers.vertex import count_tokens_url, default_base_url, model_url

MODEL_IDS = [
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "global.anthropic.claude-opus-4-1-20250805-v1:0",
    "arn:aws:bedrock:us-west-2:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-sonnet-4-5@20250929",
    "odd;model id+with spaces",
]


def sent(client_class, **kwargs) -> tuple[list[httpx2.Request], object]:
    requests: list[httpx2.Request] = []

    def keep(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        return httpx2.Response(200, json={"id": "m", "type": "message", "role": "assistant", "content": []})

    return requests, client_class(
        http_client=httpx2.Client(transport=httpx2.MockTransport(keep)), max_retries=0, **kwargs
    )


@pytest.mark.parametrize("model", MODEL_IDS)
@pytest.mark.parametrize("stream", [False, True])
def test_bedrock_invoke_path_is_the_sdks(model, stream):
    requests, client = sent(
        AnthropicBedrock, aws_access_key="AKIAX", aws_secret_key="s", aws_region="us-west-2", base_url="http://b"
    )
    try:
        client.messages.create(model=model, max_tokens=8, messages=[{"role": "user", "content": "hi"}], stream=stream)
    except Exception:
        pass  # the fake body is not an event stream; the request was sent all the same
    assert requests[0].url.raw_path.decode() == invoke_path(model, stream)


@pytest.mark.parametrize("model", MODEL_IDS)
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("region", ["us-east5", "europe-west1", "global"])
def test_vertex_predict_url_is_the_sdks(model, stream, region):
    requests, client = sent(AnthropicVertex, region=region, project_id="lab-1", access_token="t")
    try:
        client.messages.create(model=model, max_tokens=8, messages=[{"role": "user", "content": "hi"}], stream=stream)
    except Exception:
        pass
    url = requests[0].url
    assert f"{url.scheme}://{url.host}{url.raw_path.decode()}" == model_url(
        default_base_url(region), "lab-1", region, model, stream
    )


@pytest.mark.parametrize("region", ["us", "eu", "asia-southeast1"])
def test_vertex_count_tokens_url_and_regional_endpoints_are_the_sdks(region):
    requests, client = sent(AnthropicVertex, region=region, project_id="lab-1", access_token="t")
    try:
        client.messages.count_tokens(model="claude-sonnet-4-5@20250929", messages=[{"role": "user", "content": "hi"}])
    except Exception:
        pass
    url = requests[0].url
    assert f"{url.scheme}://{url.host}{url.raw_path.decode()}" == count_tokens_url(
        default_base_url(region), "lab-1", region
    )
