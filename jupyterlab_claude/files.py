"""Read-only file tools for Claude: list a folder and read the head of a data file.

Pure logic, no Tornado: the handlers in ``handlers.py`` call these and turn the
:mod:`errors` they raise into JSON errors. Every path is relative to the Jupyter root and
is refused if it is absolute, climbs with ``..``, resolves (through symlinks) outside
the root, or names a secret (SSH keys, cloud credentials, ``.env`` files, Jupyter's own
config and runtime files). Dotfiles are hidden unless ``allow_hidden`` is set; secrets
never are. Reads are bounded: at most ``max_bytes`` of a file are read, never the whole.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from fnmatch import fnmatch
from typing import Any

from .errors import BadRequest, Missing, Refused

#: Largest number of entries one listing returns.
MAX_ENTRIES = 500
DEFAULT_LINES = 20
MAX_LINES = 200
DEFAULT_MAX_BYTES = 64 * 1024
MAX_MAX_BYTES = 1024 * 1024
#: How much of the start of a file is checked for NUL bytes.
BINARY_SNIFF_BYTES = 1024
#: Parquet: at most this many columns are rendered in the text table, each value cut to this width.
PARQUET_MAX_COLUMNS = 50
PARQUET_CELL_WIDTH = 40

#: Ends every refusal of a hidden path: how the server's owner lets them be read.
HIDDEN_NOT_READ = "hidden files are not read unless the server sets c.ClaudeProxy.allow_hidden_files = True."

PARQUET_NEEDS_PYARROW = (
    "Parquet needs pyarrow on the Jupyter server (install it in the server's environment, "
    "e.g. `pip install pyarrow`, and restart Jupyter)."
)

#: Names (lower-cased, fnmatch patterns) that are secrets wherever they appear in a path.
SECRET_NAME_PATTERNS: tuple[str, ...] = (
    # SSH, GPG and cloud credentials
    ".ssh",
    ".gnupg",
    ".aws",
    ".azure",
    ".kube",
    ".docker",
    ".gcloud",
    ".terraform.d",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*.pem",
    "*.key",
    "*.ppk",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.kdbx",
    "kubeconfig",
    "service-account*.json",
    "service_account*.json",
    "client_secret*.json",
    "application_default_credentials.json",
    ".boto",
    ".s3cfg",
    ".dockercfg",
    # Terraform state and variables keep provider credentials in plain text
    ".terraformrc",
    "terraform.rc",
    "*.tfstate",
    "*.tfvars",
    "*.tfvars.json",
    # tokens and passwords of tools
    ".netrc",
    "_netrc",
    ".pgpass",
    ".my.cnf",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    ".yarnrc*",
    ".vault-token",
    "pip.conf",
    "pip.ini",
    "htpasswd",
    ".htpasswd",
    # environment and secret files under any name
    ".env",
    ".env.*",
    "*.env",
    ".envrc",
    "credentials",
    "credentials.*",
    "secrets",
    "secrets.*",
    "secret.*",
    "*.secret",
    "*.secrets",
    "token.json",
    "*.token",
    # shell and REPL histories (passwords typed on command lines)
    ".*_history",
    "*_history",  # a copied history; the whole name must end so, so price_history.csv is data
    "fish_history",
    ".history",
    ".python_history",
    # Jupyter's own config and runtime files (tokens, passwords, kernel keys)
    ".jupyter",
    "jupyter_*_config.json",
    "jupyter_*_config.py",
    "jpserver-*",
    "kernel-*.json",
    "nbserver-*",
)

#: Consecutive path components (lower-cased, fnmatch patterns) that are secrets together.
SECRET_PATH_PATTERNS: tuple[tuple[str, ...], ...] = (
    (".git", "config"),
    (".config", "gcloud"),
    (".config", "gh"),
    (".config", "hub"),
    (".ipython", "profile_*", "security"),
)

#: Suffixes of copies and backups: ``key.pem.bak`` is as secret as ``key.pem``.
BACKUP_SUFFIXES: tuple[str, ...] = (
    "~",
    ".bak",
    ".backup",
    ".old",
    ".orig",
    ".save",
    ".sav",
    ".swp",
    ".swo",
    ".tmp",
    ".copy",
    ".prev",
    ".1",
    ".2",
)


class SecretRules:
    """The rules a path is checked against: the defaults plus the admin's own patterns.

    ``extra_names`` are fnmatch patterns matched against every component of a path, in lower
    case, like :data:`SECRET_NAME_PATTERNS` (``c.ClaudeProxy.secret_file_patterns``).
    """

    def __init__(self, extra_names: Sequence[str] = ()):
        self.names: tuple[str, ...] = SECRET_NAME_PATTERNS + tuple(p.lower() for p in extra_names if p)

    def reason(self, parts: Sequence[str]) -> str | None:
        """Why a path (its components) is a secret, or None."""
        lowered = [p.lower() for p in parts]
        for name in lowered:
            for candidate in _without_backup_suffixes(name):
                for pattern in self.names:
                    if fnmatch(candidate, pattern):
                        return f"'{name}' matches '{pattern}', which may hold credentials"
        for sequence in SECRET_PATH_PATTERNS:
            n = len(sequence)
            for i in range(len(lowered) - n + 1):
                window = lowered[i : i + n]
                if all(fnmatch(c, p) for c, p in zip(window, sequence, strict=False)):
                    return f"'{'/'.join(window)}' may hold credentials"
        return None


DEFAULT_RULES = SecretRules()


def _without_backup_suffixes(name: str) -> list[str]:
    """``name`` and what it was before each backup suffix was added (``a.pem.bak`` -> ``a.pem``)."""
    names = [name]
    changed = True
    while changed:
        changed = False
        for suffix in BACKUP_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                names.append(name)
                changed = True
    # Editors' swap files: ``.key.pem.swp`` for ``key.pem``.
    if name.startswith(".") and len(names) > 1:
        names.append(name[1:])
    # Emacs autosaves: ``#key.pem#`` for ``key.pem``.
    if len(name) > 2 and name.startswith("#") and name.endswith("#"):
        names.extend(_without_backup_suffixes(name[1:-1]))
    return names


FORMATS_BY_EXTENSION = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


# -- path rules ------------------------------------------------------------------------


def split_relative(path: str) -> list[str]:
    """The components of a client-supplied relative path; refuses absolute paths and ``..``.

    ``""``, ``"."`` and ``"./"`` mean the root. Both ``/`` and ``\\`` separate components.
    """
    if not isinstance(path, str):
        raise BadRequest("The path must be a string.")
    if "\x00" in path:
        raise BadRequest("The path contains a NUL character.")
    if path.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", path):
        raise Refused(
            "Absolute paths are not allowed: give a path relative to the Jupyter root (as shown in the file browser)."
        )
    parts = [p for p in re.split(r"[/\\]", path) if p not in ("", ".")]
    if ".." in parts:
        raise Refused("'..' is not allowed in paths: only files under the Jupyter root can be read.")
    return parts


def secret_reason(parts: Sequence[str], rules: SecretRules | None = None) -> str | None:
    """Why a path (its components) is a secret, or None."""
    return (rules or DEFAULT_RULES).reason(parts)


def is_secret_name(name: str, rules: SecretRules | None = None) -> bool:
    return secret_reason([name], rules) is not None


def is_hidden_name(name: str) -> bool:
    return name.startswith(".")


def is_within(path: str, root: str) -> bool:
    """Whether real path ``path`` is ``root`` or below it (both already ``realpath``-ed)."""
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives on Windows
        return False


def _runtime_dir() -> str | None:
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        return os.path.realpath(jupyter_runtime_dir())
    except Exception:  # pragma: no cover - jupyter_core is always there with a server
        return None


def check_real_path(
    real: str,
    real_root: str,
    parts: Sequence[str],
    allow_hidden: bool = True,
    rules: SecretRules | None = None,
) -> None:
    """Refuse a resolved path outside the root, or whose resolved form is a secret or hidden.

    What a link points to is judged, not only its name: ``notes.txt -> .env`` is a secret and
    ``visible.txt -> .hidden_notes`` is hidden.
    """
    if not is_within(real, real_root):
        # Never say where it points: that could itself reveal something outside the root.
        raise Refused(f"'{'/'.join(parts)}' resolves (through a symlink) outside the Jupyter root.")
    real_parts = [p for p in os.path.relpath(real, real_root).split(os.sep) if p not in ("", ".")]
    reason = secret_reason(real_parts, rules)
    if reason:
        raise Refused(f"'{'/'.join(parts)}' points to a file that may hold credentials ({reason}).")
    if not allow_hidden and any(is_hidden_name(p) for p in real_parts):
        raise Refused(f"'{'/'.join(parts)}' points (through a symlink) to a hidden file; {HIDDEN_NOT_READ}")
    runtime = _runtime_dir()
    if runtime and is_within(real, runtime):
        raise Refused(f"'{'/'.join(parts)}' is in Jupyter's runtime folder, which holds tokens and kernel keys.")


def resolve(root: str, path: str, allow_hidden: bool = False, rules: SecretRules | None = None) -> tuple[str, str]:
    """``(real absolute path, normalised relative path)`` of ``path`` under ``root``.

    Raises :class:`Refused` (absolute, ``..``, secret, hidden, outside the root through a
    symlink), :class:`Missing` (does not exist) or :class:`BadRequest` (malformed).
    """
    parts = split_relative(path)
    rel = "/".join(parts)
    reason = secret_reason(parts, rules)
    if reason:
        raise Refused(f"'{rel}' is refused: {reason}.")
    if not allow_hidden and any(is_hidden_name(p) for p in parts):
        raise Refused(f"'{rel}' is hidden (a name starts with '.'); {HIDDEN_NOT_READ}")
    real_root = os.path.realpath(os.path.expanduser(root))
    real = os.path.realpath(os.path.join(real_root, *parts))
    check_real_path(real, real_root, parts, allow_hidden, rules)
    if not os.path.exists(real):
        raise Missing(f"'{rel}' does not exist under the Jupyter root.")
    return real, rel


# -- listing ---------------------------------------------------------------------------


def _iso(mtime: float) -> str:
    return datetime.fromtimestamp(mtime, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def list_dir(
    root: str,
    path: str = "",
    allow_hidden: bool = False,
    max_entries: int = MAX_ENTRIES,
    rules: SecretRules | None = None,
) -> dict[str, Any]:
    """The entries of folder ``path``: folders first, then by name; hidden/secret ones counted."""
    real, rel = resolve(root, path, allow_hidden, rules)
    if not os.path.isdir(real):
        raise BadRequest(f"'{rel}' is a file, not a folder; use the head tool to read it.")
    real_root = os.path.realpath(os.path.expanduser(root))
    # The folder's real path, relative to the root: through a linked folder (``repo_meta ->
    # .git``) a child's real path (``.git/config``) can be a secret its listed path is not.
    real_rel = [p for p in os.path.relpath(real, real_root).split(os.sep) if p not in ("", ".")]
    visible: list[tuple[bool, str, os.DirEntry]] = []
    hidden = 0
    try:
        with os.scandir(real) as it:
            for entry in it:
                name = entry.name
                child_parts = (rel.split("/") if rel else []) + [name]
                if (
                    secret_reason(child_parts, rules)
                    or secret_reason(real_rel + [name], rules)
                    or (not allow_hidden and is_hidden_name(name))
                ):
                    hidden += 1
                    continue
                try:
                    if entry.is_symlink():
                        target = os.path.realpath(entry.path)
                        check_real_path(target, real_root, child_parts, allow_hidden, rules)
                        if not os.path.exists(target):
                            hidden += 1  # dangling link
                            continue
                    is_dir = entry.is_dir()
                except (Refused, OSError):
                    hidden += 1
                    continue
                visible.append((is_dir, name, entry))
    except PermissionError:
        raise Refused(f"The server has no permission to read the folder '{rel or '.'}'.") from None
    visible.sort(key=lambda t: (not t[0], t[1].lower(), t[1]))
    entries = []
    for is_dir, name, entry in visible[:max_entries]:
        try:
            st = entry.stat()
        except OSError:
            size, modified = None, None
        else:
            size = None if is_dir else st.st_size
            modified = _iso(st.st_mtime)
        entries.append(
            {
                "name": name,
                "path": f"{rel}/{name}" if rel else name,
                "type": "directory" if is_dir else "file",
                "size": size,
                "modified": modified,
            }
        )
    return {"path": rel, "entries": entries, "truncated": len(visible) > max_entries, "hidden": hidden}


# -- head ------------------------------------------------------------------------------


def parse_int(value: str | None, name: str, default: int, maximum: int) -> int:
    """A query parameter as an int clamped to ``[1, maximum]``; 400 if it is not an integer."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"'{name}' must be an integer (got {value[:20]!r}).") from None
    return max(1, min(number, maximum))


