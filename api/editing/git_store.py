"""The git repository the content folder lives in, as a write sees it: plumbing only.

A write becomes a commit without touching the index a person may be using: the commit's
tree is made in a temporary index (``GIT_INDEX_FILE``) read from ``HEAD`` with the written
files put in, so it holds exactly ``HEAD`` plus this write (never a file someone has staged
or is editing); ``HEAD`` then moves with ``git update-ref`` given its expected old value, so
a commit or pull made meanwhile is never overwritten (the write is tried again on top of
it). Only then are the files written (each atomically) and their entries in the real index
updated (git's own ``index.lock`` keeps that safe beside a person's git commands).

A crash between moving ``HEAD`` and the last file written is finished by ``recover``: a
journal written before ``HEAD`` moves names the commit and every file's blob before and
after. git runs in sessions of its own, so a kill of the server's process group never cuts a
git command short and never leaves one of git's lock files behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from api.editing.index_lock import IndexLock
from api.editing.work_tree import WorkTree

log = logging.getLogger(__name__)

ZERO = "0" * 40
STATE_DIR = "content-api"  # in the git directory: the lock, the journal, temporary indexes
JOURNAL = "journal.json"
LOCK = "write.lock"
INDEX_LOCK_RETRY_SECONDS = 5.0  # a person's git command holding index.lock: wait this long
PUSH_TIMEOUT_SECONDS = 60.0


class GitError(Exception):
    """A git command failed (its message is git's)."""


class NotARepository(GitError):
    """The content folder is not inside a git work tree (or git is missing)."""


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str


class GitStore:
    def __init__(self, content_dir: Path) -> None:
        self.content_dir = content_dir.resolve()
        try:
            top = self._git(self.content_dir, "rev-parse", "--show-toplevel").strip()
            prefix = self._git(self.content_dir, "rev-parse", "--show-prefix").strip()
            git_dir = self._git(self.content_dir, "rev-parse", "--absolute-git-dir").strip()
        except (GitError, OSError) as error:
            raise NotARepository(
                f"the content folder {self.content_dir} is not inside a git work tree "
                f"(writes commit to git): {error}"
            ) from None
        self.top = Path(top)
        self.prefix = prefix  # the content folder inside the repository: "content/" or ""
        self.git_dir = Path(git_dir)
        self.state_dir = self.git_dir / STATE_DIR
        self.state_dir.mkdir(exist_ok=True)
        self._temporary = 0
        self._temporary_lock = threading.Lock()

    # Running git

    @staticmethod
    def _git(
        cwd: Path,
        *args: str,
        data: bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = 120.0,
    ) -> str:
        # The environment is handed on to git as it is (not read as a setting here), without
        # the variables that would point git at another repository or index.
        environment = {
            name: value
            for name, value in os.environ.items()
            if name not in {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"}
        }
        environment.update(env or {})
        environment["GIT_TERMINAL_PROMPT"] = "0"
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            env=environment,
            timeout=timeout,
            start_new_session=True,  # a kill of the server's group never interrupts git
            check=False,
        )
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            raise GitError(f"git {args[0]}: {message}")
        return done.stdout.decode("utf-8", "surrogateescape")

    def git(self, *args: str, **kwargs: object) -> str:
        return self._git(self.top, *args, **kwargs)  # type: ignore[arg-type]

    def git_path(self, path: str) -> str:
        """A content path (``pages/a.md``) as the repository names it (``content/pages/a.md``)."""
        return self.prefix + path

    # Reading

    def head(self) -> str | None:
        """The commit ``HEAD`` names; ``None`` on a branch with no commit yet."""
        try:
            return self.git("rev-parse", "--verify", "-q", "HEAD^{commit}").strip() or None
        except GitError:
            return None

    def branch(self) -> str | None:
        """The branch checked out (``main``); ``None`` for a detached ``HEAD``."""
        try:
            return self.git("symbolic-ref", "-q", "--short", "HEAD").strip() or None
        except GitError:
            return None

    def changed_paths(self, old: str | None, new: str) -> list[str]:
        """Content paths that differ between two commits."""
        if old is None:
            listed = self.git("ls-tree", "-r", "--name-only", "-z", new)
        else:
            listed = self.git("diff", "--name-only", "--no-renames", "-z", old, new)
        return [
            name.removeprefix(self.prefix)
            for name in listed.split("\0")
            if name and name.startswith(self.prefix)
        ]

    def modes(self, commit: str | None, paths: list[str]) -> dict[str, str]:
        """The mode of each path in ``commit`` (``100755`` for an executable file)."""
        if commit is None or not paths:
            return {}
        found = {}
        listed = self.git("ls-tree", "-z", commit, "--", *(self.git_path(p) for p in paths))
        for line in listed.split("\0"):
            if line:
                meta, _, name = line.partition("\t")
                found[name.removeprefix(self.prefix)] = meta.split()[0]
        return found

    # Writing a commit

    def hash_blob(self, path: str, data: bytes) -> str:
        """Store ``data`` as the blob of ``path`` (git's filters for that path applied)."""
        return self.git(
            "hash-object", "-w", "--stdin", f"--path={self.git_path(path)}", data=data
        ).strip()

    def build_commit(
        self,
        parent: str | None,
        blobs: Mapping[str, str | None],
        author: Author,
        message: str,
    ) -> str:
        """A commit of ``parent``'s tree with each path's blob (``None``: removed)."""
        index = self._temporary_index()
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            if parent is None:
                self.git("read-tree", "--empty", env=env)
            else:
                self.git("read-tree", parent, env=env)
            modes = self.modes(parent, list(blobs))
            lines = []
            for path, blob in blobs.items():
                if blob is None:
                    lines.append(f"0 {ZERO}\t{self.git_path(path)}")
                else:
                    lines.append(f"{modes.get(path, '100644')} {blob}\t{self.git_path(path)}")
            self.git(
                "update-index", "--index-info", data="\n".join(lines).encode() + b"\n", env=env
            )
            tree = self.git("write-tree", env=env).strip()
        finally:
            for leftover in (index, index.with_name(index.name + ".lock")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        identity = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": author.name,
            "GIT_COMMITTER_EMAIL": author.email,
        }
        arguments = ["commit-tree", tree, "-F", "-"]
        if parent is not None:
            arguments += ["-p", parent]
        return self.git(*arguments, data=message.encode(), env=identity).strip()

    def _temporary_index(self) -> Path:
        with self._temporary_lock:
            self._temporary += 1
            number = self._temporary
        return self.state_dir / f"index-{os.getpid()}-{number}"

    def move_head(self, new: str, old: str | None, message: str) -> bool:
        """Move ``HEAD`` (its branch) to ``new`` if it is still at ``old``; whether it moved."""
        try:
            self.git("update-ref", "-m", message, "HEAD", new, old or ZERO)
        except GitError:
            return False
        return True

    def update_index(self, blobs: Mapping[str, str | None], modes: Mapping[str, str]) -> bool:
        """Make the real index's entries of these paths the committed ones (others untouched);
        whether it could (a person's git command may hold ``index.lock`` a while)."""
        lines = []
        for path, blob in blobs.items():
            if blob is None:
                lines.append(f"0 {ZERO}\t{self.git_path(path)}")
            else:
                lines.append(f"{modes.get(path, '100644')} {blob}\t{self.git_path(path)}")
        give_up_at = time.monotonic() + INDEX_LOCK_RETRY_SECONDS
        while True:
            try:
                self.git("update-index", "--index-info", data="\n".join(lines).encode() + b"\n")
                return True
            except GitError as error:
                if "index.lock" not in str(error) or time.monotonic() > give_up_at:
                    log.warning("the git index could not be updated: %s", error)
                    return False
                time.sleep(0.05)

    @contextlib.contextmanager
    def index_locked(self, timeout: float) -> Iterator[IndexLock | None]:
        """git's own ``index.lock``, held as a git command holds it, for the part of a write
        that moves ``HEAD`` and the files: a person's ``git commit`` or ``git pull`` either
        ran before or waits (git refuses to start while it is held). ``None`` if a person's git
        command held it all along."""
        lock = IndexLock(self.git_dir, self.git, self.git_path)
        give_up_at = time.monotonic() + timeout
        while not lock.acquire():
            if time.monotonic() > give_up_at:
                yield None
                return
            time.sleep(0.02)
        try:
            yield lock
        finally:
            lock.release()

    def blob(self, blob: str) -> bytes:
        done = subprocess.run(
            ["git", "cat-file", "blob", blob],
            cwd=self.top,
            capture_output=True,
            check=False,
            start_new_session=True,
        )
        if done.returncode != 0:
            raise GitError(f"git cat-file: {done.stderr.decode('utf-8', 'replace').strip()}")
        return done.stdout

    def blob_id(self, path: str, data: bytes) -> str:
        """The blob id ``data`` would have as ``path``, without storing it."""
        return self.git(
            "hash-object", "--stdin", f"--path={self.git_path(path)}", data=data
        ).strip()

    # Pushing

    def push(self, remote: str, commit: str, branch: str) -> bool:
        """Push ``commit`` as ``remote``'s ``branch``; ``False`` when rejected as not a fast
        forward (fetch, rebase, try again), an error for anything else."""
        try:
            self.git(
                "push", "--porcelain", remote, f"{commit}:refs/heads/{branch}",
                timeout=PUSH_TIMEOUT_SECONDS,
            )  # fmt: skip
        except GitError as error:
            text = str(error)
            if any(word in text for word in ("non-fast-forward", "fetch first", "rejected")):
                return False
            raise
        return True

    def fetch(self, remote: str, branch: str) -> str:
        """Fetch ``remote``'s ``branch``; its commit."""
        self.git("fetch", "-q", remote, branch, timeout=PUSH_TIMEOUT_SECONDS)
        return self.git("rev-parse", "--verify", "FETCH_HEAD^{commit}").strip()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        try:
            self.git("merge-base", "--is-ancestor", ancestor, descendant)
        except GitError:
            return False
        return True

    def fast_forward(self, commit: str) -> bool:
        """Bring ``HEAD``, the index and the work tree to ``commit`` as ``git merge --ff-only``
        does (refusing where a person's uncommitted change is in the way)."""
        try:
            self.git("merge", "--ff-only", "-q", commit)
        except GitError as error:
            log.warning("could not fast-forward to %s: %s", commit[:12], error)
            return False
        return True

    # The lock, the journal, recovery

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Every write of every process on this repository, one at a time (``flock``)."""
        descriptor = os.open(self.state_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def write_journal(
        self, old: str | None, new: str, files: Mapping[str, tuple[str | None, str | None]]
    ) -> None:
        """Before ``HEAD`` moves: the commit, and each path's blob before and after it."""
        record = {"old": old, "new": new, "files": {p: list(pair) for p, pair in files.items()}}
        temporary = self.state_dir / f".{JOURNAL}.{os.getpid()}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(orjson.dumps(record))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.state_dir / JOURNAL)

    def clear_journal(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.state_dir / JOURNAL).unlink()

    def recover(self, tree: WorkTree) -> list[str]:
        """Finish a write a crash cut short (with the lock held): the paths it wrote.

        If ``HEAD`` moved to the journal's commit, each file still holding its old blob gets
        its new one (a file changed since, by a person, is left as it is) and the index
        entries are updated; if ``HEAD`` never moved, the write never happened. Either way the
        write's temporary files go.
        """
        path = self.state_dir / JOURNAL
        try:
            record = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return []
        except (OSError, orjson.JSONDecodeError):
            log.warning("an unreadable write journal was removed: %s", path)
            self.clear_journal()
            return []
        files: dict[str, list[str | None]] = record["files"]
        with contextlib.suppress(FileNotFoundError):  # the write held it when it stopped
            (self.git_dir / "index.lock").unlink()
        for name in files:
            tree.remove_temporary(name)
        written = []
        if self.head() == record["new"]:
            for name, (before, after) in files.items():
                try:
                    current = tree.read(name)
                except OSError:
                    continue
                now = self.blob_id(name, current) if current is not None else None
                if now == after:
                    continue
                if now != before:
                    log.warning("recovery: %s was changed since the write; left as it is", name)
                    continue
                if after is None:
                    tree.delete(name)
                else:
                    tree.write(name, self.blob(after))
                written.append(name)
            self.update_index(
                {name: after for name, (_, after) in files.items()},
                self.modes(record["new"], list(files)),
            )
            log.warning(
                "recovered the write of commit %s: %s", record["new"][:12], ", ".join(files)
            )
        self.clear_journal()
        return written
