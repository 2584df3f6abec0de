"""A real JupyterHub (PyPI's jupyterhub, npm's configurable-http-proxy) with two users.

The admin's config (tests/hub/jupyterhub_config.py) holds the key and the policy. Checked through
the hub: no response to either user carries the key; each user's chats are saved in their own
server; one user's session cannot reach the other's ``claude/*`` routes; two users in Chromium
log in through the hub's login page and get an answer in the panel.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mock_api import start_mock_server

ROOT = Path(__file__).parent.parent
HUB_DIR = ROOT / "tests" / "hub"
HUB_PORT = int(os.environ.get("HUB_PORT", "8100"))
USER_PORTS = os.environ.get("HUB_USER_PORTS", "9980,9981")
MOCK_PORT = int(os.environ.get("HUB_MOCK_PORT", "9989"))
HUB = f"http://127.0.0.1:{HUB_PORT}"
PASSWORD = "lab-" + secrets.token_hex(8)
KEY = "sk-ant-hub-" + secrets.token_hex(20)
MESSAGE = {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    proxy = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    assert proxy.exists(), "run scripts/setup.sh (npm ci --prefix tests/hub) for configurable-http-proxy"
    hub_bin = shutil.which("jupyterhub", path=os.path.dirname(sys.executable))
    assert hub_bin, "run scripts/setup.sh (jupyterhub from requirements-dev.txt)"
    state = tmp_path_factory.mktemp("hub")
    if os.environ.get("HUB_TEST_STATE"):  # keep the hub's files (its log) where one can read them
        state = Path(os.environ["HUB_TEST_STATE"])
        shutil.rmtree(state, ignore_errors=True)
        state.mkdir(parents=True)
    mock = start_mock_server(api_key=KEY, port=MOCK_PORT)
    env = {
        **os.environ,
        "HUB_STATE": str(state),
        "HUB_PORT": str(HUB_PORT),
        "HUB_USER_PORTS": USER_PORTS,
        "HUB_MOCK_URL": mock.url,
        "HUB_CLAUDE_KEY": KEY,
        "HUB_PASSWORD": PASSWORD,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    }
    env.pop("ANTHROPIC_API_KEY", None)
    log = open(state / "hub.log", "wb")
    process = subprocess.Popen(
        [hub_bin, "-f", str(HUB_DIR / "jupyterhub_config.py")],
        cwd=state,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (state / "hub.log").read_text()[-4000:]
            try:
                if httpx.get(f"{HUB}/hub/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the hub did not start:\n" + (state / "hub.log").read_text()[-4000:]
            time.sleep(0.3)
        yield {"state": state, "mock": mock}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        mock.stop()


class Session:
    """One user's browser-like session through the hub: cookies, XSRF, and a scan of every response."""

    def __init__(self, user: str):
        self.user = user
        self.seen = 0
        hooks = {"response": [self._scan]}
        self.client = httpx.Client(base_url=HUB, follow_redirects=True, timeout=60, event_hooks=hooks)

    def _scan(self, response: httpx.Response) -> None:
        response.read()
        self.seen += 1
        assert KEY not in response.text, response.url
        assert KEY.encode() not in response.content, response.url
        for name, value in response.headers.multi_items():
            assert KEY not in value, (response.url, name)

    def login(self) -> None:
        form = self.client.get("/hub/login")
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        data = {"username": self.user, "password": PASSWORD, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
        self.client.post("/hub/login?next=", data=data)
        # Start the server (the spawn page waits for it), then pass the OAuth handshake to it.
        deadline = time.monotonic() + 60
        while True:
            # A page (not an API call) goes through the OAuth handshake that logs in to the server.
            r = self.client.get(f"/user/{self.user}/lab")
            if r.status_code == 200 and r.url.path == f"/user/{self.user}/lab":
                return
            assert time.monotonic() < deadline, f"{self.user}'s server did not start: {r.status_code} {r.url}"
            time.sleep(0.5)

    def xsrf(self, server_user: str | None = None) -> dict[str, str]:
        for cookie in self.client.cookies.jar:
            if cookie.name == "_xsrf" and cookie.path.startswith(f"/user/{server_user or self.user}"):
                return {"X-XSRFToken": cookie.value}
        return {}

    def claude(self, method: str, owner: str, route: str, **kwargs):
        headers = {"Accept": "application/json", **self.xsrf(owner), **kwargs.pop("headers", {})}
        return self.client.request(method, f"/user/{owner}/claude/{route}", headers=headers, **kwargs)


@pytest.fixture(scope="module")
def sessions(hub):
    users = {name: Session(name) for name in ("alice", "bob")}
    for s in users.values():
        s.login()
    yield users
    for s in users.values():
        s.client.close()


def test_the_admin_policy_reaches_each_users_server(sessions):
    for name, s in sessions.items():
        r = s.claude("GET", name, "policy")
        assert r.status_code == 200, r.text
        view = r.json()
        assert view["allowed_models"] == ["claude-haiku-4-5", "claude-sonnet-4-6"]
        assert view["disabled_tools"] == ["run"]
        assert set(view["managed"]) >= {"allowed_models", "max_tokens", "daily_token_limit", "disabled_tools"}
        assert view["audit"] is True and "audit_log" not in view
        status = s.claude("GET", name, "status").json()
        assert status["key_configured"] is True


def test_answers_are_counted_and_audited_per_user(hub, sessions):
    alice = sessions["alice"]
    refused = alice.claude("POST", "alice", "v1/messages", json=dict(MESSAGE, model="claude-opus-5-5"))
    assert refused.status_code == 403 and "claude-haiku-4-5" in refused.json()["error"]["message"]
    r = alice.claude("POST", "alice", "v1/messages", json=MESSAGE, headers={"anthropic-version": "2023-06-01"})
    assert r.status_code == 200, r.text
    used = alice.claude("GET", "alice", "policy").json()["usage"]
    assert used["counted"] > 0
    assert sessions["bob"].claude("GET", "bob", "policy").json()["usage"]["counted"] == 0
    records = [json.loads(line) for line in (hub["state"] / "audit" / "alice.jsonl").read_text().splitlines()]
    answers = [r for r in records if r["event"] == "answer"]
    assert answers and all(r["user"] == "alice" for r in records)
    assert not (hub["state"] / "audit" / "bob.jsonl").exists()


def test_each_users_chats_stay_in_their_own_server(hub, sessions):
    alice, bob = sessions["alice"], sessions["bob"]
    body = {
        "version": 1,
        "title": "",
        "model": "claude-haiku-4-5",
        "turns": [{"id": "q1", "role": "user", "text": "alice's question", "thinking": "", "status": "done"}],
    }
    r = alice.claude("PUT", "alice", "conversations/c1?notebook=a.ipynb", json=body)
    assert r.status_code == 200, r.text
    saved = list((hub["state"] / "home" / "alice").rglob("c1.json"))
    assert len(saved) == 1
    assert not list((hub["state"] / "home" / "bob").rglob("c1.json"))
    assert bob.claude("GET", "bob", "conversations?notebook=a.ipynb").json()["conversations"] == []
    listed = alice.claude("GET", "alice", "conversations?notebook=a.ipynb").json()["conversations"]
    assert [c["id"] for c in listed] == ["c1"]


@pytest.mark.parametrize(
    "method,route",
    [
        ("GET", "policy"),
        ("GET", "status"),
        ("GET", "conversations?notebook=a.ipynb"),
        ("GET", "conversations/c1?notebook=a.ipynb"),
        ("POST", "v1/messages"),
        ("POST", "audit/approval"),
        ("GET", "files/list?path="),
    ],
)
def test_one_users_session_cannot_reach_the_others_routes(hub, sessions, method, route):
    before = len(hub["mock"].state.records())
    r = sessions["bob"].claude(method, "alice", route, json=MESSAGE if method == "POST" else None)
    # The hub refuses bob at alice's server's OAuth step (403), before any of our handlers run.
    assert r.status_code == 403, (r.status_code, r.url)
    assert "alice's question" not in r.text and "allowed_models" not in r.text
    assert len(hub["mock"].state.records()) == before


def test_one_users_session_cannot_open_the_others_lab(sessions):
    r = sessions["bob"].client.get("/user/alice/lab")
    assert r.status_code == 403
    assert "/user/alice/" not in str(r.url) or "oauth" not in str(r.url) or r.status_code == 403


def test_two_users_in_chromium_through_the_hub_login(hub, sessions):
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    assert os.path.exists(chromium), "install Chromium (apt-get install chromium)"
    for _user in ("alice", "bob"):
        hub["mock"].state.enqueue("/v1/messages", "hello", 1, {"event_delay_ms": 0})
    run = subprocess.run(
        ["node", str(HUB_DIR / "browser.js"), HUB, PASSWORD, KEY],
        capture_output=True,
        text=True,
        timeout=150,
        env={**os.environ, "HUB_STATE": str(hub["state"]), "CHROMIUM_PATH": chromium},
    )
    assert run.returncode == 0, run.stderr[-4000:]
    reports = json.loads(run.stdout)
    for report in reports:
        assert report["leaks"] == [], report
        assert report["responses"] > 20  # JupyterLab's page, its bundles and API calls, the answer
        assert "How can I help" in report["answer"]
        assert report["models"] == ["claude-haiku-4-5", "claude-sonnet-4-6"]
        assert "Set by your administrator" in report["note"]
        for attempt in report["otherServer"]:
            assert attempt["status"] == 403, attempt