def detect_format(path: str) -> str:
    return FORMATS_BY_EXTENSION.get(os.path.splitext(path)[1].lower(), "text")


def read_prefix(real: str, max_bytes: int, opener: Callable[..., Any] | None = None) -> tuple[bytes, int]:
    """At most ``max_bytes`` from the start of a regular file, and the file's size.

    Unbuffered, so no read-ahead: exactly the bytes returned are read from the file.
    """
    with (opener or open)(real, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size
        chunks: list[bytes] = []
        remaining = max_bytes
        while remaining > 0:
            chunk = f.read(remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks), size


def decode_prefix(data: bytes) -> str:
    """UTF-8 (BOM stripped), dropping a multi-byte character cut at the end; bad bytes become U+FFFD."""
    return codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(data, final=False)


def _complete_lines(text: str, cut: bool) -> list[str]:
    """Lines with their endings; when the byte limit cut the text, drop the partial last line."""
    lines = text.splitlines(keepends=True)
    if cut and len(lines) > 1 and not lines[-1].endswith(("\n", "\r")):
        lines.pop()
    return lines


def _head_delimited(text: str, cut: bool, lines: int, delimiter: str) -> dict[str, Any]:
    physical = _complete_lines(text, cut)
    taken: list[str] = []
    pos = 0

    def feed() -> Iterator[str]:
        nonlocal pos
        while pos < len(physical):
            line = physical[pos]
            pos += 1
            taken.append(line)
            yield line

    records: list[list[str]] = []
    try:
        reader = csv.reader(feed(), delimiter=delimiter)
        for record in reader:
            records.append(record)
            if len(records) >= lines:
                break
        columns: list[str] | None = records[0] if records else []
    except csv.Error:
        # e.g. a field longer than the csv module's limit: fall back to plain lines, no columns
        taken = physical[:lines]
        pos = len(taken)
        columns = None
        records = [[]] * len(taken)
    out: dict[str, Any] = {
        "text": "".join(taken),
        "truncated": cut or pos < len(physical),
        "rows_read": max(0, len(records) - 1),
    }
    if columns is not None:
        out["columns"] = columns
    return out


def _head_lines(text: str, cut: bool, lines: int) -> dict[str, Any]:
    physical = _complete_lines(text, cut)
    taken = physical[:lines]
    return {"text": "".join(taken), "truncated": cut or len(physical) > lines, "rows_read": len(taken)}


def _cell(value: Any) -> str:
    text = "null" if value is None else str(value)
    text = text.replace("\n", "\\n").replace("\t", " ")
    return text if len(text) <= PARQUET_CELL_WIDTH else text[: PARQUET_CELL_WIDTH - 1] + "…"


def render_table(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A small fixed-width text table."""
    cells = [[_cell(n) for n in names]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(names))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in cells) + "\n"


def head_parquet(real: str, rel: str, size: int, lines: int, max_bytes: int) -> dict[str, Any]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise BadRequest(PARQUET_NEEDS_PYARROW) from None
    try:
        pf = pq.ParquetFile(real, buffer_size=1 << 16, pre_buffer=False)
        schema = pf.schema_arrow
        names = list(schema.names)
        shown = names[:PARQUET_MAX_COLUMNS]
        rows: list[list[Any]] = []
        if pf.metadata.num_row_groups > 0 and shown:
            batches = pf.iter_batches(batch_size=lines, row_groups=[0], columns=shown, use_threads=False)
            batch = next(iter(batches), None)
            if batch is not None:
                columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                rows = [list(r) for r in zip(*columns, strict=False)][:lines]
    except Exception as exc:  # pyarrow raises several types for corrupt / non-parquet files
        detail = str(exc).replace(real, rel)[:200]  # no absolute paths in messages
        raise BadRequest(f"'{rel}' could not be read as Parquet: {type(exc).__name__}: {detail}") from None
    num_rows = pf.metadata.num_rows
    header = [
        f"Parquet file: {num_rows} rows, {len(names)} columns, {pf.metadata.num_row_groups} row groups",
        "Schema:",
        *[f"  {field.name}: {field.type}" for field in schema],
        f"First {len(rows)} rows" + (f" (first {len(shown)} columns)" if len(shown) < len(names) else "") + ":",
    ]
    text = "\n".join(header) + "\n" + render_table(shown, rows)
    truncated = num_rows > len(rows) or len(shown) < len(names)
    if len(text.encode()) > max_bytes:
        text = decode_prefix(text.encode()[:max_bytes])
        truncated = True
    return {
        "path": rel,
        "format": "parquet",
        "size": size,
        "text": text,
        "truncated": truncated,
        "columns": names,
        "schema": [{"name": f.name, "type": str(f.type)} for f in schema],
        "num_rows": num_rows,
        "rows_read": len(rows),
    }


def head_file(
    root: str,
    path: str,
    lines: int = DEFAULT_LINES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_hidden: bool = False,
    opener: Callable[..., Any] | None = None,
    rules: SecretRules | None = None,
) -> dict[str, Any]:
    """The start of a data file as text, reading at most ``max_bytes`` of it.

    ``opener`` replaces ``open`` (called as ``opener(path, "rb", buffering=0)``); tests pass
    one that counts the bytes read.
    """
    lines = max(1, min(int(lines), MAX_LINES))
    max_bytes = max(1, min(int(max_bytes), MAX_MAX_BYTES))
    real, rel = resolve(root, path, allow_hidden, rules)
    st = os.stat(real)
    if stat.S_ISDIR(st.st_mode):
        raise BadRequest(f"'{rel}' is a folder, not a file; use the list tool to see what it holds.")
    if not stat.S_ISREG(st.st_mode):
        raise BadRequest(f"'{rel}' is not a regular file (a device, pipe or socket) and is not read.")
    fmt = detect_format(rel)
    if fmt == "parquet":
        return head_parquet(real, rel, st.st_size, lines, max_bytes)
    try:
        data, size = read_prefix(real, max_bytes, opener)
    except PermissionError:
        raise Refused(f"The server has no permission to read '{rel}'.") from None
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise BadRequest(
            f"'{rel}' looks like a binary file (NUL bytes in its first KB) and is not read; "
            "text files (CSV, TSV, JSON, JSON Lines, plain text) and Parquet can be."
        )
    cut = size > len(data)
    text = decode_prefix(data)
    result: dict[str, Any] = {"path": rel, "format": fmt, "size": size}
    if fmt == "csv":
        result.update(_head_delimited(text, cut, lines, ","))
    elif fmt == "tsv":
        result.update(_head_delimited(text, cut, lines, "\t"))
    elif fmt == "json":
        result.update({"text": text, "truncated": cut})
    else:  # jsonl, text
        result.update(_head_lines(text, cut, lines))
        if fmt == "text":
            del result["rows_read"]
    return result
