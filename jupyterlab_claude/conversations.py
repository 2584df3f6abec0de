"""Saved conversations: one readable JSON file per conversation, beside the notebook's path.

Pure logic, no Tornado: the handlers in ``handlers.py`` call these (``store.py`` keeps one
process's saves in order) and turn the :mod:`errors` they raise into JSON errors. A notebook
``analysis/run.ipynb`` keeps its conversations in
``<store>/analysis/run.ipynb/<conversation id>.json``, where ``<store>`` is
``<Jupyter root>/.jupyter-claude/conversations`` unless configured otherwise.

Every notebook path is relative to the Jupyter root, ends in ``.ipynb``, and is refused if
it is absolute or climbs with ``..``; every folder is checked (through symlinks) to stay
inside the store. Files are written atomically (a temporary file in the same folder, fsync,
``os.replace``), so a reader never sees half a file. Two writers of one conversation (two
browser tabs) are merged turn by turn rather than one overwriting the other; the
read-merge-write holds an OS file lock (``<store>.lock``, beside the store), so that holds
across server processes sharing one root too (JupyterHub on a shared filesystem).

A body is checked before anything walks it recursively: at most ``MAX_DEPTH`` deep, the
shape of a conversation, no ``NaN`` / ``Infinity`` (not JSON; browsers cannot read them
back). Text with lone UTF-16 surrogates (an emoji cut in half) is repaired (each becomes
U+FFFD) and saved, with a warning in the reply, rather than losing the chat.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

try:  # POSIX (and NFS, where Linux maps flock to byte-range locks)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

from .errors import BadRequest, Missing, Refused
from .files import is_within, split_relative
from .proxy import scrub_text

#: Format of the files; bumped if it ever changes incompatibly.
FORMAT_VERSION = 1
#: Conversation ids (and the names of their files).
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Turn ids (UUIDs in practice).
TURN_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
#: The longest title kept (the first question's first line).
TITLE_LENGTH = 100
REDACTED = "[redacted]"
#: The deepest nesting a saved body may have; a real conversation is under 20 deep.
MAX_DEPTH = 64
#: A turn's statuses (``IChatTurn.status`` in the front end).
TURN_STATUSES = ("streaming", "done", "stopped", "cut", "error")
#: A UTF-16 surrogate on its own: JSON may carry one (``"\\ud83d"``) but UTF-8 cannot.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


# -- paths -----------------------------------------------------------------------------


def validate_id(conversation_id: str) -> str:
    if not isinstance(conversation_id, str) or not ID_PATTERN.match(conversation_id):
        raise BadRequest("A conversation id is 1 to 64 letters, digits, '-' or '_'.")
    return conversation_id


def notebook_parts(notebook: str) -> list[str]:
    """The components of a notebook path relative to the Jupyter root."""
    if not isinstance(notebook, str) or not notebook.strip():
        raise BadRequest("Give the 'notebook' path relative to the Jupyter root.")
    parts = split_relative(notebook)
    if not parts or not parts[-1].lower().endswith(".ipynb"):
        raise BadRequest("Conversations belong to notebooks: the path must end in .ipynb.")
    return parts


def store_root(root_dir: str, folder: str) -> str:
    """The absolute store folder: ``folder`` under ``root_dir`` (or ``folder`` if absolute)."""
    return os.path.join(os.path.expanduser(root_dir), os.path.expanduser(folder))


def notebook_dir(store: str, notebook: str) -> str:
    """The folder holding a notebook's conversations, refused if it would leave the store."""
    parts = notebook_parts(notebook)
    real_store = os.path.realpath(store)
    path = os.path.join(real_store, *parts)
    # Symlinks inside the store must not lead out of it (whether or not the folder exists yet).
    check_store_path(os.path.realpath(path), real_store, parts)
    return path


def check_store_path(real: str, real_store: str, parts: Sequence[str]) -> None:
    if not is_within(real, real_store):
        raise Refused(f"'{'/'.join(parts)}' resolves (through a symlink) outside the conversations folder.")


def conversation_file(store: str, notebook: str, conversation_id: str) -> str:
    folder = notebook_dir(store, notebook)
    path = os.path.join(folder, validate_id(conversation_id) + ".json")
    check_store_path(os.path.realpath(path), os.path.realpath(store), notebook_parts(notebook))
    return path


# -- reading ---------------------------------------------------------------------------


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def read_json(path: str) -> dict[str, Any] | None:
    """A stored conversation, or None if there is none (or it is not a conversation)."""
    try:
        with open(path, encoding="utf-8") as f:
            # Files written before NaN was refused may hold bare NaN / Infinity: read them as null.
            data = json.load(f, parse_constant=lambda _name: None)
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("turns"), list) else None


