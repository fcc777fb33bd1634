"""git's own ``index.lock``, held by a write while ``HEAD`` and the files move, as any git
command holds it (see ``GitStore.index_locked``)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

ZERO = "0" * 40


class IndexLock:
    """``index.lock``, taken the way git takes it (created exclusively, the index copied in,
    renamed over the index when done); git itself updates the copy (``GIT_INDEX_FILE``)."""

    def __init__(
        self, git_dir: Path, git: Callable[..., str], git_path: Callable[[str], str]
    ) -> None:
        self.index = git_dir / "index"
        self.path = git_dir / "index.lock"
        self.git = git  # runs a git command in the repository
        self.git_path = git_path  # a content path as the repository names it
        self._held = False

    def acquire(self) -> bool:
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        self._held = True
        try:
            with open(self.index, "rb") as source:
                while chunk := source.read(1 << 20):
                    os.write(descriptor, chunk)
        except FileNotFoundError:
            pass  # no index yet: git makes one
        finally:
            os.close(descriptor)
        return True

    def update(self, blobs: Mapping[str, str | None], modes: Mapping[str, str]) -> None:
        """These paths' entries in the locked copy: the committed ones (others untouched)."""
        lines = []
        for path, blob in blobs.items():
            git_path = self.git_path(path)
            if blob is None:
                lines.append(f"0 {ZERO}\t{git_path}")
            else:
                lines.append(f"{modes.get(path, '100644')} {blob}\t{git_path}")
        self.git(
            "update-index", "--index-info", data="\n".join(lines).encode() + b"\n",
            env={"GIT_INDEX_FILE": str(self.path)},
        )  # fmt: skip

    def commit(self) -> None:
        """The updated copy becomes the index."""
        os.replace(self.path, self.index)
        self._held = False

    def release(self) -> None:
        if self._held:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self._held = False
