"""What a request may be refused with, as data: the HTTP status and the API's error type.

The logic modules (``files``, ``conversations``) raise these without knowing about Tornado;
the base handler in ``handlers.py`` is the one place that turns them into responses, in the
Claude API's error shape ``{"type": "error", "error": {"type": ..., "message": ...}}``.
"""

from __future__ import annotations

from typing import Any


class ClaudeError(Exception):
    """A refusal with the HTTP status, API-style error type and headers the reply carries."""

    status = 400
    error_type = "invalid_request_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if error_type is not None:
            self.error_type = error_type
        self.headers: dict[str, str] = dict(headers or {})

    def __init_subclass__(cls, status: int | None = None, error_type: str | None = None, **kwargs: Any) -> None:
        # ``class Refused(ClaudeError, status=403, error_type=...)``: each kind says its answer in its header.
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if error_type is not None:
            cls.error_type = error_type


class BadRequest(ClaudeError):
    """Malformed request, not a file / not a folder, binary or unreadable format (400)."""


class Refused(ClaudeError, status=403, error_type="permission_error"):
    """Outside the root, a secret, or hidden (403)."""


class Missing(ClaudeError, status=404, error_type="not_found_error"):
    """No such file, folder or conversation (404)."""


class TooLarge(ClaudeError, status=413, error_type="request_too_large"):
    """A request body over the configured limit (413)."""


class ServerError(ClaudeError, status=500, error_type="api_error"):
    """The server itself failed (the disk, the upstream API): 500 unless told otherwise."""
