"""Claude's read-only file tools: the path rules and readers, then the routes on a real server."""

from __future__ import annotations

import io
import json
import os
import time
from typing import Any

import httpx
import pytest

from jupyterlab_claude import files

# -- helpers ---------------------------------------------------------------------------


def write(root, rel: str, content: Any = "x\n") -> str:
    path = os.path.join(str(root), *rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode) as f:
        f.write(content)
    return path


def big_csv(root, rel: str = "big.csv", mb: int = 50) -> str:
    row = b"12345,alpha beta gamma,3.14159,2024-01-01\n"
    path = os.path.join(str(root), rel)
    with open(path, "wb") as f:
        f.write(b"id,name,value,date\n")
        block = row * 20000
        for _ in range(mb * 1024 * 1024 // len(block) + 1):
            f.write(block)
    assert os.path.getsize(path) >= mb * 1024 * 1024
    return path


class CountingFile(io.FileIO):
    """A raw file that records every byte read from it."""

    log: list[int] = []

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        CountingFile.log.append(len(data))
        return data

    def readinto(self, buffer) -> int:  # pragma: no cover - read_prefix uses read()
        n = super().readinto(buffer)
        CountingFile.log.append(n or 0)
        return n

    def readall(self) -> bytes:  # pragma: no cover
        data = super().readall()
        CountingFile.log.append(len(data))
        return data


def counting_open(path, mode="rb", buffering=-1):
    assert mode == "rb" and buffering == 0
    return CountingFile(path, "r")


# -- path rules (pure) -----------------------------------------------------------------


@pytest.mark.parametrize("path,parts", [("", []), (".", []), ("./a//b/", ["a", "b"]), ("a\\b.csv", ["a", "b.csv"])])
def test_split_relative_normalises(path, parts):
    assert files.split_relative(path) == parts


@pytest.mark.parametrize("path", ["/etc/passwd", "\\\\server\\share", "C:\\Windows", "c:/x", "~/secret.csv"])
def test_absolute_paths_are_refused(path):
    with pytest.raises(files.Refused, match="Absolute paths"):
        files.split_relative(path)


@pytest.mark.parametrize("path", ["..", "../x", "a/../../x", "a/..", "a\\..\\..\\x"])
def test_dotdot_is_refused(path):
    with pytest.raises(files.Refused, match=r"'\.\.'"):
        files.split_relative(path)


def test_nul_in_path_is_a_bad_request():
    with pytest.raises(files.BadRequest):
        files.split_relative("a\x00b")


@pytest.mark.parametrize(
    "path",
    [
        ".ssh/id_rsa",
        "home/.ssh/config",
        ".gnupg/pubring.kbx",
        ".aws/config",
        ".env",
        ".env.local",
        ".ENV.production",
        ".netrc",
        ".pgpass",
        ".git-credentials",
        "secrets/credentials",
        "secrets/credentials.json",
        "keys/id_rsa.pub",
        "keys/id_ed25519",
        "certs/server.pem",
        "certs/server.KEY",
        ".jupyter/jupyter_server_config.json",
        ".ipython/profile_default/security/kernel-1.json",
        "runtime/jpserver-123.json",
    ],
)
def test_secret_paths_are_recognised(path):
    assert files.secret_reason(path.split("/"))


@pytest.mark.parametrize(
    "path",
    [
        "data/sales.csv",
        "notes.txt",
        "environment.yml",
        "keyboard.csv",
        "credentials_report.csv",
        ".ipython/profile_default/startup/x.py",
        "id.csv",
    ],
)
def test_ordinary_paths_are_not_secret(path):
    assert files.secret_reason(path.split("/")) is None


def test_is_within_uses_whole_components(tmp_path):
    root = str(tmp_path / "root")
    assert files.is_within(root, root)
    assert files.is_within(os.path.join(root, "a"), root)
    assert not files.is_within(root + "-sibling", root)
    assert not files.is_within(str(tmp_path), root)


def test_resolve_inside_root_and_missing(tmp_path):
    write(tmp_path, "data/a.csv")
    real, rel = files.resolve(str(tmp_path), "./data//a.csv")
    assert real == os.path.realpath(tmp_path / "data" / "a.csv") and rel == "data/a.csv"
    with pytest.raises(files.Missing):
        files.resolve(str(tmp_path), "data/nope.csv")


def test_resolve_hidden_needs_the_setting_but_secrets_never_pass(tmp_path):
    write(tmp_path, ".cache/x.txt")
    write(tmp_path, ".env", "KEY=1\n")
    with pytest.raises(files.Refused, match="hidden"):
        files.resolve(str(tmp_path), ".cache/x.txt")
    assert files.resolve(str(tmp_path), ".cache/x.txt", allow_hidden=True)[1] == ".cache/x.txt"
    with pytest.raises(files.Refused, match="credentials"):
        files.resolve(str(tmp_path), ".env", allow_hidden=True)


def test_resolve_refuses_symlinks_out_of_the_root_without_saying_where(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    outside = write(tmp_path, "outside/private.txt", "top secret\n")
    os.symlink(outside, root / "link.txt")
    os.symlink(tmp_path / "outside", root / "linkdir")
    for rel in ("link.txt", "linkdir/private.txt", "linkdir"):
        with pytest.raises(files.Refused, match="outside the Jupyter root") as info:
            files.resolve(str(root), rel)
        assert str(tmp_path) not in info.value.message


def test_resolve_refuses_innocent_names_linking_to_secrets_inside_the_root(tmp_path):
    key = write(tmp_path, ".ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
    os.symlink(key, tmp_path / "notes.txt")
    with pytest.raises(files.Refused, match="credentials"):
        files.resolve(str(tmp_path), "notes.txt", allow_hidden=True)


def test_parse_int_clamps_and_rejects_junk():
    assert files.parse_int(None, "lines", 20, 200) == 20
    assert files.parse_int("5000", "lines", 20, 200) == 200
    assert files.parse_int("-3", "lines", 20, 200) == 1
    with pytest.raises(files.BadRequest, match="'lines' must be an integer"):
        files.parse_int("ten", "lines", 20, 200)


# -- readers (pure) --------------------------------------------------------------------


def test_list_dir_sorts_caps_and_counts_hidden(tmp_path):
    for name in ("b.csv", "A.txt", "c.json"):
        write(tmp_path, name)
    write(tmp_path, "zdir/x.csv")
    write(tmp_path, "Adir/x.csv")
    write(tmp_path, ".hidden")
    write(tmp_path, "server.pem")
    out = files.list_dir(str(tmp_path), "", max_entries=3)
    assert [e["name"] for e in out["entries"]] == ["Adir", "zdir", "A.txt"]
    assert out["truncated"] is True and out["hidden"] == 2
    out = files.list_dir(str(tmp_path), "", allow_hidden=True)
    assert ".hidden" in [e["name"] for e in out["entries"]] and out["hidden"] == 1  # the .pem stays out


def test_head_reads_only_max_bytes_of_a_50_mb_file(tmp_path):
    big_csv(tmp_path)
    CountingFile.log = []
    out = files.head_file(str(tmp_path), "big.csv", lines=200, max_bytes=4096, opener=counting_open)
    assert 0 < sum(CountingFile.log) <= 4096
    assert out["truncated"] is True and out["size"] >= 50 * 1024 * 1024
    assert out["columns"] == ["id", "name", "value", "date"]
    assert len(out["text"].encode()) <= 4096 and out["text"].endswith("\n")  # no partial row


def test_head_drops_a_multibyte_character_cut_by_the_limit(tmp_path):
    write(tmp_path, "u.json", '{"k": "' + "é" * 100 + '"}')
    out = files.head_file(str(tmp_path), "u.json", max_bytes=10)
    assert out["text"] == '{"k": "é' and out["truncated"] is True


def test_head_of_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(files.BadRequest, match="not a regular file"):
        files.head_file(str(tmp_path), "pipe.csv")


def test_render_table_aligns_and_cuts_long_values():
    text = files.render_table(["a", "long"], [[1, "x" * 100], [None, "y"]])
    lines = text.splitlines()
    assert lines[0].startswith("a     long") and lines[2].startswith("null  y")
    assert max(len(line) for line in lines) <= 6 + files.PARQUET_CELL_WIDTH


# -- the routes on a real server -------------------------------------------------------


async def get(jp_fetch, tool: str, **params: Any):
    r = await jp_fetch("claude", "files", tool, params=params, raise_error=False)
    return r.code, json.loads(r.body)


def assert_error(code: int, body: dict[str, Any], status: int, error_type: str, *words: str) -> str:
    assert code == status, body
    assert body["type"] == "error" and body["error"]["type"] == error_type
    for word in words:
        assert word in body["error"]["message"]
    return body["error"]["message"]


async def test_list_root_and_subfolder(jp_fetch, jp_root_dir):
    write(jp_root_dir, "data/sales.csv", "a,b\n1,2\n")
    write(jp_root_dir, "data/deep/x.txt")
    write(jp_root_dir, "notebook.ipynb", "{}")
    code, body = await get(jp_fetch, "list")
    assert code == 200
    assert body["path"] == "" and body["truncated"] is False and body["hidden"] == 0
    assert [(e["name"], e["type"]) for e in body["entries"]] == [("data", "directory"), ("notebook.ipynb", "file")]
    nb = body["entries"][1]
    assert nb == {
        "name": "notebook.ipynb",
        "path": "notebook.ipynb",
        "type": "file",
        "size": 2,
        "modified": nb["modified"],
    }
    assert nb["modified"].endswith("Z") and body["entries"][0]["size"] is None

    code, body = await get(jp_fetch, "list", path="data")
    assert code == 200 and body["path"] == "data"
    assert [(e["path"], e["type"], e["size"]) for e in body["entries"]] == [
        ("data/deep", "directory", None),
        ("data/sales.csv", "file", 8),
    ]


async def test_list_hides_and_counts_dotfiles_and_secrets(jp_fetch, jp_root_dir):
    write(jp_root_dir, "a.csv")
    write(jp_root_dir, ".hidden_notes.txt")
    write(jp_root_dir, ".env", "ANTHROPIC_API_KEY=sk-ant-x\n")
    write(jp_root_dir, ".ssh/id_rsa")
    write(jp_root_dir, "server.key")
    code, body = await get(jp_fetch, "list")
    assert code == 200
    assert [e["name"] for e in body["entries"]] == ["a.csv"] and body["hidden"] == 4


@pytest.mark.parametrize("claude_config", [{"allow_hidden_files": True}])
async def test_allow_hidden_files_shows_dotfiles_but_never_secrets(jp_fetch, jp_root_dir, claude_config):
    write(jp_root_dir, ".config/settings.txt", "theme=dark\n")
    write(jp_root_dir, ".env", "X=1\n")
    write(jp_root_dir, ".ssh/id_rsa")
    code, body = await get(jp_fetch, "list")
    assert [e["name"] for e in body["entries"]] == [".config"] and body["hidden"] == 2
    code, body = await get(jp_fetch, "head", path=".config/settings.txt")
    assert code == 200 and body["text"] == "theme=dark\n"
    assert_error(*await get(jp_fetch, "head", path=".env"), 403, "permission_error", "credentials")


async def test_list_too_many_entries_is_capped(jp_fetch, jp_root_dir):
    for i in range(files.MAX_ENTRIES + 5):
        write(jp_root_dir, f"many/f{i:04}.txt")
    code, body = await get(jp_fetch, "list", path="many")
    assert code == 200 and len(body["entries"]) == files.MAX_ENTRIES and body["truncated"] is True


async def test_head_csv_parses_columns(jp_fetch, jp_root_dir):
    rows = ['country,year,"gdp, usd"'] + [f"c{i},{2000 + i},{i * 1.5}" for i in range(50)]
    write(jp_root_dir, "data/gdp.csv", "\ufeff" + "\n".join(rows) + "\n")
    code, body = await get(jp_fetch, "head", path="data/gdp.csv", lines="3")
    assert code == 200
    assert body["format"] == "csv" and body["path"] == "data/gdp.csv"
    assert body["columns"] == ["country", "year", "gdp, usd"]
    assert body["text"] == "\n".join(rows[:3]) + "\n"
    assert body["rows_read"] == 2 and body["truncated"] is True
    assert body["size"] == os.path.getsize(os.path.join(jp_root_dir, "data", "gdp.csv"))


async def test_head_csv_quoted_newline_stays_one_row(jp_fetch, jp_root_dir):
    write(jp_root_dir, "q.csv", 'id,comment\n1,"two\nlines"\n2,plain\n')
    code, body = await get(jp_fetch, "head", path="q.csv", lines="2")
    assert body["text"] == 'id,comment\n1,"two\nlines"\n' and body["rows_read"] == 1 and body["truncated"] is True


async def test_head_tsv_jsonl_json_and_text(jp_fetch, jp_root_dir):
    write(jp_root_dir, "t.tsv", "a\tb c\n1\t2\n3\t4\n")
    code, body = await get(jp_fetch, "head", path="t.tsv")
    assert code == 200 and body["format"] == "tsv" and body["columns"] == ["a", "b c"]
    assert body["rows_read"] == 2 and body["truncated"] is False and body["text"] == "a\tb c\n1\t2\n3\t4\n"

    write(jp_root_dir, "r.jsonl", "".join(json.dumps({"i": i}) + "\n" for i in range(30)))
    code, body = await get(jp_fetch, "head", path="r.jsonl", lines="5")
    assert code == 200 and body["format"] == "jsonl" and body["rows_read"] == 5 and body["truncated"] is True
    assert [json.loads(line)["i"] for line in body["text"].splitlines()] == [0, 1, 2, 3, 4]
    assert "columns" not in body

    write(jp_root_dir, "d.json", json.dumps({"k": list(range(1000))}))
    code, body = await get(jp_fetch, "head", path="d.json", max_bytes="100")
    assert code == 200 and body["format"] == "json" and len(body["text"]) == 100 and body["truncated"] is True

    write(jp_root_dir, "readme.md", "# Title\n" + "line\n" * 100)
    code, body = await get(jp_fetch, "head", path="readme.md")
    assert code == 200 and body["format"] == "text" and body["text"].count("\n") == 20 and body["truncated"] is True


async def test_head_50_mb_csv_reads_only_max_bytes(jp_fetch, jp_root_dir, monkeypatch):
    big_csv(jp_root_dir)
    CountingFile.log = []
    monkeypatch.setattr(files, "open", counting_open, raising=False)
    start = time.monotonic()
    code, body = await get(jp_fetch, "head", path="big.csv", lines="200", max_bytes=str(10 * 1024 * 1024))
    elapsed = time.monotonic() - start
    assert code == 200 and body["truncated"] is True
    assert sum(CountingFile.log) == files.MAX_MAX_BYTES  # asked for 10 MiB, capped at 1 MiB, read once
    assert body["size"] >= 50 * 1024 * 1024 and body["rows_read"] == 199
    assert body["columns"] == ["id", "name", "value", "date"]
    assert elapsed < 5


async def test_head_parquet_schema_and_first_rows(jp_fetch, jp_root_dir):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {"id": list(range(1000)), "name": [f"n{i}" for i in range(1000)], "x": [i / 2 for i in range(1000)]}
    )
    pq.write_table(table, os.path.join(jp_root_dir, "t.parquet"), row_group_size=100)
    code, body = await get(jp_fetch, "head", path="t.parquet", lines="3")
    assert code == 200, body
    assert body["format"] == "parquet" and body["columns"] == ["id", "name", "x"]
    assert body["schema"] == [
        {"name": "id", "type": "int64"},
        {"name": "name", "type": "string"},
        {"name": "x", "type": "double"},
    ]
    assert body["rows_read"] == 3 and body["num_rows"] == 1000 and body["truncated"] is True
    assert "id: int64" in body["text"]
    table_lines = body["text"].split("First 3 rows:\n")[1].splitlines()
    assert table_lines[0].split() == ["id", "name", "x"] and table_lines[3].split() == ["2", "n2", "1.0"]

    write(jp_root_dir, "broken.parquet", b"not parquet at all")
    message = assert_error(
        *await get(jp_fetch, "head", path="broken.parquet"),
        400,
        "invalid_request_error",
        "could not be read as Parquet",
    )
    assert str(jp_root_dir) not in message


async def test_head_parquet_without_pyarrow_says_so(jp_fetch, jp_root_dir, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    write(jp_root_dir, "t.parquet", b"PAR1\x00\x00PAR1")
    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    code, body = await get(jp_fetch, "head", path="t.parquet")
    monkeypatch.undo()
    assert_error(code, body, 400, "invalid_request_error", "Parquet needs pyarrow on the Jupyter server")


async def test_binary_file_is_refused(jp_fetch, jp_root_dir):
    write(jp_root_dir, "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(jp_root_dir, "data.csv.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00")
    for path in ("image.png", "data.csv.gz"):
        assert_error(*await get(jp_fetch, "head", path=path), 400, "invalid_request_error", "binary")


async def test_not_a_file_not_a_folder_missing_and_bad_params(jp_fetch, jp_root_dir):
    write(jp_root_dir, "d/a.csv")
    assert_error(*await get(jp_fetch, "head", path="d"), 400, "invalid_request_error", "folder")
    assert_error(*await get(jp_fetch, "list", path="d/a.csv"), 400, "invalid_request_error", "not a folder")
    assert_error(*await get(jp_fetch, "head", path="d/nope.csv"), 404, "not_found_error", "does not exist")
    assert_error(*await get(jp_fetch, "list", path="nope"), 404, "not_found_error")
    assert_error(*await get(jp_fetch, "head"), 400, "invalid_request_error", "path")
    assert_error(*await get(jp_fetch, "head", path="d/a.csv", lines="many"), 400, "invalid_request_error", "lines")


@pytest.mark.parametrize("tool", ["head", "list"])
@pytest.mark.parametrize("path", ["../outside.txt", "d/../../outside.txt", ".."])
async def test_dotdot_escape_is_refused(jp_fetch, jp_root_dir, tool, path):
    write(os.path.dirname(jp_root_dir), "outside.txt", "secret\n")
    write(jp_root_dir, "d/x.txt")
    message = assert_error(*await get(jp_fetch, tool, path=path), 403, "permission_error", "'..'")
    assert os.path.dirname(str(jp_root_dir)) not in message


@pytest.mark.parametrize("tool", ["head", "list"])
async def test_absolute_path_is_refused_even_inside_the_root(jp_fetch, jp_root_dir, tool):
    write(jp_root_dir, "a.csv")
    for path in ("/etc/passwd", "/etc", os.path.join(str(jp_root_dir), "a.csv")):
        assert_error(*await get(jp_fetch, tool, path=path), 403, "permission_error", "Absolute paths")


async def test_symlinks_out_of_the_root_are_refused(jp_fetch, jp_root_dir, tmp_path):
    outside = write(tmp_path, "elsewhere/private.txt", "do not read\n")
    os.symlink("/etc/passwd", os.path.join(jp_root_dir, "passwd.txt"))
    os.symlink(outside, os.path.join(jp_root_dir, "notes.txt"))
    os.symlink(os.path.dirname(outside), os.path.join(jp_root_dir, "elsewhere"))
    write(jp_root_dir, "fine.txt", "ok\n")
    for tool, path in [
        ("head", "passwd.txt"),
        ("head", "notes.txt"),
        ("head", "elsewhere/private.txt"),
        ("list", "elsewhere"),
    ]:
        code, body = await get(jp_fetch, tool, path=path)
        message = assert_error(code, body, 403, "permission_error", "outside the Jupyter root")
        assert "/etc" not in message and str(tmp_path / "elsewhere") not in message
        assert "do not read" not in json.dumps(body) and "root:" not in json.dumps(body)
    code, body = await get(jp_fetch, "list")
    assert [e["name"] for e in body["entries"]] == ["fine.txt"] and body["hidden"] == 3


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.local",
        ".ssh/id_rsa",
        "secrets/credentials.json",
        "deploy/server.pem",
        ".jupyter/jupyter_server_config.json",
    ],
)
async def test_secret_files_are_refused(jp_fetch, jp_root_dir, path):
    write(jp_root_dir, path, "ANTHROPIC_API_KEY=sk-ant-planted\n")
    code, body = await get(jp_fetch, "head", path=path)
    assert_error(code, body, 403, "permission_error", "credentials")
    assert "sk-ant-planted" not in json.dumps(body)


@pytest.fixture
def live_url(jp_serverapp, http_server, jp_http_port, jp_base_url):
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}"


@pytest.mark.parametrize("tool", ["list", "head"])
async def test_unauthenticated_requests_are_refused(live_url, jp_root_dir, tool):
    write(jp_root_dir, "a.csv", "col\nplanted-value\n")
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{live_url}claude/files/{tool}", params={"path": "a.csv" if tool == "head" else ""})
    assert r.status_code == 403
    assert b"planted-value" not in r.content and b"a.csv" not in r.content


# -- secret files the first rules missed (issue: hardening, defect 5) --------------------

MISSED_BY_DEFAULT = [
    "credentials.yaml",
    "credentials.txt",
    "service-account.json",
    "client_secret.json",
    "client_secret_1234-abcd.apps.googleusercontent.com.json",
    "putty/server.ppk",
    "secrets.toml",
    "app/secrets.yaml",
    "certs/server.pem.bak",
    "certs/server.key.orig",
    "certs/.server.pem.swp",
    "notes/credentials.json~",
    "prod.env",
    "deploy/staging.env",
    "copied/kernel-3f2a1b.json",
    "jupyter_server_config.json",
    "old/jupyter_notebook_config.py",
    "conf/kubeconfig",
]

MISSED_WITH_HIDDEN_ALLOWED = [
    ".docker/config.json",
    ".kube/config",
    ".git/config",
    ".npmrc",
    ".pypirc",
    ".bash_history",
    ".zsh_history",
    ".python_history",
    ".my.cnf",
    ".azure/accessTokens.json",
    ".config/gcloud/application_default_credentials.json",
    ".config/gh/hosts.yml",
    ".vault-token",
]


@pytest.mark.parametrize("path", MISSED_BY_DEFAULT)
def test_secret_files_the_first_rules_missed_are_refused(tmp_path, path):
    write(tmp_path, path, "token=abc\n")
    with pytest.raises(files.Refused, match="credentials"):
        files.resolve(str(tmp_path), path)


@pytest.mark.parametrize("path", MISSED_WITH_HIDDEN_ALLOWED)
def test_secret_dotfiles_stay_refused_with_hidden_files_allowed(tmp_path, path):
    write(tmp_path, path, "auth=abc\n")
    with pytest.raises(files.Refused, match="credentials"):
        files.resolve(str(tmp_path), path, allow_hidden=True)


@pytest.mark.parametrize(
    "path",
    [
        "credentials_report.csv",
        "data/secret_santa_survey.csv",
        "price_history.csv",
        "env/analysis.py",
        "git/config.py",
        "kernel.json",
        "config.json",
        "data.csv.bak",
        "environment.yml",
    ],
)
def test_wider_rules_leave_ordinary_data_readable(tmp_path, path):
    write(tmp_path, path, "a,b\n1,2\n")
    assert files.resolve(str(tmp_path), path)[1] == path


def test_a_visible_link_to_a_hidden_file_is_hidden(tmp_path):
    write(tmp_path, ".hidden_notes", "private\n")
    os.symlink(tmp_path / ".hidden_notes", tmp_path / "visible.txt")
    with pytest.raises(files.Refused, match="hidden"):
        files.resolve(str(tmp_path), "visible.txt")
    # With hidden files allowed the target is an ordinary dotfile, so it is read.
    assert files.resolve(str(tmp_path), "visible.txt", allow_hidden=True)[1] == "visible.txt"


def test_a_visible_link_to_a_hidden_folder_is_hidden(tmp_path):
    write(tmp_path, ".private/results.csv", "a\n1\n")
    os.symlink(tmp_path / ".private", tmp_path / "shared")
    with pytest.raises(files.Refused, match="hidden"):
        files.resolve(str(tmp_path), "shared/results.csv")
    listing = files.list_dir(str(tmp_path))
    assert [e["name"] for e in listing["entries"]] == [] and listing["hidden"] == 2


def test_links_to_secrets_under_innocent_names_are_refused_even_with_hidden_allowed(tmp_path):
    write(tmp_path, ".kube/config", "token: abc\n")
    write(tmp_path, "deploy/prod.env", "KEY=1\n")
    os.symlink(tmp_path / ".kube" / "config", tmp_path / "cluster.yaml")
    os.symlink(tmp_path / "deploy", tmp_path / "settings")
    for rel in ("cluster.yaml", "settings/prod.env"):
        with pytest.raises(files.Refused, match="credentials"):
            files.resolve(str(tmp_path), rel, allow_hidden=True)
    listing = files.list_dir(str(tmp_path), allow_hidden=True)
    assert "cluster.yaml" not in [e["name"] for e in listing["entries"]]


def test_listing_hides_what_reading_refuses(tmp_path):
    names = {os.path.basename(path) for path in MISSED_BY_DEFAULT}
    for name in names:
        write(tmp_path, "all/" + name, "x\n")
    write(tmp_path, "all/data.csv", "a\n1\n")
    listing = files.list_dir(str(tmp_path), "all")
    assert [e["name"] for e in listing["entries"]] == ["data.csv"]
    assert listing["hidden"] == len(names)


def test_the_admin_adds_patterns_of_their_own(tmp_path):
    write(tmp_path, "clinic/Patients_2024.csv", "id\n1\n")
    write(tmp_path, "clinic/summary.csv", "n\n1\n")
    rules = files.SecretRules(["patients*"])
    with pytest.raises(files.Refused, match="patients"):
        files.resolve(str(tmp_path), "clinic/Patients_2024.csv", rules=rules)
    assert files.resolve(str(tmp_path), "clinic/Patients_2024.csv")[1] == "clinic/Patients_2024.csv"
    listing = files.list_dir(str(tmp_path), "clinic", rules=rules)
    assert [e["name"] for e in listing["entries"]] == ["summary.csv"] and listing["hidden"] == 1
    # The defaults stay in force beside the admin's own.
    with pytest.raises(files.Refused):
        files.resolve(str(tmp_path), "clinic/secrets.toml", rules=rules)


@pytest.mark.parametrize("claude_config", [{"secret_file_patterns": ["*.sqlite"], "allow_hidden_files": True}])
async def test_routes_apply_the_admins_patterns_and_the_wider_defaults(jp_fetch, jp_root_dir, claude_config):
    write(jp_root_dir, "lab.sqlite", "x\n")
    write(jp_root_dir, "secrets.toml", "token='abc'\n")
    write(jp_root_dir, ".kube/config", "token: abc\n")
    write(jp_root_dir, "data.csv", "a\n1\n")
    code, body = await get(jp_fetch, "list")
    assert [e["name"] for e in body["entries"]] == ["data.csv"] and body["hidden"] == 3
    for path in ("lab.sqlite", "secrets.toml", ".kube/config"):
        assert_error(*await get(jp_fetch, "head", path=path), 403, "permission_error", "credentials")


# -- more credential files, and listings inside a linked folder ------------------------------

MORE_SECRETS = [
    # copied shell histories (passwords typed on command lines), without the leading dot
    ("bash_history", False),
    ("backup/psql_history", False),
    # an editor's autosave of a key
    ("certs/#server.pem#", False),
    # Terraform state and variables hold provider credentials in plain text
    ("infra/terraform.tfstate", False),
    ("infra/terraform.tfstate.backup", False),
    ("infra/prod.tfvars", False),
    # pip's config often carries an index URL with a password
    ("pip.conf", False),
    (".pip/pip.conf", True),
    (".config/pip/pip.conf", True),
    # cloud and registry tool credentials
    (".boto", True),
    (".s3cfg", True),
    (".dockercfg", True),
    (".terraformrc", True),
]


@pytest.mark.parametrize("path,allow_hidden", MORE_SECRETS)
def test_more_credential_files_are_refused(tmp_path, path, allow_hidden):
    write(tmp_path, path, "password=abc\n")
    with pytest.raises(files.Refused, match="credentials"):
        files.resolve(str(tmp_path), path, allow_hidden=allow_hidden)
    folder = os.path.dirname(path)
    listing = files.list_dir(str(tmp_path), folder, allow_hidden=True)
    assert os.path.basename(path) not in [e["name"] for e in listing["entries"]]


@pytest.mark.parametrize(
    "path", ["history.csv", "notes#1.txt", "pipeline.conf", "terraform_notes.md", "data/tfvars.csv"]
)
def test_names_close_to_the_new_rules_stay_readable(tmp_path, path):
    write(tmp_path, path, "a,b\n1,2\n")
    assert files.resolve(str(tmp_path), path)[1] == path


def test_listing_a_linked_folder_hides_what_reading_through_it_refuses(tmp_path):
    """`repo_meta -> .git`: the folder itself is fine with hidden files allowed, but its
    `config` is `.git/config`, so it must be neither read nor listed."""
    write(tmp_path, ".git/config", "[remote]\nurl = https://user:pw@example.org/x\n")
    write(tmp_path, ".git/HEAD", "ref: refs/heads/main\n")
    os.symlink(tmp_path / ".git", tmp_path / "repo_meta")
    with pytest.raises(files.Refused, match="credentials"):
        files.resolve(str(tmp_path), "repo_meta/config", allow_hidden=True)
    listing = files.list_dir(str(tmp_path), "repo_meta", allow_hidden=True)
    assert [e["name"] for e in listing["entries"]] == ["HEAD"] and listing["hidden"] == 1


def test_listing_a_linked_folder_with_hidden_files_off_hides_the_hidden_target(tmp_path):
    write(tmp_path, "real/.private_notes", "x\n")
    write(tmp_path, "real/table.csv", "a\n1\n")
    os.symlink(tmp_path / "real", tmp_path / "alias")
    os.symlink(tmp_path / "real" / ".private_notes", tmp_path / "real" / "notes.txt")
    listing = files.list_dir(str(tmp_path), "alias")
    assert [e["name"] for e in listing["entries"]] == ["table.csv"] and listing["hidden"] == 2
    with pytest.raises(files.Refused, match="hidden"):
        files.resolve(str(tmp_path), "alias/notes.txt")
