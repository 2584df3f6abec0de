"""The admin policy: each rule, the daily count (restart, midnight), and its routes' auth."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_claude.policy import ClaudePolicy, PolicyRefusal
from jupyterlab_claude.usage import Usage, UsageLedger, UsageMeter

HELLO = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": [{"role": "user", "content": "Hello"}]}


async def fetch_json(jp_fetch, *path: str, **kwargs: Any) -> Any:
    response = await jp_fetch(*path, **kwargs)
    return json.loads(response.body) if response.body else None


async def test_policy_route_gives_the_browser_view(jp_fetch):
    view = await fetch_json(jp_fetch, "claude", "policy")
    assert view["allowed_models"] == []
    assert view["managed"] == []
    assert view["usage"]["counted"] == 0
