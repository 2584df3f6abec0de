"""Server entries, the config file, project files, trust and result bounds (no processes)."""

from __future__ import annotations

import json
import sys

from jupyterlab_claude.mcp import results
from jupyterlab_claude.mcp.config import (
    ClaudeMCP,
    command_allowed,
    parse_spec,
    read_project_file,
    read_servers_file,
)
from jupyterlab_claude.mcp.trust import TrustStore


def test_stdio_entry_in_claude_desktop_shape(tmp_path):
    spec = parse_spec(
        "uvvis",
        {
            "command": "python",
            "args": ["x.py", "--token=${TOKEN}"],
            "env": {"A": "${TOKEN}", "B": "${MISSING:-fallback}"},
        },
        "config",
        str(tmp_path),
        {"TOKEN": "abcdefgh12345678"},
    )
    assert spec.error is None and spec.transport == "stdio"
    assert spec.args == ["x.py", "--token=abcdefgh12345678"]
    assert spec.env == {"A": "abcdefgh12345678", "B": "fallback"}
    assert spec.cwd == str(tmp_path)
    described = spec.describe()
    assert described["env"] == ["A", "B"]
    assert described["args"] == ["x.py", "--token=[redacted]"]
    assert "abcdefgh12345678" not in json.dumps(described)


def test_project_entries_are_not_expanded_and_stay_inside_the_root(tmp_path):
    spec = parse_spec("p", {"command": "python", "env": {"A": "${HOME}"}}, "project", str(tmp_path))
    assert spec.env == {"A": "${HOME}"}
    assert parse_spec("p", {"command": "python", "cwd": "../elsewhere"}, "project", str(tmp_path)).error
    assert parse_spec("p", {"command": "python", "cwd": "/etc"}, "project", str(tmp_path)).error
    assert parse_spec("p", {"command": "python", "cwd": "sub"}, "project", str(tmp_path)).cwd == str(tmp_path / "sub")


def test_http_entry_masks_headers_and_url_secrets(tmp_path):
    spec = parse_spec(
        "remote",
        {
            "type": "http",
            "url": "https://user:pw@host.example:8443/mcp?key=s3cr3tvalue",
            "headers": {"Authorization": "Bearer tok-1234567890"},
        },
        "config",
        str(tmp_path),
        {},
    )
    assert spec.describe() == {
        "transport": "http",
        "url": "https://host.example:8443/mcp",
        "headers": ["Authorization"],
    }
    assert "tok-1234567890" in spec.secrets() and "Bearer tok-1234567890" in spec.secrets()


def test_unusable_entries_say_why(tmp_path):
    cases = {
        ("bad/name", json.dumps({"command": "x"})): "Server names",
        ("a", json.dumps("python")): "must be an object",
        ("a", json.dumps({"args": []})): "needs a 'command'",
        ("a", json.dumps({"type": "http", "url": "file:///etc/passwd"})): "http:// or https://",
        ("a", json.dumps({"type": "sse", "url": "http://x"})): "Unknown server type",
        ("a", json.dumps({"command": "x", "args": "not a list"})): "list of strings",
        ("a", json.dumps({"command": "x", "env": {"A": 1}})): "object of strings",
    }
    for (name, entry), message in cases.items():
        spec = parse_spec(name, json.loads(entry), "config", str(tmp_path), {})
        assert spec.error and message in spec.error, (name, entry, spec.error)


def test_config_file_and_project_file(tmp_path):
    path = tmp_path / "claude_mcp.json"
    path.write_text(json.dumps({"mcpServers": {"a": {"command": "x"}}}))
    assert read_servers_file(str(path)) == ({"a": {"command": "x"}}, None)
    path.write_text("{not json")
    servers, error = read_servers_file(str(path))
    assert servers == {} and "not valid JSON" in error
    assert read_servers_file(str(tmp_path / "missing.json")) == ({}, None)
    assert read_project_file(str(tmp_path)).exists is False
    (tmp_path / ".mcp.json").write_text(json.dumps({"servers": {}}))
    assert 'no "mcpServers"' in read_project_file(str(tmp_path)).error


def test_allowed_commands_compare_resolved_executables(tmp_path):
    assert command_allowed("anything", [])
    assert command_allowed(sys.executable, [sys.executable])
    assert not command_allowed(sys.executable, ["node"])
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    # Same name, other file: not the allowed python.
    assert not command_allowed(str(fake), [sys.executable])
    assert not command_allowed("no-such-command-anywhere", ["no-such-command-anywhere"])


def test_trust_is_per_root_and_per_hash(tmp_path):
    store = TrustStore(str(tmp_path / "data" / "trust.json"))
    assert not store.is_trusted("/r1", "h1")
    store.trust("/r1", "h1")
    assert store.is_trusted("/r1", "h1") and not store.is_trusted("/r2", "h1") and not store.is_trusted("/r1", "h2")
    store.forget("/r1", "h1")
    assert not store.is_trusted("/r1", "h1")
    (tmp_path / "data" / "trust.json").write_text("garbage")
    assert not store.is_trusted("/r1", "h1")  # an unreadable store trusts nothing


def test_defaults():
    cfg = ClaudeMCP()
    assert cfg.call_timeout == 120 and cfg.allow_project_servers is True and cfg.allowed_commands == []
    assert cfg.config_file.endswith("claude_mcp.json") and cfg.trust_file.endswith("mcp_trust.json")
    assert cfg.max_result_bytes == 10 * 1024 * 1024
    assert cfg.auto_approve == "read-only"


def test_bound_result_keeps_order_and_says_what_was_cut():
    result = {
        "content": [
            {"type": "text", "text": "a" * 1000},
            {"type": "image", "data": "b" * 5000, "mimeType": "image/png"},
        ],
        "structuredContent": None,
        "isError": False,
    }
    out, cut = results.bound_result(result, 4000)
    assert cut and out["content"][0]["text"] == "a" * 1000
    assert out["content"][1]["type"] == "text" and "1 content block(s) were left out" in out["content"][1]["text"]
    same, cut = results.bound_result(result, 10**6)
    assert same is result and not cut
    text = {"content": [{"type": "text", "text": "é" * 5000}], "isError": False}
    out, cut = results.bound_result(text, 4000)
    assert cut and set(out["content"][0]["text"]) == {"é"}  # never half a character


def test_scrub_reaches_keys_and_nested_values():
    secret = "s3cr3t-value-0123456789"
    data = {secret: [f"x{secret}y", {"k": secret.upper()}], "n": 1}
    assert results.scrub(data, [secret]) == {"[redacted]": ["x[redacted]y", {"k": "[redacted]"}], "n": 1}
