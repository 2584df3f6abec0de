"""Skills: reading folders in the Agent Skills format, the sources and their order, and the
authenticated routes that list skills and read their files, confined to each skill's folder."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import zipfile
from typing import Any

import httpx
import pytest
from traitlets.config import Config

from jupyterlab_claude.skills.catalog import BUILTIN_DIR, MAX_FILE_BYTES, SkillCatalog, manifest_roots
from jupyterlab_claude.skills.rules import project_rules
from jupyterlab_claude.skills.spec import MAX_FILES, MAX_SKILL_BYTES, read_skill

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "skills")
REAL = {
    "skill-creator": os.path.join(FIXTURES, "anthropics-skills", "skill-creator"),
    "statistical-analysis": os.path.join(FIXTURES, "scientific-agent-skills", "statistical-analysis"),
    "literature-review": os.path.join(FIXTURES, "scientific-agent-skills", "literature-review"),
}


def skill(root, name: str, front: str, body: str = "Do the thing.\n", folder: str | None = None) -> str:
    path = os.path.join(str(root), folder or name)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "SKILL.md"), "w", encoding="utf-8") as f:
        f.write(f"---\n{front}\n---\n{body}")
    return path


# -- the format ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_third_party_skills_load_unchanged(name):
    s = read_skill(REAL[name])
    assert s.valid, s.problems
    assert s.name == name
    assert 50 < len(s.description) <= 1024
    assert s.body.lstrip().startswith("#")
    assert "SKILL.md" in s.files and s.size > len(s.body)


def test_nested_metadata_is_a_warning_and_allowed_tools_are_only_recorded():
    s = read_skill(REAL["literature-review"])
    assert s.valid
    assert any("openclaw" in w for w in s.warnings)
    assert s.allowed_tools == ["Read", "Write", "Edit", "Bash"]


def test_malformed_fixtures_name_their_exact_problem():
    bad = read_skill(os.path.join(FIXTURES, "malformed", "bad-front-matter"))
    assert not bad.valid
    assert bad.problems[0].startswith("The front matter is not valid YAML: found unexpected end of stream")
    missing = read_skill(os.path.join(FIXTURES, "malformed", "no-description"))
    assert missing.problems == ["The front matter has no 'description' (what Claude decides to use the skill by)."]


@pytest.mark.parametrize(
    "front,problem",
    [
        ("name: Bad_Name\ndescription: x", "may use only lower-case letters, digits and single hyphens"),
        ("name: a--b\ndescription: x", "may use only lower-case letters"),
        ("name: -ab\ndescription: x", "may use only lower-case letters"),
        (f"name: {'a' * 65}\ndescription: x", "'name' is 65 characters; at most 64"),
        ("name: ok\ndescription: " + "d" * 1025, "'description' is 1025 characters; at most 1024"),
        ("description: no name", "has no 'name'"),
        ("name: ok\ndescription: ''", "has no 'description'"),
        ("- a list", "not a YAML mapping"),
        ("name: [unclosed\ndescription: x", "not valid YAML"),
    ],
)
def test_each_rule_of_the_specification(tmp_path, front, problem):
    s = read_skill(skill(tmp_path, "ok", front))
    assert any(problem in p for p in s.problems), s.problems


def test_limits_are_inclusive_and_a_folder_name_mismatch_only_warns(tmp_path):
    s = read_skill(skill(tmp_path, "x" * 64, f"name: {'x' * 64}\ndescription: {'d' * 1024}"))
    assert s.valid, s.problems
    other = read_skill(skill(tmp_path, "alpha", "name: beta\ndescription: d", folder="alpha"))
    assert other.valid and other.name == "beta" and "differs from its folder" in other.warnings[0]


def test_no_front_matter(tmp_path):
    path = tmp_path / "plain"
    path.mkdir()
    (path / "SKILL.md").write_text("# Just a title\n")
    assert "does not begin with YAML front matter" in read_skill(str(path)).problems[0]


def test_every_builtin_skill_is_valid_and_small():
    names = sorted(os.listdir(BUILTIN_DIR))
    assert len(names) == 5
    for name in names:
        s = read_skill(os.path.join(BUILTIN_DIR, name))
        assert s.valid and not s.warnings, (name, s.problems, s.warnings)
        assert s.body.count("\n") < 200, name


# -- sources ---------------------------------------------------------------------------


def test_sources_in_order_and_shadowing_kept_for_the_browser(tmp_path):
    admin, user, project = tmp_path / "admin", tmp_path / "user", tmp_path / "proj"
    skill(admin, "units", "name: units\ndescription: admin units")
    skill(user, "units", "name: units\ndescription: user units")
    skill(project / ".claude" / "skills", "units", "name: units\ndescription: project units")
    skill(user, "mine", "name: mine\ndescription: only mine")
    shutil.copytree(os.path.join(FIXTURES, "malformed"), admin / "malformed")
    catalog = SkillCatalog([BUILTIN_DIR], [str(admin), str(admin / "malformed")], [str(user)], str(project))
    listing = catalog.listing()
    units = [(s["source"], s["description"]) for s in listing["skills"] if s["name"] == "units"]
    assert units == [("admin", "admin units"), ("user", "user units"), ("project", "project units")]
    malformed = [s for s in listing["skills"] if s["problems"]]
    assert sorted(s["name"] for s in malformed) == ["bad-front-matter", "no-description"]
    assert all("body" not in s and s["body_chars"] >= 0 for s in listing["skills"])
    assert catalog.find("project", "units").description == "project units"


def test_a_project_skill_linking_out_of_the_project_is_not_read(tmp_path):
    outside = skill(tmp_path / "elsewhere", "sneaky", "name: sneaky\ndescription: d")
    skills = tmp_path / "proj" / ".claude" / "skills"
    skills.mkdir(parents=True)
    os.symlink(outside, skills / "sneaky")
    listing = SkillCatalog([], [], [], str(tmp_path / "proj")).listing()
    assert listing["skills"] == []
    assert "links outside the project" in listing["problems"][0]


def test_the_manifest_lists_folders_and_archives_unpacked_safely(tmp_path):
    folder = skill(tmp_path / "org", "folder-skill", "name: folder-skill\ndescription: from a folder")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("zipped/SKILL.md", "---\nname: zipped\ndescription: from a zip\n---\nBody\n")
    (tmp_path / "org" / "zipped.zip").write_bytes(buf.getvalue())
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../../escaped.txt", "x")
    (tmp_path / "org" / "evil.zip").write_bytes(evil.getvalue())
    with tarfile.open(tmp_path / "org" / "linky.tar.gz", "w:gz") as t:
        info = tarfile.TarInfo("linky/SKILL.md")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        t.addfile(info)
    manifest = tmp_path / "org" / "skills.json"
    manifest.write_text(json.dumps([folder, "zipped.zip", "evil.zip", "linky.tar.gz", "missing", 3]))
    roots, problems = manifest_roots(str(manifest), str(tmp_path / "cache"))
    assert not (tmp_path / "escaped.txt").exists()
    assert len(problems) == 3 and "'..' is not allowed" in " ".join(problems)
    catalog = SkillCatalog([], [], [], None, manifest=str(manifest), cache_dir=str(tmp_path / "cache"))
    names = sorted(s["name"] for s in catalog.listing()["skills"])
    # The tar's link was never unpacked: its folder has no SKILL.md, so no skill.
    assert names == ["folder-skill", "zipped"]


def test_project_rules_from_the_root_and_beside_the_notebook(tmp_path):
    (tmp_path / "AGENTS.md").write_text("Use SI units.\n")
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "CLAUDE.md").write_text("Plots need error bars.\n")
    os.symlink(tmp_path / "AGENTS.md", tmp_path / "CLAUDE.md")  # the same file twice is read once
    rules = project_rules(str(tmp_path), "lab/run.ipynb")
    assert [(f["path"], f["text"]) for f in rules["files"]] == [
        ("AGENTS.md", "Use SI units."),
        ("lab/CLAUDE.md", "Plots need error bars."),
    ]


# -- the routes ------------------------------------------------------------------------


@pytest.fixture
def skill_dirs(tmp_path, monkeypatch, jp_root_dir):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    skill(home / ".claude" / "skills", "units", "name: units\ndescription: user units", "USER BODY\n")
    proj = skill(jp_root_dir / ".claude" / "skills", "units", "name: units\ndescription: project units")
    os.makedirs(os.path.join(proj, "references"))
    with open(os.path.join(proj, "references", "table.md"), "w") as f:
        f.write("| unit | factor |\n")
    with open(os.path.join(proj, "references", "huge.txt"), "w") as f:
        f.write("x" * (MAX_FILE_BYTES + 5000))
    with open(os.path.join(proj, "blob.bin"), "wb") as f:
        f.write(b"\x00\x01" * 100)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    os.symlink(secret, os.path.join(proj, "references", "link.md"))
    return {"home": home, "project": proj, "secret": secret}


@pytest.fixture
def jp_server_config(jp_server_config: Config, tmp_path) -> Config:
    jp_server_config.ClaudeSkills = Config({"paths": [os.path.join(FIXTURES, "scientific-agent-skills")]})
    return jp_server_config


async def get(jp_fetch, *path: str, **params: Any):
    r = await jp_fetch("claude", *path, params=params, raise_error=False)
    return r.code, json.loads(r.body or b"null")


async def test_the_listing_route(jp_fetch, skill_dirs):
    code, body = await get(jp_fetch, "skills")
    assert code == 200
    by = {(s["source"], s["name"]): s for s in body["skills"]}
    assert ("admin", "statistical-analysis") in by and ("admin", "literature-review") in by
    assert by[("user", "units")]["description"] == "user units"
    assert by[("project", "units")]["files"] == ["SKILL.md", "blob.bin", "references/huge.txt", "references/table.md"]
    assert len([k for k in by if k[0] == "built-in"]) == 5
    assert "TOP SECRET" not in json.dumps(body)


async def test_the_body_route_reads_the_named_source(jp_fetch, skill_dirs):
    code, body = await get(jp_fetch, "skills", "body", source="user", name="units")
    assert code == 200 and body["body"] == "USER BODY\n"
    code, body = await get(jp_fetch, "skills", "body", source="project", name="nope")
    assert code == 404
    code, body = await get(jp_fetch, "skills", "body", source="elsewhere", name="units")
    assert code == 400
    code, body = await get(jp_fetch, "skills", "body", source="user")
    assert code == 400 and "'name'" in body["error"]["message"]


async def test_file_reads_are_confined_to_the_skill_folder(jp_fetch, skill_dirs):
    code, body = await get(jp_fetch, "skills", "file", source="project", name="units", path="references/table.md")
    assert code == 200 and body["text"] == "| unit | factor |\n" and not body["truncated"]
    for path, status in [
        ("../../../etc/passwd", 403),
        ("references/../../units/SKILL.md", 403),
        ("/etc/passwd", 403),
        ("~/.bashrc", 403),
        ("references/link.md", 403),
        ("blob.bin", 403),
        ("references", 404),
        ("nothing.md", 404),
    ]:
        code, body = await get(jp_fetch, "skills", "file", source="project", name="units", path=path)
        assert code == status, (path, body)
        assert "TOP SECRET" not in json.dumps(body)
    code, body = await get(jp_fetch, "skills", "file", source="project", name="units", path="references/huge.txt")
    assert code == 200 and body["truncated"] and len(body["text"]) == MAX_FILE_BYTES
    assert body["size"] == MAX_FILE_BYTES + 5000


async def test_malformed_skills_are_listed_but_never_read(jp_fetch, skill_dirs, jp_root_dir):
    shutil.copytree(
        os.path.join(FIXTURES, "malformed", "no-description"), jp_root_dir / ".claude/skills/no-description"
    )
    code, body = await get(jp_fetch, "skills")
    bad = [s for s in body["skills"] if s["name"] == "no-description"]
    assert bad and bad[0]["problems"]
    code, body = await get(jp_fetch, "skills", "body", source="project", name="no-description")
    assert code == 403 and "malformed" in body["error"]["message"]


async def test_the_rules_route(jp_fetch, jp_root_dir):
    (jp_root_dir / "AGENTS.md").write_text("Always report n.\n")
    code, body = await get(jp_fetch, "rules", notebook="analysis.ipynb")
    assert code == 200 and body["files"][0]["text"] == "Always report n."
    code, body = await get(jp_fetch, "rules", notebook="../../x.ipynb")
    assert code == 403


@pytest.fixture
def live(jp_serverapp, http_server, jp_http_port, jp_base_url):
    return {"url": f"http://127.0.0.1:{jp_http_port}{jp_base_url}"}


@pytest.mark.parametrize("path", ["claude/skills", "claude/skills/body", "claude/skills/file", "claude/rules"])
async def test_routes_need_authentication(live, path, skill_dirs):
    async with httpx.AsyncClient() as client:
        r = await client.get(live["url"] + path, params={"source": "user", "name": "units", "path": "SKILL.md"})
        assert r.status_code == 403
        assert b"USER BODY" not in r.content and b"units" not in r.content
        # Cross-site (a page elsewhere, the scientist's token in the URL it guessed): blocked all the same.
        r = await client.get(
            live["url"] + path,
            params={"token": "wrong", "source": "user", "name": "units"},
            headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"},
        )
        assert r.status_code in (403, 404) and b"USER BODY" not in r.content


def test_a_huge_skill_md_is_a_problem_not_a_read(tmp_path):
    path = skill(tmp_path, "huge", "name: huge\ndescription: d", "x" * (MAX_SKILL_BYTES + 10))
    s = read_skill(path)
    assert not s.valid and "is over 512 KB and is not read" in s.problems[0]
    assert s.body == ""


def test_links_out_of_a_skill_are_not_listed_and_the_file_count_is_capped(tmp_path):
    path = skill(tmp_path, "many", "name: many\ndescription: d")
    (tmp_path / "outside.txt").write_text("outside")
    os.symlink(tmp_path / "outside.txt", os.path.join(path, "link.txt"))
    os.makedirs(os.path.join(path, "assets"))
    for i in range(MAX_FILES + 50):
        with open(os.path.join(path, "assets", f"f{i:05d}.txt"), "w") as f:
            f.write("x")
    s = read_skill(path)
    assert "link.txt" not in s.files
    assert len(s.files) == MAX_FILES


def test_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin"
    path.mkdir()
    (path / "SKILL.md").write_bytes("---\nname: latin\ndescription: caf\xe9\n---\n".encode("latin-1"))
    assert read_skill(str(path)).problems == ["SKILL.md is not UTF-8 text."]
