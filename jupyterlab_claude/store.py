"""The conversation store of one server process: where it is, and the order saves run in.

``conversations.py`` reads, merges and writes the files (under an OS file lock, which keeps
two server processes apart); this module only keeps one process's saves of a conversation
waiting on each other, off the executor's threads, and holds them while a rename of a
notebook (or of its folder) is followed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from . import conversations
from .config import ClaudeProxy
from .errors import ClaudeError

#: Events the contents manager emits after each successful action.
CONTENTS_EVENTS_SCHEMA = "https://events.jupyter.org/jupyter_server/contents_service/v1"


class ConversationStore:
    """Where conversations are saved, and one lock per conversation file in this process."""

    def __init__(self, config: ClaudeProxy):
        self.config = config
        self._locks: dict[str, asyncio.Lock] = {}
        #: Held while a rename is followed, so saves wait for the folder to be in place.
        self.moving = asyncio.Lock()

    def folder(self, root_dir: str) -> str:
        return conversations.store_root(root_dir, self.config.conversations_dir)

    def lock(self, path: str) -> asyncio.Lock:
        lock = self._locks.get(path)
        if lock is None:
            lock = self._locks[path] = asyncio.Lock()
        return lock

    @contextlib.asynccontextmanager
    async def writing(self, path: str) -> AsyncIterator[None]:
        """Hold the lock of the conversation file ``path``, once a rename being followed is done."""
        async with self.moving:
            pass
        async with self.lock(path):
            yield

    async def move(self, root_dir: str, source: str, destination: str) -> bool:
        """Follow a rename of a notebook or folder (``conversations.move_notebook``), off the loop."""
        store = self.folder(root_dir)
        async with self.moving:
            return await asyncio.get_running_loop().run_in_executor(
                None, conversations.move_notebook, store, source, destination
            )


def follow_contents_events(server_app: Any, conversations_store: ConversationStore) -> None:
    """Move a notebook's conversations when the notebook (or its folder) is renamed or moved.

    A deleted notebook keeps its conversations: it may be restored (from the trash, from
    version control), and they can be deleted from the panel's history.
    """
    event_logger = getattr(server_app, "event_logger", None)
    if event_logger is None:  # pragma: no cover - jupyter_server < 2 has no events
        return

    async def on_contents_event(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        if data.get("action") != "rename" or not data.get("source_path"):
            return
        source, destination = data["source_path"].strip("/"), data["path"].strip("/")
        root = getattr(server_app.contents_manager, "root_dir", None) or server_app.root_dir
        try:
            moved = await conversations_store.move(root, source, destination)
        except (ClaudeError, OSError) as exc:
            server_app.log.warning("Claude conversations: could not follow %s -> %s: %s", source, destination, exc)
            return
        if moved:
            server_app.log.info("Claude conversations: followed %s -> %s", source, destination)

    event_logger.add_listener(schema_id=CONTENTS_EVENTS_SCHEMA, listener=on_contents_event)
