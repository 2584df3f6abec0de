"""An institution's gateway speaking the Messages API (LiteLLM, Portkey, an API management front end).

Like the Anthropic API, with what a gateway needs: its own base URL (required: no default to fall
back on), a bearer token or key, the admin's extra headers, the institution's CA bundle (on the
shared client, see handlers.ProxyState) and the standard proxy variables (httpx honours them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .. import proxy
from ..errors import ClaudeError, ServerError
from .base import Provider, anthropic_error

#: An Anthropic error a gateway wrapped into its own message (LiteLLM reports an upstream 529 as a
#: 500 whose message quotes the original body).
_WRAPPED_TYPE = re.compile(r'\\?"type\\?":\s*\\?"(overloaded_error|rate_limit_error|authentication_error)\\?"')
_WRAPPED = {"overloaded_error": 529, "rate_limit_error": 429, "authentication_error": 401}


class GatewayProvider(Provider):
    name = "gateway"
    label = "the gateway"
    url_setting = "c.ClaudeProxy.base_url (or ANTHROPIC_BASE_URL)"

    def check(self) -> None:
        cfg = self.config
        if cfg.base_url.rstrip("/") in ("", "https://api.anthropic.com"):
            raise ServerError(
                "c.ClaudeProxy.provider is 'gateway' but no gateway URL is set: set c.ClaudeProxy.base_url "
                "(or ANTHROPIC_BASE_URL) to the gateway's address, then restart the Jupyter server.",
                headers={"x-should-retry": "false", "x-claude-proxy-error": "no-gateway-url"},
            )
        if not (cfg.api_key or cfg.auth_token or cfg.extra_headers):
            raise ClaudeError(
                "No credential for the gateway is configured on this Jupyter server. Set ANTHROPIC_AUTH_TOKEN "
                "(or c.ClaudeProxy.auth_token / api_key, or the header it wants in c.ClaudeProxy.extra_headers), "
                "then restart JupyterLab.",
                status=401,
                error_type="authentication_error",
                headers={"x-should-retry": "false", "x-claude-proxy-error": "no-api-key"},
            )

    def error_reply(self, status: int, headers: Mapping[str, str], raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        """As the gateway said it, except an Anthropic error the gateway re-labelled (e.g. 529 sent on as 500)."""
        try:
            detail = json.loads(raw or b"{}")
        except ValueError:
            return status, raw, {}
        error = detail.get("error") if isinstance(detail, dict) else None
        if not isinstance(error, dict) or status < 500:
            return status, raw, {}
        found = _WRAPPED_TYPE.search(str(error.get("message", "")))
        if not found:
            return status, raw, {}
        error_type = found.group(1)
        message = proxy.scrub_text(str(error.get("message", "")), self.config.secrets)
        return anthropic_error(_WRAPPED[error_type], error_type, message, {"x-should-retry": "true"})