def read_conversation(store: str, notebook: str, conversation_id: str) -> dict[str, Any]:
    data = read_json(conversation_file(store, notebook, conversation_id))
    if data is None:
        raise Missing(f"No saved conversation '{conversation_id}' for '{notebook}'.")
    # Where the file is decides which notebook it belongs to (it may have been moved).
    data["notebook"] = "/".join(notebook_parts(notebook))
    data["id"] = conversation_id
    return data


def summary(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": data.get("id"),
        "title": data.get("title", ""),
        "created": data.get("created"),
        "updated": data.get("updated"),
        "turns": len(data.get("turns", [])),
    }


def list_conversations(store: str, notebook: str) -> list[dict[str, Any]]:
    """Summaries of a notebook's conversations, most recently updated first."""
    folder = notebook_dir(store, notebook)
    real_store = os.path.realpath(store)
    found = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    for entry in entries:
        name, ext = os.path.splitext(entry.name)
        if ext != ".json" or not ID_PATTERN.match(name) or entry.is_symlink() or not entry.is_file():
            continue
        if not is_within(os.path.realpath(entry.path), real_store):
            continue
        data = read_json(entry.path)
        if data is None:
            continue
        data["id"] = name
        found.append(summary(data))
    found.sort(key=lambda s: (s.get("updated") or "", s.get("created") or "", s["id"]), reverse=True)
    return found


# -- merging ---------------------------------------------------------------------------


def parse_body(raw: bytes) -> Any:
    """The JSON body of a save; NaN, Infinity and bodies nested too deep to parse are refused."""

    def refuse(name: str) -> Any:
        raise BadRequest(f"The body contains {name}, which is not JSON; send null instead.")

    try:
        return json.loads(raw or b"null", parse_constant=refuse)
    except RecursionError:
        raise BadRequest(_too_deep()) from None
    except ValueError:  # also UnicodeDecodeError
        raise BadRequest("The body is not valid JSON.") from None


def _too_deep() -> str:
    return f"The body is nested more than {MAX_DEPTH} levels deep; a conversation never is."


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse values nested deeper than ``limit`` or holding NaN / Infinity, without recursing."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise BadRequest(f"The body contains {item!r}, which is not JSON; send null instead.")
        if isinstance(item, (dict, list)):
            if depth > limit:
                raise BadRequest(_too_deep())
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list, float)))


def repair_text(value: Any) -> tuple[Any, int]:
    """``value`` with every lone surrogate replaced by U+FFFD, and how many were replaced.

    Only called once ``check_depth`` has passed, so the recursion is bounded.
    """
    if isinstance(value, str):
        fixed, count = LONE_SURROGATE.subn(REPLACEMENT, value)
        return fixed, count
    if isinstance(value, list):
        total = 0
        items = []
        for item in value:
            fixed, count = repair_text(item)
            items.append(fixed)
            total += count
        return items, total
    if isinstance(value, dict):
        total = 0
        fields = {}
        for key, item in value.items():
            fixed_key, key_count = repair_text(key)
            fixed, count = repair_text(item)
            fields[fixed_key] = fixed
            total += key_count + count
        return fields, total
    return value, 0


def _optional(value: dict[str, Any], key: str, kinds: Any, message: str) -> None:
    if key in value and value[key] is not None and (not isinstance(value[key], kinds) or isinstance(value[key], bool)):
        raise BadRequest(message)


def validate_incoming(body: Any) -> dict[str, Any]:
    """Check the shape of a conversation sent by the browser (``IStoredConversation``)."""
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object (a conversation).")
    check_depth(body)
    _optional(body, "version", int, "'version' must be a number.")
    for key in ("id", "notebook", "title", "created", "updated", "model"):
        _optional(body, key, str, f"'{key}' must be a string.")
    turns = body.get("turns", [])
    if not isinstance(turns, list):
        raise BadRequest("'turns' must be a list.")
    for turn in turns:
        validate_turn(turn)
    removed = body.get("removed_turns", [])
    if not isinstance(removed, list) or not all(isinstance(r, str) for r in removed):
        raise BadRequest("'removed_turns' must be a list of turn ids.")
    return body


