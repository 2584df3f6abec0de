"""Where skills come from, in order: built-in, admin, user, project; and reading their files.

Every source is scanned on each listing (a skill added to a folder shows up without a
restart). A source's root is either a skill folder (it holds ``SKILL.md``) or a folder of
skill folders. The same name in two sources is listed twice: the browser shows the more
specific one as in force and the other as shadowed. Reading a file is confined to its
skill's folder: absolute paths, ``..`` and links that resolve outside it are refused, and at
most :data:`MAX_FILE_BYTES` of a file are returned.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import zipfile
from dataclasses import asdict
from typing import Any

from ..errors import BadRequest, Missing, Refused
from ..files import is_within, split_relative
from .spec import SKILL_FILE, Skill, read_skill

#: Sources from the least to the most specific; a later one wins a name.
SOURCES = ("built-in", "admin", "user", "project")
BUILTIN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "builtin")
#: The most of one file a read returns.
MAX_FILE_BYTES = 256 * 1024
#: Largest archive the manifest may name, and the most its contents may unpack to.
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: At most this many skill folders are read from one root.
MAX_SKILLS_PER_ROOT = 500


def _skill_dirs(root: str) -> list[str]:
    """The skill folders of a root (itself, or its sub-folders that hold ``SKILL.md``)."""
    if os.path.isfile(os.path.join(root, SKILL_FILE)):
        return [root]
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    found = [os.path.join(root, n) for n in names if not n.startswith(".")]
    return [d for d in found if os.path.isfile(os.path.join(d, SKILL_FILE))][:MAX_SKILLS_PER_ROOT]


def _unpack(archive: str, cache_dir: str) -> str:
    """Unpack a .zip or .tar(.gz) skill archive once into the cache; refuse entries that escape."""
    size = os.path.getsize(archive)
    if size > MAX_ARCHIVE_BYTES:
        raise Refused(f"{archive} is over {MAX_ARCHIVE_BYTES // (1024 * 1024)} MB.")
    with open(archive, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    target = os.path.join(cache_dir, digest)
    if os.path.isdir(target):
        return target
    partial = target + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    total = 0
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for info in z.infolist():
                    parts = split_relative(info.filename)
                    total += info.file_size
                    if total > MAX_UNPACKED_BYTES:
                        raise Refused(f"{archive} unpacks to over {MAX_UNPACKED_BYTES // (1024 * 1024)} MB.")
                    if info.is_dir() or not parts:
                        continue
                    dest = os.path.join(partial, *parts)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with z.open(info) as src, open(dest, "wb") as out:
                        shutil.copyfileobj(src, out)
        else:
            with tarfile.open(archive) as t:
                for member in t.getmembers():
                    parts = split_relative(member.name)
                    if not member.isfile() or not parts:
                        continue  # links and devices are never unpacked
                    total += member.size
                    if total > MAX_UNPACKED_BYTES:
                        raise Refused(f"{archive} unpacks to over {MAX_UNPACKED_BYTES // (1024 * 1024)} MB.")
                    dest = os.path.join(partial, *parts)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    src = t.extractfile(member)
                    if src is not None:
                        with src, open(dest, "wb") as out:
                            shutil.copyfileobj(src, out)
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def manifest_roots(manifest: str, cache_dir: str) -> tuple[list[str], list[str]]:
    """``(roots, problems)`` of an organisation manifest: a JSON list of skill folders or archives.

    Relative entries are relative to the manifest's folder. A bad entry is reported and skipped.
    """
    problems: list[str] = []
    try:
        with open(manifest, encoding="utf-8") as f:
            entries = json.load(f)
    except (OSError, ValueError) as exc:
        return [], [f"The skills manifest {manifest} could not be read: {exc}."]
    if isinstance(entries, dict):
        entries = entries.get("skills", [])
    if not isinstance(entries, list):
        return [], [f"The skills manifest {manifest} must be a JSON list of skill folders or archives."]
    roots: list[str] = []
    base = os.path.dirname(os.path.abspath(manifest))
    for entry in entries:
        path = entry.get("path") if isinstance(entry, dict) else entry
        if not isinstance(path, str) or not path:
            problems.append(f"The skills manifest has an entry that is not a path: {entry!r}.")
            continue
        full = os.path.join(base, os.path.expanduser(path))
        try:
            if os.path.isdir(full):
                roots.append(full)
            elif os.path.isfile(full) and full.endswith((".zip", ".tar", ".tar.gz", ".tgz", ".skill")):
                roots.append(_unpack(full, cache_dir))
            else:
                problems.append(f"The skills manifest names {path}, which is not a folder or an archive.")
        except (OSError, tarfile.TarError, zipfile.BadZipFile, Refused, BadRequest) as exc:
            problems.append(f"The skills manifest entry {path} could not be unpacked: {exc}.")
    return roots, problems


class SkillCatalog:
    """The skill folders of every source, read on demand."""

    def __init__(
        self,
        builtin: list[str],
        admin: list[str],
        user: list[str],
        project_root: str | None,
        manifest: str | None = None,
        cache_dir: str | None = None,
    ):
        self.roots = {"built-in": builtin, "admin": admin, "user": user}
        self.project_root = project_root
        self.manifest = manifest
        self.cache_dir = cache_dir

    def _roots(self) -> tuple[dict[str, list[str]], list[str]]:
        roots = {k: list(v) for k, v in self.roots.items()}
        problems: list[str] = []
        if self.manifest:
            extra, problems = manifest_roots(self.manifest, self.cache_dir or os.path.dirname(self.manifest))
            roots["admin"] += extra
        roots["project"] = [os.path.join(self.project_root, ".claude", "skills")] if self.project_root else []
        return roots, problems

    def scan(self) -> tuple[list[tuple[str, Skill]], list[str]]:
        """Every ``(source, skill)`` found, sources in order, and problems with the sources themselves."""
        roots, problems = self._roots()
        found: list[tuple[str, Skill]] = []
        for source in SOURCES:
            seen: set[str] = set()
            for root in roots.get(source, []):
                root = os.path.expanduser(root)
                for folder in _skill_dirs(root):
                    real = os.path.realpath(folder)
                    if source == "project" and not is_within(real, os.path.realpath(self.project_root or "")):
                        problems.append(f"The project skill {os.path.basename(folder)} links outside the project.")
                        continue
                    if real in seen:
                        continue
                    seen.add(real)
                    found.append((source, read_skill(real)))
        return found, problems

    def listing(self) -> dict[str, Any]:
        """What ``GET claude/skills`` answers: every skill of every source, without bodies."""
        found, problems = self.scan()
        skills = []
        for source, skill in found:
            entry = asdict(skill)
            entry["body_chars"] = len(entry.pop("body"))
            entry["source"] = source
            entry["location"] = "built-in" if source == "built-in" else _display(skill.path)
            del entry["path"]
            skills.append(entry)
        return {"skills": skills, "problems": problems, "sources": list(SOURCES)}

    def find(self, source: str, name: str) -> Skill:
        """The valid skill called ``name`` in ``source``."""
        if source not in SOURCES:
            raise BadRequest(f"'source' must be one of {', '.join(SOURCES)}.")
        found, _ = self.scan()
        for s, skill in found:
            if s == source and skill.name == name:
                if not skill.valid:
                    raise Refused(f"The skill {name} is malformed: {' '.join(skill.problems)}")
                return skill
        raise Missing(f"There is no {source} skill named {name}.")

    def read_file(self, source: str, name: str, path: str) -> dict[str, Any]:
        """A file of a skill, confined to its folder, at most :data:`MAX_FILE_BYTES` of it."""
        skill = self.find(source, name)
        parts = split_relative(path)
        if not parts:
            raise BadRequest("Give the 'path' of a file inside the skill's folder.")
        rel = "/".join(parts)
        real_root = skill.path
        real = os.path.realpath(os.path.join(real_root, *parts))
        if not is_within(real, real_root):
            raise Refused(f"'{rel}' resolves (through a symlink) outside the skill's folder.")
        if not os.path.isfile(real):
            raise Missing(f"The skill {name} has no file '{rel}'.")
        size = os.path.getsize(real)
        with open(real, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
        if b"\x00" in data[:1024]:
            raise Refused(f"'{rel}' is a binary file; only text files of a skill are read.")
        truncated = len(data) > MAX_FILE_BYTES
        text = data[:MAX_FILE_BYTES].decode("utf-8", errors="replace")
        return {"name": name, "source": source, "path": rel, "size": size, "truncated": truncated, "text": text}


def _display(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home) :] if home and home != "/" and is_within(path, home) else path
