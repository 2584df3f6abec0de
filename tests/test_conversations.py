"""Saved conversations: the store's functions, and its routes on a real Jupyter server."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from jupyterlab_claude import conversations as store
from jupyterlab_claude.errors import BadRequest, Missing, Refused

NB = "analysis/run.ipynb"


def turn(turn_id: str, role: str = "user", text: str = "", created: str = "", **extra: Any) -> dict[str, Any]:
    t = {"id": turn_id, "role": role, "text": text or f"{role} {turn_id}", "thinking": "", "status": "done"}
    if created:
        t["created"] = created
    t.update(extra)
    return t


def conversation(*turns: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"version": 1, "title": "", "model": "claude-sonnet-4-6", "turns": list(turns), **extra}


def ids(data: dict[str, Any]) -> list[str]:
    return [t["id"] for t in data["turns"]]


# -- paths -----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "a b!", "../x", "x/y", "x" * 65, "a.json"])
def test_bad_conversation_ids_are_refused(bad):
    with pytest.raises(BadRequest):
        store.validate_id(bad)


@pytest.mark.parametrize("path", ["/etc/x.ipynb", "C:/x.ipynb", "~/x.ipynb", "\\\\srv\\x.ipynb"])
def test_absolute_notebook_paths_are_refused(tmp_path, path):
    with pytest.raises(Refused):
        store.notebook_dir(str(tmp_path), path)


@pytest.mark.parametrize("path", ["../x.ipynb", "a/../../x.ipynb", "a/../x.ipynb"])
def test_dotdot_in_notebook_paths_is_refused(tmp_path, path):
    with pytest.raises(Refused):
        store.notebook_dir(str(tmp_path), path)


@pytest.mark.parametrize("path", ["", "data.csv", "folder", "x.ipynb.json"])
def test_only_notebooks_have_conversations(tmp_path, path):
    with pytest.raises(BadRequest):
        store.notebook_dir(str(tmp_path), path)


def test_a_symlink_out_of_the_store_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "analysis").symlink_to(outside)
    with pytest.raises(Refused):
        store.save_conversation(str(folder), NB, "c1", conversation(turn("q1")))
    assert list(outside.iterdir()) == []
    with pytest.raises(Refused):
        store.list_conversations(str(folder), NB)


def test_store_folder_is_under_the_root_unless_absolute(tmp_path):
    assert store.store_root(str(tmp_path), ".jupyter-claude/conversations") == os.path.join(
        str(tmp_path), ".jupyter-claude/conversations"
    )
    assert store.store_root(str(tmp_path), "/srv/claude") == "/srv/claude"


# -- round trip, listing, delete ---------------------------------------------------------


def test_round_trip_writes_readable_indented_json(tmp_path):
    q = turn("q1", text="What is in sales.csv?\nThanks", created="2026-01-01T10:00:00.000Z")
    a = turn(
        "a1",
        "assistant",
        "Columns a, b.",
        model="claude-opus-4-7",
        requestId="req_1",
        usage={"inputTokens": 3, "outputTokens": 4, "cacheCreationInputTokens": 0, "cacheReadInputTokens": 0},
        exchange=[{"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "sig"}]}],
    )
    saved = store.save_conversation(str(tmp_path), NB, "c1", conversation(q, a, created="2026-01-01T10:00:00.000Z"))
    path = tmp_path / "analysis" / "run.ipynb" / "c1.json"
    text = path.read_text()
    assert text.startswith('{\n  "version": 1,')
    data = json.loads(text)
    assert data == saved
    assert data["id"] == "c1" and data["notebook"] == NB
    assert data["title"] == "What is in sales.csv?"
    assert data["model"] == "claude-opus-4-7"
    assert data["turns"] == [q, a]
    assert store.read_conversation(str(tmp_path), NB, "c1") == data


def test_listing_is_newest_first_with_titles_and_counts(tmp_path):
    store.save_conversation(
        str(tmp_path), NB, "old", conversation(turn("q1", text="first")), now="2026-01-01T00:00:00.000Z"
    )
    store.save_conversation(
        str(tmp_path),
        NB,
        "new",
        conversation(turn("q2", text="second"), turn("a2", "assistant")),
        now="2026-01-02T00:00:00.000Z",
    )
    (tmp_path / "analysis" / "run.ipynb" / "junk.json").write_text("not json")
    listed = store.list_conversations(str(tmp_path), NB)
    assert [(c["id"], c["title"], c["turns"]) for c in listed] == [("new", "second", 2), ("old", "first", 1)]
    assert store.list_conversations(str(tmp_path), "other.ipynb") == []


def test_delete_removes_the_file_and_prunes_empty_folders(tmp_path):
    store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q1")))
    store.delete_conversation(str(tmp_path), NB, "c1")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(Missing):
        store.delete_conversation(str(tmp_path), NB, "c1")
    with pytest.raises(Missing):
        store.read_conversation(str(tmp_path), NB, "c1")


def test_malformed_bodies_are_refused(tmp_path):
    for body in (
        [],
        {"turns": "x"},
        {"turns": [{"id": "../x", "role": "user"}]},
        {"turns": [{"id": "a", "role": "system"}]},
        {"turns": [], "removed_turns": [1]},
    ):
        with pytest.raises(BadRequest):
            store.save_conversation(str(tmp_path), NB, "c1", body)


# -- merging ---------------------------------------------------------------------------


def test_merge_keeps_both_writers_turns_with_answers_after_their_questions():
    a = conversation(turn("qa", created="2026-01-01T10:00:00.000Z"), turn("aa", "assistant"))
    b = conversation(turn("qb", created="2026-01-01T10:00:01.000Z"), turn("ab", "assistant"))
    merged = store.merge(store.merge(None, a), b)
    assert ids(merged) == ["qa", "aa", "qb", "ab"]
    # Whichever writes first, the result is the same.
    assert ids(store.merge(store.merge(None, b), a)) == ["qa", "aa", "qb", "ab"]


def test_merge_replaces_a_turn_with_the_same_id():
    stored = store.merge(None, conversation(turn("q1"), turn("a1", "assistant", "partial", status="cut")))
    merged = store.merge(stored, conversation(turn("q1"), turn("a1", "assistant", "whole answer")))
    assert ids(merged) == ["q1", "a1"]
    assert merged["turns"][1]["text"] == "whole answer"
    assert merged["turns"][1]["status"] == "done"


def test_merge_keeps_a_retried_answer_removed():
    stored = store.merge(None, conversation(turn("q1"), turn("a1", "assistant", status="error")))
    merged = store.merge(stored, conversation(turn("q1"), turn("a2", "assistant"), removed_turns=["a1"]))
    assert ids(merged) == ["q1", "a2"]
    # A writer that still has the failed answer does not bring it back.
    again = store.merge(merged, conversation(turn("q1"), turn("a1", "assistant", status="error")))
    assert ids(again) == ["q1", "a2"]


def test_merge_keeps_the_earliest_created_time():
    first = store.merge(
        None, conversation(turn("q1"), created="2026-01-01T00:00:00.000Z"), now="2026-01-01T00:00:00.000Z"
    )
    later = store.merge(
        first, conversation(turn("q2"), created="2026-02-01T00:00:00.000Z"), now="2026-02-02T00:00:00.000Z"
    )
    assert later["created"] == "2026-01-01T00:00:00.000Z"
    assert later["updated"] == "2026-02-02T00:00:00.000Z"


async def test_concurrent_writers_of_one_file_lose_nothing(tmp_path):
    """Many writers at once through the handler's lock: every turn survives, the JSON stays whole."""
    from jupyterlab_claude.config import ClaudeProxy
    from jupyterlab_claude.store import ConversationStore

    locks = ConversationStore(ClaudeProxy())
    path = store.conversation_file(str(tmp_path), NB, "c1")
    loop = asyncio.get_running_loop()

    async def write(n: int) -> None:
        body = conversation(turn(f"q{n}", created=f"2026-01-01T10:00:{n:02d}.000Z"), turn(f"a{n}", "assistant"))
        async with locks.lock(path):
            await loop.run_in_executor(None, store.save_conversation, str(tmp_path), NB, "c1", body)

    await asyncio.gather(*(write(n) for n in range(20)))
    data = json.loads(Path(path).read_text())
    assert ids(data) == [x for n in range(20) for x in (f"q{n}", f"a{n}")]


