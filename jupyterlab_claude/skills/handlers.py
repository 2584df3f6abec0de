"""The skills routes: ``GET claude/skills`` (the catalog), ``claude/skills/body``, ``claude/skills/file``
and ``claude/rules`` (the project rules of a notebook). Authenticated, authorised like reading
files (resource ``contents``, action ``read``), read-only."""

from __future__ import annotations

import json
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join

from ..errors import BadRequest
from .catalog import SkillCatalog
from .rules import project_rules


def skills_routes(base_url: str, handler_base: type, catalog: SkillCatalog) -> list[tuple[str, type, dict]]:
    class SkillsHandler(handler_base):  # type: ignore[misc, valid-type]
        auth_resource = "contents"
        disk_failure = ("Claude skills", "read the skills")

        def initialize(self) -> None:  # no proxy state: the catalog is all these need
            self.catalog = catalog

        def required(self, name: str) -> str:
            value = self.get_query_argument(name, "")
            if not value.strip():
                raise BadRequest(f"Give the skill's '{name}'.")
            return value

    class ListHandler(SkillsHandler):
        @tornado.web.authenticated
        @authorized
        async def get(self) -> None:
            self.finish(json.dumps(await self.off_loop(self.catalog.listing)))

    class BodyHandler(SkillsHandler):
        @tornado.web.authenticated
        @authorized
        async def get(self) -> None:
            skill = await self.off_loop(self.catalog.find, self.required("source"), self.required("name"))
            self.finish(
                json.dumps(
                    {"name": skill.name, "description": skill.description, "body": skill.body, "files": skill.files}
                )
            )

    class FileHandler(SkillsHandler):
        @tornado.web.authenticated
        @authorized
        async def get(self) -> None:
            args = (self.required("source"), self.required("name"), self.required("path"))
            self.finish(json.dumps(await self.off_loop(self.catalog.read_file, *args)))

    class RulesHandler(SkillsHandler):
        @tornado.web.authenticated
        @authorized
        async def get(self) -> None:
            root = self.jupyter_root("no project rules can be read")
            notebook = self.get_query_argument("notebook", "")
            self.finish(json.dumps(await self.off_loop(project_rules, root, notebook)))

    base = url_path_join(base_url, "claude")
    routes: list[tuple[str, type, dict[str, Any]]] = [
        (url_path_join(base, "skills"), ListHandler, {}),
        (url_path_join(base, "skills", "body"), BodyHandler, {}),
        (url_path_join(base, "skills", "file"), FileHandler, {}),
        (url_path_join(base, "rules"), RulesHandler, {}),
    ]
    return routes
