"""``c.ClaudeProxy.*`` settings of the upstream provider (mixed into :class:`~jupyterlab_claude.config.ClaudeProxy`).

Kept here, beside the providers that read them, so that config.py stays the list of the proxy's
own settings. Traitlets applies ``c.ClaudeProxy.provider = "bedrock"`` to these as to the others.
"""

from __future__ import annotations

import os

from traitlets import Dict, Enum, List, Set, Unicode, default
from traitlets.config import Configurable

PROVIDER_NAMES = ("anthropic", "bedrock", "vertex", "gateway")


class ProviderSettings(Configurable):
    """The provider settings; the class that mixes them in supplies ``_from_environment(name)``."""

    provider = Enum(
        PROVIDER_NAMES,
        default_value="anthropic",
        help="""Where the server sends the Messages API calls the panel makes:
        'anthropic' (the public API, or base_url with api_key / auth_token),
        'bedrock' (Amazon Bedrock: AWS credentials from the standard chain or AWS_BEARER_TOKEN_BEDROCK, aws_region),
        'vertex' (Google Vertex AI: application-default credentials, vertex_project, vertex_region),
        'gateway' (an institution's own gateway speaking the Messages API: base_url, auth_token or api_key,
        extra_headers, ca_bundle). The browser speaks the Messages API to this server whichever is chosen.""",
    ).tag(config=True)

    models = List(
        Unicode(),
        default_value=[],
        help="""The model ids the panel's picker offers (for Bedrock, e.g.
        'us.anthropic.claude-sonnet-4-5-20250929-v1:0'; for Vertex, e.g. 'claude-sonnet-4-5@20250929').
        Bedrock and Vertex have no models endpoint, so this is where their list comes from; when set,
        it is also the list for 'anthropic' and 'gateway'.""",
    ).tag(config=True)

    extra_headers = Dict(
        value_trait=Unicode(),
        key_trait=Unicode(),
        default_value={},
        help="""Headers added to every upstream request (e.g. a gateway's tenant or cost-centre header).
        Their values count as secrets: they are scrubbed from whatever goes back to the browser.""",
    ).tag(config=True)

    ca_bundle = Unicode(
        help="""A PEM file of certificate authorities to trust for the upstream's TLS (an institution's own CA).
        Defaults to the SSL_CERT_FILE environment variable, then the system's store. HTTPS_PROXY, HTTP_PROXY,
        ALL_PROXY and NO_PROXY are honoured as usual.""",
    ).tag(config=True)

    aws_region = Unicode(
        help="Bedrock's AWS region. Defaults to AWS_REGION, AWS_DEFAULT_REGION, then the AWS profile's region.",
    ).tag(config=True)

    aws_profile = Unicode(
        help="AWS profile (~/.aws/config) whose credentials sign Bedrock requests. Defaults to AWS_PROFILE.",
    ).tag(config=True)

    bedrock_bearer_token = Unicode(
        help="""A Bedrock API key, sent as ``Authorization: Bearer``, instead of AWS signing.
        Defaults to AWS_BEARER_TOKEN_BEDROCK (removed from the environment like the Anthropic key).""",
    ).tag(config=True)

    bedrock_base_url = Unicode(
        help="""Bedrock runtime endpoint. Defaults to ANTHROPIC_BEDROCK_BASE_URL, then
        https://bedrock-runtime.<aws_region>.amazonaws.com (set it for a VPC endpoint or GovCloud's FIPS endpoint).""",
    ).tag(config=True)

    vertex_project = Unicode(
        help="Google Cloud project for Vertex AI. Defaults to ANTHROPIC_VERTEX_PROJECT_ID, then the credentials'.",
    ).tag(config=True)

    vertex_region = Unicode(
        help="Vertex AI region ('us-east5', 'europe-west1', 'global', ...). Defaults to CLOUD_ML_REGION.",
    ).tag(config=True)

    vertex_base_url = Unicode(
        help="""Vertex AI endpoint, up to and including /v1. Defaults to ANTHROPIC_VERTEX_BASE_URL, then
        https://<vertex_region>-aiplatform.googleapis.com/v1 (https://aiplatform.googleapis.com/v1 for 'global').""",
    ).tag(config=True)

    #: Credentials obtained while running (Vertex access tokens), scrubbed like the configured ones.
    learned_secrets = Set()

    @default("ca_bundle")
    def _default_ca_bundle(self) -> str:
        return os.environ.get("SSL_CERT_FILE", "").strip()

    @default("aws_region")
    def _default_aws_region(self) -> str:
        return (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "").strip()

    @default("aws_profile")
    def _default_aws_profile(self) -> str:
        return os.environ.get("AWS_PROFILE", "").strip()

    @default("bedrock_bearer_token")
    def _default_bedrock_bearer_token(self) -> str:
        return self._from_environment("AWS_BEARER_TOKEN_BEDROCK")

    @default("bedrock_base_url")
    def _default_bedrock_base_url(self) -> str:
        return os.environ.get("ANTHROPIC_BEDROCK_BASE_URL", "").strip()

    @default("vertex_project")
    def _default_vertex_project(self) -> str:
        return os.environ.get("ANTHROPIC_VERTEX_PROJECT_ID", "").strip()

    @default("vertex_region")
    def _default_vertex_region(self) -> str:
        return os.environ.get("CLOUD_ML_REGION", "").strip()

    @default("vertex_base_url")
    def _default_vertex_base_url(self) -> str:
        return os.environ.get("ANTHROPIC_VERTEX_BASE_URL", "").strip()

    @property
    def provider_secrets(self) -> list[str]:
        """The provider's credential values (besides api_key / auth_token) that never leave the server."""
        values = [self.bedrock_bearer_token, *self.extra_headers.values()]
        if self.provider == "bedrock":  # otherwise they are the scientist's own, and stay in the environment
            values += [self._from_environment(n) for n in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")]
        values += sorted(self.learned_secrets)
        return [v for v in values if v]

    def remember_secret(self, value: str) -> None:
        """Count a credential obtained while running (a Vertex access token) among the secrets."""
        if value:
            self.learned_secrets = self.learned_secrets | {value}