# -- atomic writes ---------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q1")))
    path = tmp_path / "analysis" / "run.ipynb" / "c1.json"
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q2")))
    assert path.read_text() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["c1.json"]


def test_a_failed_first_write_leaves_no_file(tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(store.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q1")))
    assert list((tmp_path / "analysis" / "run.ipynb").iterdir()) == []


# -- secrets ---------------------------------------------------------------------------


def test_configured_secrets_are_never_written(tmp_path):
    # Built at run time so the repository holds nothing shaped like a real key.
    key = "-".join(["sk", "ant", "test", "abcdef0123456789"])
    body = conversation(
        turn("q1", text=f"my key is {key}"),
        turn("a1", "assistant", exchange=[{"role": "user", "content": [{"type": "text", "text": key}]}]),
    )
    store.save_conversation(str(tmp_path), NB, "c1", body, secrets=[key])
    text = (tmp_path / "analysis" / "run.ipynb" / "c1.json").read_text()
    assert key not in text
    assert "[redacted]" in text


# -- following renames -----------------------------------------------------------------


def test_moving_a_notebook_moves_its_conversations(tmp_path):
    store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q1")))
    assert store.move_notebook(str(tmp_path), NB, "final/report.ipynb")
    assert not (tmp_path / "analysis").exists()
    data = store.read_conversation(str(tmp_path), "final/report.ipynb", "c1")
    assert ids(data) == ["q1"]
    on_disk = json.loads((tmp_path / "final" / "report.ipynb" / "c1.json").read_text())
    assert on_disk["notebook"] == "final/report.ipynb"
    assert not store.move_notebook(str(tmp_path), "nothing.ipynb", "else.ipynb")


def test_moving_a_folder_moves_the_conversations_of_its_notebooks(tmp_path):
    store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q1")))
    store.save_conversation(str(tmp_path), "analysis/sub/x.ipynb", "c2", conversation(turn("q2")))
    assert store.move_notebook(str(tmp_path), "analysis", "archive/2026")
    assert ids(store.read_conversation(str(tmp_path), "archive/2026/run.ipynb", "c1")) == ["q1"]
    assert ids(store.read_conversation(str(tmp_path), "archive/2026/sub/x.ipynb", "c2")) == ["q2"]


def test_moving_onto_existing_conversations_merges_them(tmp_path):
    store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q1", created="2026-01-01T00:00:00.000Z")))
    store.save_conversation(
        str(tmp_path), "b.ipynb", "c1", conversation(turn("q2", created="2026-01-02T00:00:00.000Z"))
    )
    store.save_conversation(str(tmp_path), "b.ipynb", "c3", conversation(turn("q3")))
    store.move_notebook(str(tmp_path), NB, "b.ipynb")
    assert ids(store.read_conversation(str(tmp_path), "b.ipynb", "c1")) == ["q1", "q2"]
    assert [c["id"] for c in store.list_conversations(str(tmp_path), "b.ipynb")].count("c3") == 1


# -- the routes on a real Jupyter server ------------------------------------------------


def store_dir(root: Path) -> Path:
    return root / ".jupyter-claude" / "conversations"


async def call(jp_fetch, method: str, *path: str, notebook: str = NB, body: Any = None, **kwargs):
    params = {"notebook": notebook} if notebook is not None else {}
    extra = {"body": body if isinstance(body, (str, bytes)) else json.dumps(body)} if body is not None else {}
    r = await jp_fetch(
        "claude", "conversations", *path, method=method, params=params, raise_error=False, **extra, **kwargs
    )
    return r.code, json.loads(r.body) if r.body else None


async def test_routes_round_trip_list_and_delete(jp_fetch, jp_root_dir):
    body = conversation(turn("q1", text="Plot it", created="2026-01-01T10:00:00.000Z"), turn("a1", "assistant"))
    code, saved = await call(jp_fetch, "PUT", "c1", body=body)
    assert code == 200, saved
    assert saved["title"] == "Plot it" and ids(saved) == ["q1", "a1"]
    assert (store_dir(jp_root_dir) / "analysis" / "run.ipynb" / "c1.json").is_file()

    code, got = await call(jp_fetch, "GET", "c1")
    assert code == 200 and got == saved
    code, listed = await call(jp_fetch, "GET")
    assert code == 200
    assert [(c["id"], c["title"], c["turns"]) for c in listed["conversations"]] == [("c1", "Plot it", 2)]

    code, _ = await call(jp_fetch, "DELETE", "c1")
    assert code == 204
    assert not store_dir(jp_root_dir).exists() or not any(store_dir(jp_root_dir).rglob("*.json"))
    code, err = await call(jp_fetch, "GET", "c1")
    assert code == 404 and err["error"]["type"] == "not_found_error"
    code, listed = await call(jp_fetch, "GET")
    assert listed["conversations"] == []


async def test_concurrent_puts_from_two_tabs_are_merged(jp_fetch, jp_root_dir):
    async def tab(n: int):
        body = conversation(turn(f"q{n}", created=f"2026-01-01T10:00:{n:02d}.000Z"), turn(f"a{n}", "assistant"))
        return await call(jp_fetch, "PUT", "shared", body=body)

    results = await asyncio.gather(*(tab(n) for n in range(8)))
    assert all(code == 200 for code, _ in results)
    code, got = await call(jp_fetch, "GET", "shared")
    assert ids(got) == [x for n in range(8) for x in (f"q{n}", f"a{n}")]


@pytest.mark.parametrize(
    "notebook,conversation_id,status",
    [
        ("../outside.ipynb", "c1", 403),
        ("/etc/passwd.ipynb", "c1", 403),
        ("data.csv", "c1", 400),
        ("", "c1", 400),
        (NB, "bad.id", 400),
        (NB, "x" * 65, 400),
    ],
)
async def test_routes_refuse_bad_paths_and_ids(jp_fetch, jp_root_dir, notebook, conversation_id, status):
    code, err = await call(jp_fetch, "PUT", conversation_id, notebook=notebook, body=conversation(turn("q1")))
    assert code == status, err
    assert err["type"] == "error"
    code, _ = await call(jp_fetch, "GET", conversation_id, notebook=notebook)
    assert code == status
    assert not (jp_root_dir.parent / "outside.ipynb").exists()


async def test_routes_refuse_a_symlink_out_of_the_store(jp_fetch, jp_root_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    store_dir(jp_root_dir).mkdir(parents=True)
    (store_dir(jp_root_dir) / "analysis").symlink_to(outside)
    code, _ = await call(jp_fetch, "PUT", "c1", body=conversation(turn("q1")))
    assert code == 403
    assert list(outside.iterdir()) == []


async def test_route_refuses_bad_json(jp_fetch):
    code, err = await call(jp_fetch, "PUT", "c1", body="{not json")
    assert code == 400 and err["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("claude_config", [{"max_request_bytes": 1000}])
async def test_route_caps_the_body(jp_fetch, claude_config, jp_root_dir):
    code, err = await call(jp_fetch, "PUT", "c1", body=conversation(turn("q1", text="x" * 2000)))
    assert code == 413
    assert not store_dir(jp_root_dir).exists()


async def test_the_configured_key_is_never_stored(jp_fetch, jp_root_dir, api_key):
    body = conversation(turn("q1", text=f"is {api_key} my key?"), turn("a1", "assistant", text="It was " + api_key))
    code, saved = await call(jp_fetch, "PUT", "c1", body=body)
    assert code == 200
    assert api_key not in json.dumps(saved)
    for path in store_dir(jp_root_dir).rglob("*"):
        if path.is_file():
            assert api_key not in path.read_text()


@pytest.mark.parametrize("claude_config", [{"conversations_dir": "saved-chats"}])
async def test_the_folder_is_configurable(jp_fetch, jp_root_dir, claude_config):
    code, _ = await call(jp_fetch, "PUT", "c1", body=conversation(turn("q1")))
    assert code == 200
    assert (jp_root_dir / "saved-chats" / "analysis" / "run.ipynb" / "c1.json").is_file()


async def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_renaming_the_notebook_through_the_contents_api_moves_its_conversations(jp_fetch, jp_root_dir):
    (jp_root_dir / "analysis").mkdir()
    (jp_root_dir / NB).write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    await call(jp_fetch, "PUT", "c1", body=conversation(turn("q1")))
    r = await jp_fetch("api", "contents", NB, method="PATCH", body=json.dumps({"path": "renamed.ipynb"}))
    assert r.code == 200
    moved = store_dir(jp_root_dir) / "renamed.ipynb" / "c1.json"
    await wait_for(moved.is_file)
    assert not (store_dir(jp_root_dir) / "analysis").exists()
    code, got = await call(jp_fetch, "GET", "c1", notebook="renamed.ipynb")
    assert code == 200 and ids(got) == ["q1"] and got["notebook"] == "renamed.ipynb"

    # Renaming the folder a notebook is in moves them too.
    (jp_root_dir / "proj").mkdir()
    (jp_root_dir / "proj" / "a.ipynb").write_text((jp_root_dir / "renamed.ipynb").read_text())
    await call(jp_fetch, "PUT", "c2", notebook="proj/a.ipynb", body=conversation(turn("q2")))
    r = await jp_fetch("api", "contents", "proj", method="PATCH", body=json.dumps({"path": "project"}))
    assert r.code == 200
    await wait_for((store_dir(jp_root_dir) / "project" / "a.ipynb" / "c2.json").is_file)


async def test_deleting_the_notebook_keeps_its_conversations(jp_fetch, jp_root_dir):
    (jp_root_dir / "gone.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    await call(jp_fetch, "PUT", "c1", notebook="gone.ipynb", body=conversation(turn("q1")))
    r = await jp_fetch("api", "contents", "gone.ipynb", method="DELETE")
    assert r.code == 204
    await asyncio.sleep(0.2)
    code, got = await call(jp_fetch, "GET", "c1", notebook="gone.ipynb")
    assert code == 200 and ids(got) == ["q1"]


@pytest.fixture
def saved_before_start(jp_root_dir):
    """Files on disk before the server starts (set up before ``jp_fetch`` starts it)."""
    store.save_conversation(str(store_dir(jp_root_dir)), NB, "c1", conversation(turn("q1", text="still there?")))


async def test_a_server_started_later_reads_what_was_saved(saved_before_start, jp_fetch):
    """As after a restart: the store is only files, so a new server serves what an old one saved."""
    code, listed = await call(jp_fetch, "GET")
    assert [c["title"] for c in listed["conversations"]] == ["still there?"]
    code, got = await call(jp_fetch, "GET", "c1")
    assert code == 200 and ids(got) == ["q1"]


# -- authentication --------------------------------------------------------------------


@pytest.fixture
def live(jp_serverapp, http_server, jp_http_port, jp_base_url):
    return {
        "url": f"http://127.0.0.1:{jp_http_port}{jp_base_url}",
        "token": jp_serverapp.identity_provider.token,
    }


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_routes_need_authentication(live, jp_root_dir, method):
    url = live["url"] + f"claude/conversations/c1?notebook={NB}"
    async with httpx.AsyncClient() as client:
        r = await client.request(method, url, content=json.dumps(conversation(turn("q1"))))
        assert r.status_code == 403
        r = await client.get(live["url"] + f"claude/conversations?notebook={NB}")
        assert r.status_code == 403
    assert not store_dir(jp_root_dir).exists()


async def test_cookie_authenticated_writes_need_the_xsrf_token(live, jp_root_dir):
    async with httpx.AsyncClient() as client:
        r = await client.get(live["url"] + "api/status", headers={"Authorization": f"token {live['token']}"})
        login = [c.split(";")[0] for c in r.headers.get_list("set-cookie") if c.startswith("username-")][0]
        url = live["url"] + f"claude/conversations/c1?notebook={NB}"
        body = json.dumps(conversation(turn("q1")))
        for method in ("PUT", "DELETE"):
            r = await client.request(method, url, headers={"Cookie": login}, content=body if method == "PUT" else None)
            assert r.status_code == 403, method
        assert not store_dir(jp_root_dir).exists()
        r = await client.put(url, headers={"Cookie": f"{login}; _xsrf=abc", "X-XSRFToken": "abc"}, content=body)
        assert r.status_code == 200
        r = await client.delete(url, headers={"Cookie": f"{login}; _xsrf=abc", "X-XSRFToken": "abc"})
        assert r.status_code == 204


# -- odd text, odd bodies, several server processes --------------------------------------

LONE = '{"turns": [{"id": "q1", "role": "user", "text": "cut \\ud83d here", "thinking": "", "status": "done"}]}'


def test_lone_surrogates_are_repaired_and_saved(tmp_path):
    """A cut emoji (a lone UTF-16 surrogate) is replaced by U+FFFD, not a failed save."""
    saved = store.save_conversation(str(tmp_path), NB, "c1", json.loads(LONE))
    assert saved["turns"][0]["text"] == "cut \ufffd here"
    assert saved["warnings"] and "U+FFFD" in saved["warnings"][0]
    on_disk = json.loads((tmp_path / "analysis" / "run.ipynb" / "c1.json").read_text(encoding="utf-8"))
    assert on_disk["turns"][0]["text"] == "cut \ufffd here"
    assert "warnings" not in on_disk
    # A valid pair (escaped or not) is kept as it is.
    pair = json.loads('{"turns": [{"id": "q2", "role": "user", "text": "\\ud83d\\ude00 \U0001f600"}]}')
    saved = store.save_conversation(str(tmp_path), NB, "c2", pair)
    assert saved["turns"][0]["text"] == "\U0001f600 \U0001f600" and "warnings" not in saved


async def test_route_saves_a_chat_with_a_cut_emoji(jp_fetch, jp_root_dir):
    code, saved = await call(jp_fetch, "PUT", "c1", body=LONE)
    assert code == 200, saved
    assert saved["turns"][0]["text"] == "cut \ufffd here"
    assert "replaced" in saved["warnings"][0]
    code, got = await call(jp_fetch, "GET", "c1")
    assert code == 200 and got["turns"][0]["text"] == "cut \ufffd here"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [65, 700, 100_000])
async def test_route_refuses_deeply_nested_bodies(jp_fetch, jp_root_dir, depth):
    body = '{"turns": [{"id": "q1", "role": "user", "text": "", "context": {"x": ' + nested(depth) + "}}]}"
    code, err = await call(jp_fetch, "PUT", "c1", body=body)
    assert code == 400, err
    assert err["error"]["type"] == "invalid_request_error"
    assert "nested" in err["error"]["message"]
    assert not store_dir(jp_root_dir).exists() or not any(store_dir(jp_root_dir).rglob("*.json"))


def test_depth_is_checked_before_anything_recursive(tmp_path):
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(BadRequest, match="nested"):
        store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q1", context={"x": deep})), secrets=["k"])
    # A body as deep as a real conversation is fine.
    ok = conversation(
        turn("q1"),
        turn(
            "a1",
            "assistant",
            exchange=[
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t", "name": "n", "input": {"a": [[[{"b": 1}]]]}}],
                }
            ],
        ),
    )
    assert ids(store.save_conversation(str(tmp_path), NB, "c2", ok)) == ["q1", "a1"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
async def test_route_refuses_nan_and_infinity(jp_fetch, jp_root_dir, literal):
    body = '{"turns": [{"id": "q1", "role": "user", "text": "", "usage": {"inputTokens": ' + literal + "}}]}"
    code, err = await call(jp_fetch, "PUT", "c1", body=body)
    assert code == 400, err
    assert literal.lstrip("-") in err["error"]["message"]
    assert not store_dir(jp_root_dir).exists() or not any(store_dir(jp_root_dir).rglob("*.json"))


def test_nan_is_never_written(tmp_path):
    with pytest.raises(BadRequest):
        store.save_conversation(str(tmp_path), NB, "c1", conversation(turn("q1", usage={"inputTokens": float("nan")})))
    assert not any(tmp_path.rglob("*.json"))


@pytest.mark.parametrize(
    "body",
    [
        {"turns": [], "title": {"x": 1}},
        {"turns": [], "version": "1"},
        {"turns": [], "created": 5},
        {"turns": [], "model": []},
        {"turns": [{"id": "q1", "role": "user", "thinking": 5}]},
        {"turns": [{"id": "q1", "role": "user", "status": "sideways"}]},
        {"turns": [{"id": "q1", "role": "user", "created": 5}]},
        {"turns": [{"id": "q1", "role": "user", "usage": "lots"}]},
        {"turns": [{"id": "q1", "role": "user", "context": []}]},
        {"turns": [{"id": "a1", "role": "assistant", "toolCalls": {}}]},
        {"turns": [{"id": "a1", "role": "assistant", "exchange": [{"role": "system", "content": []}]}]},
        {"turns": [{"id": "a1", "role": "assistant", "exchange": [{"role": "user", "content": "x"}]}]},
    ],
)
def test_the_shape_of_a_conversation_is_checked(tmp_path, body):
    with pytest.raises(BadRequest):
        store.save_conversation(str(tmp_path), NB, "c1", body)


@pytest.mark.parametrize("claude_config", [{"max_request_bytes": 4000}])
async def test_route_caps_the_body_with_a_clear_message(jp_fetch, claude_config, jp_root_dir):
    code, err = await call(jp_fetch, "PUT", "c1", body=conversation(turn("q1", text="\U0001f600" * 2000)))
    assert code == 413
    assert err["error"]["type"] == "request_too_large" and "max_request_bytes" in err["error"]["message"]
    code, _ = await call(jp_fetch, "PUT", "c1", body=conversation(turn("q1", text="x" * 3000)))
    assert code == 200


def _save_turns(folder: str, worker: int, count: int, start) -> None:
    start.wait()
    for n in range(count):
        body = conversation(
            turn(f"q{worker}-{n}", created=f"2026-01-01T10:{worker:02d}:{n:02d}.000Z"),
            turn(f"a{worker}-{n}", "assistant"),
        )
        store.save_conversation(folder, NB, "shared", body)


def test_two_processes_saving_at_once_lose_nothing(tmp_path):
    """Two server processes sharing one root (JupyterHub on a shared filesystem) save one chat."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_save_turns, args=(str(tmp_path), w, 30, start)) for w in range(2)]
    for p in workers:
        p.start()
    start.set()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    data = store.read_conversation(str(tmp_path), NB, "shared")
    expected = {f"{k}{w}-{n}" for w in range(2) for n in range(30) for k in "qa"}
    assert set(ids(data)) == expected and len(ids(data)) == 120
    assert not [p for p in (tmp_path / "analysis" / "run.ipynb").iterdir() if p.name.startswith(".tmp-")]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_servers(tmp_path):
    """Two real Jupyter servers (two processes) with the extension, sharing one root."""
    import secrets as _secrets
    import subprocess
    import sys
    import time

    root = tmp_path / "root"
    root.mkdir()
    token = _secrets.token_hex(16)
    procs, urls = [], []
    for i in range(2):
        port = _free_port()
        runtime = tmp_path / f"runtime-{i}"
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(tmp_path / f"config-{i}")}
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jupyter_server",
                    "--no-browser",
                    "--allow-root",
                    f"--port={port}",
                    "--ip=127.0.0.1",
                    f"--ServerApp.root_dir={root}",
                    f"--IdentityProvider.token={token}",
                    "--ServerApp.jpserver_extensions={'jupyterlab_claude': True}",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(tmp_path / f"server-{i}.log", "wb"),
            )
        )
        urls.append(f"http://127.0.0.1:{port}/")
    try:
        deadline = time.monotonic() + 60
        for url, proc in zip(urls, procs, strict=True):
            while True:
                assert proc.poll() is None, (tmp_path / "server-0.log").read_text()
                assert time.monotonic() < deadline, "the servers did not start"
                try:
                    if httpx.get(url + "claude/status", headers={"Authorization": f"token {token}"}).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
        yield {"urls": urls, "token": token, "root": root}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except Exception:
                proc.kill()


async def test_two_jupyter_servers_sharing_a_root_lose_no_turns(two_servers):
    urls, token = two_servers["urls"], two_servers["token"]
    headers = {"Authorization": f"token {token}"}
    count = 24

    async with httpx.AsyncClient(timeout=30) as client:

        async def ask(n: int):
            body = conversation(turn(f"q{n}", created=f"2026-01-01T10:00:{n:02d}.000Z"), turn(f"a{n}", "assistant"))
            url = urls[n % 2] + f"claude/conversations/shared?notebook={NB}"
            return await client.put(url, headers=headers, content=json.dumps(body))

        replies = await asyncio.gather(*(ask(n) for n in range(count)))
        assert [r.status_code for r in replies] == [200] * count
        got = (await client.get(urls[0] + f"claude/conversations/shared?notebook={NB}", headers=headers)).json()
    assert ids(got) == [x for n in range(count) for x in (f"q{n}", f"a{n}")]
