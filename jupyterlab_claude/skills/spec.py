"""Reading one skill folder in the Agent Skills format: ``SKILL.md`` with YAML front matter.

Pure logic, no Tornado. :func:`read_skill` never raises for a bad skill: it returns the
skill with its ``problems`` (what keeps it from being offered: unparseable YAML, a missing
or too long description, a name outside ``[a-z0-9-]`` or over 64 characters) and its
``warnings`` (what the specification discourages but a scientist's skill may still do: a
name that differs from its folder, nested ``metadata``, a body over 500 lines). The rest of
the catalog loads either way. ``allowed-tools`` is kept for display only: nothing here
pre-approves a tool.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

SKILL_FILE = "SKILL.md"
NAME_MAX = 64
DESCRIPTION_MAX = 1024
COMPATIBILITY_MAX = 500
#: ``a-z``, ``0-9`` and single hyphens between them (agentskills.io specification).
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A SKILL.md larger than this is not read (the specification recommends under ~5,000 tokens).
MAX_SKILL_BYTES = 512 * 1024
#: Bodies past this many lines get a warning, as the specification recommends.
BODY_LINES_ADVISED = 500
#: At most this many files of a folder are listed and counted.
MAX_FILES = 1000


@dataclass
class Skill:
    """One skill folder, as read (valid or not)."""

    folder: str
    path: str
    name: str
    description: str = ""
    body: str = ""
    license: str | None = None
    compatibility: str | None = None
    allowed_tools: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    size: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems


def split_front_matter(text: str) -> tuple[str | None, str]:
    """``(front matter, body)``; the front matter is None when the file does not open with ``---``."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]).lstrip("\r\n")
    return None, text


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    # Line numbers count from SKILL.md's first line (the opening ---).
    where = f" (line {mark.line + 2})" if mark is not None else ""
    return f"The front matter is not valid YAML: {problem}{where}."


def check_front_matter(meta: Any, folder: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """``(fields, problems, warnings)`` of parsed front matter against the specification."""
    problems: list[str] = []
    warnings: list[str] = []
    if not isinstance(meta, dict):
        return {}, ["The front matter is not a YAML mapping of fields (name: ..., description: ...)."], warnings
    name = meta.get("name")
    if name is None or (isinstance(name, str) and not name.strip()):
        problems.append("The front matter has no 'name'.")
    elif not isinstance(name, str):
        problems.append("'name' must be text.")
    elif len(name) > NAME_MAX:
        problems.append(f"'name' is {len(name)} characters; at most {NAME_MAX} are allowed.")
    elif not NAME_PATTERN.match(name):
        problems.append(
            f"'name' \"{name}\" may use only lower-case letters, digits and single hyphens (not at either end)."
        )
    elif name != folder:
        warnings.append(f'\'name\' "{name}" differs from its folder "{folder}".')
    description = meta.get("description")
    if description is None or (isinstance(description, str) and not description.strip()):
        problems.append("The front matter has no 'description' (what Claude decides to use the skill by).")
    elif not isinstance(description, str):
        problems.append("'description' must be text.")
    elif len(description) > DESCRIPTION_MAX:
        problems.append(f"'description' is {len(description)} characters; at most {DESCRIPTION_MAX} are allowed.")
    compatibility = meta.get("compatibility")
    if compatibility is not None and (not isinstance(compatibility, str) or len(compatibility) > COMPATIBILITY_MAX):
        warnings.append(f"'compatibility' should be text of at most {COMPATIBILITY_MAX} characters.")
    metadata = meta.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            warnings.append("'metadata' should map names to text.")
        else:
            nested = sorted(str(k) for k, v in metadata.items() if not isinstance(v, str))
            if nested:
                warnings.append(f"'metadata' should map names to text; {', '.join(nested)} is not text (kept as is).")
    return meta, problems, warnings


def _tools(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def list_files(real: str) -> tuple[list[str], int]:
    """Relative paths of the files under a skill folder (links out of it left out), and their total size."""
    files: list[str] = []
    size = 0
    for dirpath, dirnames, filenames in os.walk(real):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            resolved = os.path.realpath(full)
            if os.path.commonpath([resolved, real]) != real or not os.path.isfile(resolved):
                continue
            files.append(os.path.relpath(full, real).replace(os.sep, "/"))
            size += os.path.getsize(resolved)
            if len(files) >= MAX_FILES:
                return files, size
    return files, size


def read_skill(path: str) -> Skill:
    """Read the skill in folder ``path`` (a real path). Problems are reported, never raised."""
    real = os.path.realpath(path)
    folder = os.path.basename(real.rstrip(os.sep))
    skill = Skill(folder=folder, path=real, name=folder)
    skill.files, skill.size = list_files(real)
    md = os.path.join(real, SKILL_FILE)
    try:
        if os.path.getsize(md) > MAX_SKILL_BYTES:
            skill.problems.append(f"{SKILL_FILE} is over {MAX_SKILL_BYTES // 1024} KB and is not read.")
            return skill
        with open(md, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError:
        skill.problems.append(f"{SKILL_FILE} is not UTF-8 text.")
        return skill
    except OSError as exc:
        skill.problems.append(f"{SKILL_FILE} could not be read ({type(exc).__name__}).")
        return skill
    front, body = split_front_matter(text)
    skill.body = body
    if front is None:
        skill.problems.append(f"{SKILL_FILE} does not begin with YAML front matter between '---' lines.")
        return skill
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        skill.problems.append(_yaml_problem(exc))
        return skill
    fields, problems, warnings = check_front_matter(meta, folder)
    skill.problems += problems
    skill.warnings += warnings
    if isinstance(fields.get("name"), str) and fields["name"].strip():
        skill.name = fields["name"]
    if isinstance(fields.get("description"), str):
        skill.description = fields["description"].strip()
    if isinstance(fields.get("license"), str):
        skill.license = fields["license"]
    if isinstance(fields.get("compatibility"), str):
        skill.compatibility = fields["compatibility"]
    if isinstance(fields.get("metadata"), dict):
        skill.metadata = fields["metadata"]
    skill.allowed_tools = _tools(fields.get("allowed-tools"))
    if body.count("\n") > BODY_LINES_ADVISED:
        skill.warnings.append(f"The body is over {BODY_LINES_ADVISED} lines; the specification advises shorter.")
    return skill
