"""c.ClaudePolicy.disabled_modes: the permission modes the panel may not offer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from traitlets.config import Config

from jupyterlab_claude.policy import ClaudePolicy


@pytest.fixture
def policy_config() -> dict[str, Any]:
    return {}


@pytest.fixture
def jp_server_config(jp_server_config: Config, policy_config: dict[str, Any]) -> Config:
    jp_server_config.ClaudePolicy = Config(policy_config)
    return jp_server_config


def test_no_mode_is_turned_off_by_default():
    view = ClaudePolicy().browser_view()
    assert view["disabled_modes"] == []
    assert "disabled_modes" not in view["managed"]


@pytest.mark.parametrize("value", [["ask"], ["runInNotebook", "yolo"], ["Plan"]])
def test_unknown_modes_and_ask_are_refused_with_the_setting_named(value):
    with pytest.raises(Exception, match="ClaudePolicy.disabled_modes"):
        ClaudePolicy(disabled_modes=value)


@pytest.mark.parametrize("policy_config", [{"disabled_modes": ["runInNotebook", "acceptEdits"]}])
async def test_the_browser_is_told_which_modes_the_admin_turned_off(jp_fetch, policy_config):
    view = json.loads((await jp_fetch("claude", "policy")).body)
    assert view["disabled_modes"] == ["runInNotebook", "acceptEdits"]
    assert "disabled_modes" in view["managed"]
