"""The audit log: its fields, no conversation text by default, approvals, rotation by size."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from jupyterlab_claude.audit import AuditLog

HEADERS = {"anthropic-version": "2023-06-01", "content-type": "application/json"}
SECRET_PROMPT = "the patient cohort from site 7"
BODY = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 64,
    "stream": True,
    "messages": [{"role": "user", "content": [{"type": "text", "text": SECRET_PROMPT}]}],
}


@pytest.fixture
def audit_path(tmp_path) -> Path:
    return tmp_path / "logs" / "claude-audit.jsonl"


@pytest.fixture
def policy_config(audit_path) -> dict[str, Any]:
    return {"audit_log": str(audit_path)}


@pytest.fixture
def jp_server_config(jp_server_config: Config, policy_config: dict[str, Any]) -> Config:
    jp_server_config.ClaudePolicy = Config(policy_config)
    return jp_server_config


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def ask(jp_fetch, body=BODY, **headers):
    return await jp_fetch(
        "claude",
        "v1",
        "messages",
        method="POST",
        body=json.dumps(body),
        headers={**HEADERS, **headers},
        raise_error=False,
    )


async def approve(jp_fetch, event: Any):
    return await jp_fetch(
        "claude",
        "audit",
        "approval",
        method="POST",
        body=event if isinstance(event, (bytes, str)) else json.dumps(event),
        raise_error=False,
    )


async def test_an_answer_is_logged_with_its_fields_and_no_text(jp_fetch, mock, audit_path):
    mock.queue("tool_use", event_delay_ms=0)
    r = await ask(jp_fetch, **{"x-claude-notebook": "projects/assay.ipynb"})
    assert r.code == 200
    (record,) = records(audit_path)
    assert record["event"] == "answer"
    assert datetime.fromisoformat(record["time"]).tzinfo is not None
    assert record["user"]
    assert record["notebook"] == "projects/assay.ipynb"
    assert record["model"] == "claude-sonnet-4-6"
    assert record["request_id"] == r.headers["request-id"]
    assert record["message_id"].startswith("msg_")
    assert record["status"] == 200
    assert set(record["tokens"]) == {"input", "output", "cache_read", "cache_write"}
    assert record["tokens"]["input"] > 0 and record["tokens"]["output"] > 0
    assert record["tools"] and all(t["name"] and t["id"].startswith("toolu_") for t in record["tools"])
    assert record["stop_reason"] == "tool_use"
    text = audit_path.read_text()
    assert SECRET_PROMPT not in text and "prompt" not in record and "answer" not in record
    assert oct(audit_path.stat().st_mode & 0o777) == "0o600"
    # The notebook header is ours: it never travels upstream.
    assert "x-claude-notebook" not in mock.requests()[0]["headers"]


async def test_with_audit_contents_the_prompt_and_answer_are_logged(jp_fetch, mock, audit_path, jp_serverapp):
    jp_serverapp.web_app.settings["claude_policy"].policy.audit_contents = True
    mock.queue("hello", event_delay_ms=0)
    assert (await ask(jp_fetch)).code == 200
    (record,) = records(audit_path)
    assert record["prompt"] == SECRET_PROMPT
    assert record["answer"] == "Hello! I'm Claude. How can I help you with your notebook today?"
    assert (await approve(jp_fetch, {"tool": "run_cell", "decision": "rejected", "reason": "no"})).code == 204
    assert records(audit_path)[-1]["reason"] == "no"


async def test_approvals_are_logged(jp_fetch, audit_path):
    r = await approve(
        jp_fetch,
        {
            "tool": "run_cell",
            "tool_use_id": "toolu_01",
            "decision": "rejected",
            "notebook": "a.ipynb",
            "kind": "run",
            "reason": "not on the shared GPU",
        },
    )
    assert r.code == 204
    (record,) = records(audit_path)
    assert record["event"] == "approval"
    assert (record["tool"], record["tool_use_id"], record["decision"], record["notebook"], record["kind"]) == (
        "run_cell",
        "toolu_01",
        "rejected",
        "a.ipynb",
        "run",
    )
    assert "reason" not in record  # the scientist's words are contents


@pytest.mark.parametrize(
    "event,code",
    [
        (b"{", 400),
        (b"[]", 400),
        ({"tool": "run_cell", "decision": "maybe"}, 400),
        ({"decision": "accepted"}, 400),
        ({"tool": ["x"], "decision": "accepted"}, 400),
        (json.dumps({"tool": "x" * 20000, "decision": "accepted"}), 413),
    ],
)
async def test_bad_approval_events_are_refused_and_not_logged(jp_fetch, audit_path, event, code):
    r = await approve(jp_fetch, event)
    assert r.code == code
    assert "message" in json.loads(r.body)["error"]
    assert not audit_path.exists()


async def test_refusals_are_logged(jp_fetch, mock, audit_path, jp_serverapp):
    jp_serverapp.web_app.settings["claude_policy"].policy.allowed_models = ["claude-haiku-4-5"]
    r = await ask(jp_fetch)
    assert r.code == 403
    (record,) = records(audit_path)
    assert (record["event"], record["reason"], record["model"]) == ("refused", "model-not-allowed", "claude-sonnet-4-6")


def test_rotation_by_size_keeps_the_configured_backups(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path), max_bytes=400, backups=2, clock=lambda: datetime(2026, 3, 2, tzinfo=timezone.utc))
    for i in range(40):
        log.write("answer", n=i, pad="x" * 50)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]
    for p in tmp_path.iterdir():
        assert p.stat().st_size <= 400
        for record in records(p):
            assert record["time"] == "2026-03-02T00:00:00.000+00:00"
    # Nothing lost between the current file and its first backup; the newest line is in the current one.
    current, first = records(path), records(tmp_path / "audit.jsonl.1")
    assert current[-1]["n"] == 39
    assert first[-1]["n"] + 1 == current[0]["n"]


def test_no_backups_means_the_log_starts_over(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path), max_bytes=200, backups=0)
    for i in range(20):
        log.write("answer", n=i)
    assert [p.name for p in tmp_path.iterdir()] == ["audit.jsonl"]
    assert records(path)[-1]["n"] == 19
