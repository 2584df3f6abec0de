"""Where the proxy sends the Messages API: Anthropic, Amazon Bedrock, Google Vertex AI or a gateway.

The proxy calls one object, :class:`~.base.Provider`: ``check()`` before anything is sent,
``prepare(...)`` for the upstream request (or an answer made here), ``error_reply(...)`` for
an upstream refusal, and the ``decoder`` of a prepared request for a 2xx body the browser could
not read as it is. ``c.ClaudeProxy.provider`` picks the class.
"""

from __future__ import annotations

from typing import Any

from .base import ESTIMATED_HEADER, Answer, Prepared, Provider
from .settings import PROVIDER_NAMES, ProviderSettings


def make_provider(config: Any) -> Provider:
    """The provider ``config.provider`` names (its modules import botocore / google-auth only when chosen)."""
    name = config.provider
    if name == "bedrock":
        from .bedrock import BedrockProvider

        return BedrockProvider(config)
    if name == "vertex":
        from .vertex import VertexProvider

        return VertexProvider(config)
    if name == "gateway":
        from .gateway import GatewayProvider

        return GatewayProvider(config)
    return Provider(config)


__all__ = ["ESTIMATED_HEADER", "PROVIDER_NAMES", "Answer", "Prepared", "Provider", "ProviderSettings", "make_provider"]