def validate_turn(turn: Any) -> None:
    """Check the shape of one turn (``IChatTurn``); fields it does not know are kept as they are."""
    if not isinstance(turn, dict):
        raise BadRequest("Each turn must be an object.")
    if not isinstance(turn.get("id"), str) or not TURN_ID_PATTERN.match(turn["id"]):
        raise BadRequest("Each turn needs an 'id' of letters, digits, '-', '_', '.' or ':'.")
    if turn.get("role") not in ("user", "assistant"):
        raise BadRequest("A turn's 'role' is 'user' or 'assistant'.")
    for key in ("text", "thinking", "created", "model", "requestId", "stopReason"):
        _optional(turn, key, str, f"A turn's '{key}' must be a string.")
    if "status" in turn and turn["status"] not in TURN_STATUSES:
        raise BadRequest(f"A turn's 'status' is one of {', '.join(TURN_STATUSES)}.")
    for key in ("error", "usage", "context"):
        _optional(turn, key, dict, f"A turn's '{key}' must be an object.")
    usage = turn.get("usage") or {}
    if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in usage.values()):
        raise BadRequest("A turn's 'usage' holds numbers.")
    _optional(turn, "toolCalls", list, "A turn's 'toolCalls' must be a list.")
    if not all(isinstance(call, dict) for call in turn.get("toolCalls") or []):
        raise BadRequest("Each tool call must be an object.")
    _optional(turn, "exchange", list, "A turn's 'exchange' must be a list of messages.")
    for message in turn.get("exchange") or []:
        if (
            not isinstance(message, dict)
            or message.get("role") not in ("user", "assistant")
            or not isinstance(message.get("content"), list)
        ):
            raise BadRequest(
                "Each message of a turn's 'exchange' has a 'role' (user or assistant) and a 'content' list."
            )


def _groups(turns: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Turn ids grouped as a question followed by its answers (a leading answer alone)."""
    groups: list[list[str]] = []
    for turn in turns:
        if turn["role"] == "user" or not groups:
            groups.append([turn["id"]])
        else:
            groups[-1].append(turn["id"])
    return groups


def merge(stored: dict[str, Any] | None, incoming: dict[str, Any], now: str | None = None) -> dict[str, Any]:
    """The union of a stored conversation and an incoming one, by turn id.

    An incoming turn replaces the stored turn with the same id; turns another writer added
    are kept. Each question stays followed by its own answers, and questions are ordered by
    when they were asked (``created``), then by where they stood. Turns either side removed
    (a failed answer replaced by Retry) stay removed.
    """
    now = now or now_iso()
    stored = stored or {}
    stored_turns = [t for t in stored.get("turns", []) if isinstance(t, dict) and isinstance(t.get("id"), str)]
    incoming_turns = incoming.get("turns", [])
    removed = list(dict.fromkeys([*stored.get("removed_turns", []), *incoming.get("removed_turns", [])]))
    gone = set(removed)

    by_id: dict[str, dict[str, Any]] = {}
    for turn in stored_turns:
        by_id[turn["id"]] = turn
    for turn in incoming_turns:
        by_id[turn["id"]] = turn

    # Union of the groups, keyed by their first turn, in first-seen order.
    order: dict[str, list[str]] = {}
    position: dict[str, int] = {}
    for source in (stored_turns, incoming_turns):
        for group in _groups(source):
            head = group[0]
            members = order.setdefault(head, [])
            position.setdefault(head, len(position))
            for turn_id in group:
                if turn_id not in members:
                    members.append(turn_id)

    def created_of(head: str) -> str:
        value = by_id[head].get("created")
        return value if isinstance(value, str) else ""

    heads = sorted(order, key=lambda h: (created_of(h) or "\uffff", position[h]))
    if not all(created_of(h) for h in heads):
        # Without times on every question, keep the order the turns stood in.
        heads = sorted(order, key=lambda h: position[h])
    turns: list[dict[str, Any]] = []
    seen = set()
    for head in heads:
        for turn_id in order[head]:
            if turn_id in seen or turn_id in gone:
                continue
            seen.add(turn_id)
            turns.append(by_id[turn_id])

    created = [c for c in (stored.get("created"), incoming.get("created")) if isinstance(c, str) and c]
    model = incoming.get("model") or stored.get("model") or ""
    for turn in reversed(turns):
        if turn.get("role") == "assistant" and turn.get("model"):
            model = turn["model"]
            break
    return {
        "version": FORMAT_VERSION,
        "id": incoming.get("id") or stored.get("id"),
        "notebook": incoming.get("notebook") or stored.get("notebook"),
        "title": title_of(turns) or incoming.get("title") or stored.get("title") or "",
        "created": min(created) if created else now,
        "updated": now,
        "model": model,
        "turns": turns,
        "removed_turns": removed,
    }


def title_of(turns: Iterable[dict[str, Any]]) -> str:
    """The first question's first line, cut short."""
    for turn in turns:
        if turn.get("role") == "user" and isinstance(turn.get("text"), str) and turn["text"].strip():
            line = turn["text"].strip().splitlines()[0].strip()
            return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"
    return ""


def scrub(value: Any, secrets: Sequence[str]) -> Any:
    """``value`` with every secret replaced in every string, in every form the proxy scrubs
    (case-folded, escaped, encoded, a long prefix; keys never reach the browser anyway)."""
    if not secrets:
        return value
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in value.items()}
    return value


# -- writing ---------------------------------------------------------------------------


