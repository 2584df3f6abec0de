"""Skills in the Agent Skills format, and project rules (AGENTS.md / CLAUDE.md).

``c.ClaudeSkills.paths`` and ``c.ClaudeSkills.manifest`` add the admin's skills to those
shipped with the package (``builtin/``), the user's (``~/.claude/skills``) and the project's
(``<Jupyter root>/.claude/skills``).
"""

from __future__ import annotations

import os
from typing import Any

from traitlets import Bool, List, Unicode
from traitlets.config import Configurable

from .catalog import BUILTIN_DIR, SOURCES, SkillCatalog
from .handlers import skills_routes


class ClaudeSkills(Configurable):
    """Where skills come from, besides the built-in, user and project folders."""

    paths = List(
        Unicode(),
        default_value=[],
        help="Admin skill folders: each a skill folder (with SKILL.md) or a folder of skill folders.",
    ).tag(config=True)
    manifest = Unicode(
        "",
        help="An organisation manifest: a JSON file listing skill folders or .zip/.tar.gz archives "
        "(paths relative to the manifest). Archives are unpacked into the Jupyter data folder.",
    ).tag(config=True)
    user_skills = Bool(True, help="Read the user's skills from ~/.claude/skills.").tag(config=True)
    project_skills = Bool(True, help="Read the project's skills from <Jupyter root>/.claude/skills.").tag(config=True)
    builtin_skills = Bool(True, help="Offer the skills shipped with jupyterlab_claude.").tag(config=True)


def setup_skills(server_app: Any, handler_base: type) -> SkillCatalog:
    """Read ``c.ClaudeSkills`` and add the skills and rules routes."""
    config = ClaudeSkills(config=server_app.config)
    root = getattr(server_app, "root_dir", None)
    data_dir = getattr(server_app, "data_dir", None) or os.path.expanduser("~/.local/share/jupyter")
    catalog = SkillCatalog(
        builtin=[BUILTIN_DIR] if config.builtin_skills else [],
        admin=list(config.paths),
        user=[os.path.join("~", ".claude", "skills")] if config.user_skills else [],
        project_root=root if config.project_skills else None,
        manifest=config.manifest or None,
        cache_dir=os.path.join(data_dir, "jupyterlab_claude", "skills"),
    )
    server_app.web_app.add_handlers(
        ".*$", skills_routes(server_app.web_app.settings["base_url"], handler_base, catalog)
    )
    return catalog


__all__ = ["SOURCES", "ClaudeSkills", "SkillCatalog", "setup_skills"]
