"""The admin policy on the server: its routes, and the gate every Messages API request passes.

``GET claude/policy`` gives the browser the read-only view of the policy and the user's use today;
``POST claude/audit/approval`` records the scientist's decision on a tool call in the audit log.
:meth:`PolicyState.admit` checks a request before it goes upstream and returns an
:class:`Admission` that counts the answer's tokens and writes its audit record when it ends.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

import tornado.web
from jupyter_server.utils import url_path_join

from .audit import AuditLog
from .errors import BadRequest, TooLarge
from .policy import ClaudePolicy, PolicyRefusal, parse_messages_body, user_name
from .usage import UsageLedger, UsageMeter

#: The header the panel names the notebook with (read here, never forwarded upstream).
NOTEBOOK_HEADER = "x-claude-notebook"

#: Decisions an approval event may record.
DECISIONS = ("accepted", "rejected", "edited", "failed")

MAX_APPROVAL_BYTES = 16 * 1024


def usage_path(policy: ClaudePolicy, data_dir: str) -> str:
    return policy.usage_file or os.path.join(data_dir, "jupyterlab_claude", "usage.json")


class PolicyState:
    """The policy, each user's count for today and the audit log, shared by the handlers."""

    def __init__(self, policy: ClaudePolicy, ledger: UsageLedger, audit: AuditLog | None):
        self.policy = policy
        self.ledger = ledger
        self.audit = audit

    def usage_view(self, user: str) -> dict[str, Any]:
        used = self.ledger.used(user)
        return {
            "day": self.ledger.today().isoformat(),
            "tokens": used.as_dict(),
            "counted": used.weighted(self.policy.cache_read_weight),
            "limit": self.policy.daily_token_limit,
            "resets_at": self.ledger.resets_at().isoformat(),
        }

    def over_limit_message(self, counted: int) -> str:
        resets = self.ledger.resets_at()
        left = resets - self.ledger.clock()
        hours, minutes = divmod(max(int(left.total_seconds()) // 60, 1), 60)
        wait = f"{hours} h {minutes} min" if hours else f"{minutes} min"
        return (
            f"You have used {counted:,} of your {self.policy.daily_token_limit:,} tokens for today, "
            f"a limit set by your administrator. It resets at midnight server time "
            f"({resets.strftime('%Y-%m-%d %H:%M')}, in {wait})."
        )

    def admit(self, handler: tornado.web.RequestHandler, raw: bytes) -> Admission:
        """Check a Messages API request against the policy; refused requests are audited too."""
        user = user_name(handler)
        notebook = (handler.request.headers.get(NOTEBOOK_HEADER) or "")[:1024]
        body = parse_messages_body(raw)
        try:
            self.policy.check_request(body)
            limit = self.policy.daily_token_limit
            counted = self.ledger.weighted(user)
            if limit and counted >= limit:
                raise PolicyRefusal(
                    self.over_limit_message(counted),
                    reason="daily-limit",
                    status=429,
                    error_type="rate_limit_error",
                )
        except PolicyRefusal as refusal:
            if self.audit is not None:
                self.audit.write(
                    "refused",
                    user=user,
                    notebook=notebook,
                    model=str(body.get("model", ""))[:200],
                    reason=refusal.headers.get("x-claude-policy", ""),
                )
            raise
        return Admission(self, user, notebook, body)


class Admission:
    """One admitted request: its answer is metered as it streams, then counted and audited once."""

    def __init__(self, state: PolicyState, user: str, notebook: str, body: dict[str, Any]):
        self.state = state
        self.user = user
        self.notebook = notebook
        self.model = str(body.get("model", ""))[:200]
        self.prompt = _last_user_text(body) if state.policy.audit_contents else None
        self.meter = UsageMeter(keep_text=state.policy.audit_contents)
        self._done = False

    def feed(self, chunk: bytes) -> None:
        self.meter.feed(chunk)

    def done(self, status: int, request_id: str = "", stopped: bool = False) -> None:
        if self._done:
            return
        self._done = True
        record = self.meter.close()
        if 200 <= status < 300:
            self.state.ledger.add(self.user, record.usage)
        audit = self.state.audit
        if audit is None:
            return
        fields: dict[str, Any] = {
            "user": self.user,
            "notebook": self.notebook,
            "model": record.model or self.model,
            "request_id": request_id[:200],
            "message_id": record.message_id,
            "status": status,
            "stop_reason": record.stop_reason,
            "stopped_by_user": stopped,
            "tokens": record.usage.as_dict(),
            "tools": record.tools,
        }
        if self.prompt is not None:
            fields["prompt"] = self.prompt
            fields["answer"] = record.text
        audit.write("answer", **fields)


def _last_user_text(body: dict[str, Any]) -> str:
    """The text of the request's last user turn (for an audit log with contents)."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "\n".join(
                    str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text"
                )
    return ""


def policy_routes(base_url: str, handler_base: type) -> list[tuple]:
    """The policy's routes, on the extension's base handler (its error translator, its auth)."""

    class PolicyRoute(handler_base):
        def initialize(self) -> None:  # the proxy's state is not needed here
            pass

    class PolicyHandler(PolicyRoute):
        """The policy as the browser may see it, and this user's use today."""

        @tornado.web.authenticated
        async def get(self) -> None:
            state: PolicyState = self.settings["claude_policy"]
            view = state.policy.browser_view()
            view["usage"] = state.usage_view(user_name(self))
            self.finish(json.dumps(view))

    class ApprovalHandler(PolicyRoute):
        """A tool call's approval decision, written to the audit log (a no-op without one)."""

        @tornado.web.authenticated
        async def post(self) -> None:
            state: PolicyState = self.settings["claude_policy"]
            if len(self.request.body) > MAX_APPROVAL_BYTES:
                raise TooLarge(f"An approval event is at most {MAX_APPROVAL_BYTES} bytes.")
            try:
                event = json.loads(self.request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                raise BadRequest("The approval event is not valid JSON.") from None
            if not isinstance(event, dict):
                raise BadRequest("The approval event must be a JSON object.")
            decision = event.get("decision")
            if decision not in DECISIONS:
                raise BadRequest(f"'decision' must be one of {', '.join(DECISIONS)}.")
            fields = {}
            for name in ("tool", "tool_use_id", "notebook", "kind"):
                value = event.get(name, "")
                if not isinstance(value, str):
                    raise BadRequest(f"'{name}' must be a string.")
                fields[name] = value[:1024]
            if not fields["tool"]:
                raise BadRequest("Name the 'tool' the decision is about.")
            if state.audit is not None:
                reason = event.get("reason")
                if state.policy.audit_contents and isinstance(reason, str):
                    fields["reason"] = reason[:4000]
                state.audit.write("approval", user=user_name(self), decision=decision, **fields)
            self.set_status(204)
            self.finish()

    base = url_path_join(base_url, "claude")
    return [
        (url_path_join(base, "policy"), PolicyHandler),
        (url_path_join(base, "audit", "approval"), ApprovalHandler),
    ]


def setup_policy(server_app: Any, handler_base: type, clock: Any = None) -> PolicyState:
    """Read ``c.ClaudePolicy``, open the usage file and the audit log, add the routes."""
    policy = ClaudePolicy(config=server_app.config)
    data_dir = getattr(server_app, "data_dir", None) or os.path.expanduser("~/.local/share/jupyter")
    ledger = UsageLedger(usage_path(policy, data_dir), policy.cache_read_weight, clock or datetime.now)
    audit = AuditLog(policy.audit_log, policy.audit_max_bytes, policy.audit_backups) if policy.audit_log else None
    state = PolicyState(policy, ledger, audit)
    server_app.web_app.settings["claude_policy"] = state
    server_app.web_app.add_handlers(".*$", policy_routes(server_app.web_app.settings["base_url"], handler_base))
    if policy.managed or policy.audit_log:
        server_app.log.info(
            "jupyterlab_claude policy: %s%s",
            ", ".join(policy.managed) or "no rules",
            f"; audit log {audit.path}" if audit else "",
        )
    return state


__all__ = ["Admission", "PolicyState", "policy_routes", "setup_policy"]