def atomic_write_json(path: str, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON so that ``path`` is either the old file or the new one."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False, allow_nan=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: str) -> None:
    # Make the rename itself durable; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def store_lock(store: str) -> Iterator[None]:
    """Hold the store's OS file lock: one read-merge-write at a time, across processes.

    The lock file sits beside the store (``<store>.lock``) so that the store holds only
    conversations. An in-process lock alone lost turns when two servers shared one root.
    """
    path = os.path.normpath(os.path.abspath(store)) + ".lock"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:  # pragma: no cover - Windows: LK_LOCK gives up after 10 s, so keep trying
            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
        yield
    finally:
        # Closing the file releases the lock (flock) on every platform.
        if fcntl is None:  # pragma: no cover
            try:
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            except OSError:
                pass
        os.close(fd)


def save_conversation(
    store: str,
    notebook: str,
    conversation_id: str,
    incoming: Any,
    secrets: Sequence[str] = (),
    now: str | None = None,
) -> dict[str, Any]:
    """Merge ``incoming`` into the stored conversation and write it; returns what was written.

    If text had to be repaired, the reply (not the file) carries ``warnings`` saying so.
    """
    path = conversation_file(store, notebook, conversation_id)
    incoming, repaired = repair_text(validate_incoming(incoming))
    incoming["id"] = conversation_id
    incoming["notebook"] = "/".join(notebook_parts(notebook))
    with store_lock(store):
        merged = merge(read_json(path), incoming, now)
        merged["notebook"] = incoming["notebook"]
        merged = scrub(merged, secrets)
        atomic_write_json(path, merged)
    if repaired:
        merged = {
            **merged,
            "warnings": [
                f"{repaired} broken character{'s' if repaired != 1 else ''} (half of an emoji or other "
                "character cut in two) replaced by U+FFFD before saving."
            ],
        }
    return merged


def delete_conversation(store: str, notebook: str, conversation_id: str) -> None:
    path = conversation_file(store, notebook, conversation_id)
    with store_lock(store):
        try:
            os.unlink(path)
        except FileNotFoundError:
            raise Missing(f"No saved conversation '{conversation_id}' for '{notebook}'.") from None
        prune_empty(os.path.dirname(path), store)


def prune_empty(folder: str, store: str) -> None:
    """Remove ``folder`` and its parents while they are empty, stopping at the store."""
    real_store = os.path.realpath(store)
    folder = os.path.realpath(folder)
    while folder != real_store and is_within(folder, real_store):
        try:
            os.rmdir(folder)
        except OSError:  # not empty (or gone)
            return
        folder = os.path.dirname(folder)


# -- following renames -----------------------------------------------------------------


def _store_path(store: str, path: str) -> tuple[str, list[str]]:
    """The store folder mirroring any root-relative path (a notebook or a folder of them)."""
    parts = split_relative(path)
    if not parts:
        raise BadRequest("The root itself cannot be moved.")
    real_store = os.path.realpath(store)
    target = os.path.join(real_store, *parts)
    check_store_path(os.path.realpath(target), real_store, parts)
    return target, parts


def move_notebook(store: str, source: str, destination: str) -> bool:
    """Follow a rename of a notebook (or of a folder of notebooks): move its conversations.

    Returns whether there was anything to move. If the destination already has
    conversations, files are moved one by one and a conversation with the same id is merged.
    """
    src, _ = _store_path(store, source)
    dst, _ = _store_path(store, destination)
    with store_lock(store):
        if not os.path.isdir(src) or os.path.islink(src):
            return False
        _move_tree(src, dst)
        prune_empty(os.path.dirname(src), store)
        _repoint(dst, store)
    return True


def _move_tree(src: str, dst: str) -> None:
    if not os.path.exists(dst):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.replace(src, dst)
        return
    for entry in list(os.scandir(src)):
        target = os.path.join(dst, entry.name)
        if entry.is_dir(follow_symlinks=False):
            _move_tree(entry.path, target)
        elif not os.path.exists(target):
            os.replace(entry.path, target)
        elif entry.name.endswith(".json"):
            theirs = read_json(entry.path)
            ours = read_json(target)
            if theirs is not None:
                atomic_write_json(target, merge(ours, theirs))
            os.unlink(entry.path)
    try:
        os.rmdir(src)
    except OSError:
        pass


def _repoint(folder: str, store: str) -> None:
    """Rewrite the ``notebook`` field of every conversation below ``folder`` after a move."""
    real_store = os.path.realpath(store)
    for dirpath, _dirs, names in os.walk(folder):
        notebook = os.path.relpath(dirpath, real_store).replace(os.sep, "/")
        for name in names:
            stem, ext = os.path.splitext(name)
            if ext != ".json" or not ID_PATTERN.match(stem):
                continue
            path = os.path.join(dirpath, name)
            data = read_json(path)
            if data is not None and data.get("notebook") != notebook:
                data["notebook"] = notebook
                atomic_write_json(path, data)
