"""Which ``.mcp.json`` contents the scientist trusted, by SHA-256, per Jupyter root.

Kept in the Jupyter data folder, outside the root: a repository cannot ship its own trust.
"""

from __future__ import annotations

import json
import os
import tempfile

MAX_HASHES_PER_ROOT = 50


class TrustStore:
    def __init__(self, path: str):
        self.path = path

    def _read(self) -> dict[str, list[str]]:
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: [h for h in v if isinstance(h, str)] for k, v in data.items() if isinstance(v, list)}

    def _write(self, data: dict[str, list[str]]) -> None:
        folder = os.path.dirname(self.path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".mcp_trust.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    @staticmethod
    def _key(root_dir: str) -> str:
        return os.path.realpath(root_dir)

    def is_trusted(self, root_dir: str, sha256: str) -> bool:
        return sha256 in self._read().get(self._key(root_dir), [])

    def trust(self, root_dir: str, sha256: str) -> None:
        data = self._read()
        hashes = [h for h in data.get(self._key(root_dir), []) if h != sha256]
        hashes.append(sha256)
        data[self._key(root_dir)] = hashes[-MAX_HASHES_PER_ROOT:]
        self._write(data)

    def forget(self, root_dir: str, sha256: str) -> None:
        data = self._read()
        hashes = [h for h in data.get(self._key(root_dir), []) if h != sha256]
        if hashes:
            data[self._key(root_dir)] = hashes
        else:
            data.pop(self._key(root_dir), None)
        self._write(data)
