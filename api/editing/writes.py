"""One write, start to end: preconditions, validation, the commit, the files, the snapshot.

Every write of every process on the repository takes one lock (``GitStore.locked``) and,
holding it, decides everything against the files as they are now:

1. finish a write a crash cut short (``GitStore.recover``); reload the paths other workers
   wrote since this one last looked (``writes.log``), so that the checks below see them;
2. read each file and check ``If-Match`` / ``If-None-Match`` (412 with the file as it is);
3. make the new bytes (``round_trip``), check their size (413) and validate them as
   ``content check`` would, the cross-file rules included (422; nothing is written);
4. make the commit in a temporary index; with ``GIT_PUSH``, push it (a rejected push: fetch,
   fast-forward, try again on top; a change of the same file there is 409);
5. write the journal, move ``HEAD`` (if someone committed meanwhile: again from 2), write the
   files, update the index entries of these paths, drop the journal;
6. reload exactly those paths: this worker serves the write.

Then, without the lock, the other workers of the replica are told and waited for
(``siblings``): the answer goes out once every worker serves the write.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import orjson

from api.content.source.parsed import ParsedFile
from api.content.source.parser import parse_source
from api.content.source.parsing import find_non_json
from api.content.source.problems import ContentProblem
from api.content.source.reading import SourceFile, is_content_path
from api.content.source.validation import format_location
from api.editing.entries import (
    check_preconditions,
    check_shape,
    default_message,
    entry_answer,
    error_of,
    etag_of,
    merge_patch,
)
from api.editing.git_store import Author, GitError, GitStore
from api.editing.operations import Operation, Written
from api.editing.refusal import Refusal
from api.editing.round_trip import NotFaithful, render_json, render_markdown
from api.editing.work_tree import FileTooLarge, WorkTree, check_path

log = logging.getLogger(__name__)

WRITES_LOG = "writes.log"
WRITES_KEPT = 256  # writes remembered for workers that look late (older: a full stat pass)
PUSH_ATTEMPTS = 3
MOVE_ATTEMPTS = 5
LOCKED_REF_SECONDS = 10.0  # a person's git command holding the branch's lock: wait this long


class Reloading(Protocol):
    def reload(self, paths: Iterable[str] | None = None, *, reread: bool = False) -> Any: ...

    def check_proposal(
        self, proposal: Mapping[str, tuple[ParsedFile, bytes] | None]
    ) -> list[ContentProblem]: ...


class WriteTransaction:
    """The writes of one process (its repository, its view of the work tree)."""

    def __init__(
        self,
        store: GitStore,
        tree: WorkTree,
        repository: Reloading,
        *,
        push: str | None = None,
        tell_siblings: Callable[[list[str]], list[int]] | None = None,
    ) -> None:
        self.store = store
        self.tree = tree
        self.repository = repository
        self.push_remote = push
        self.tell_siblings = tell_siblings
        self._seen: int | None = None  # the last entry of writes.log this process reloaded

    # Reading

    def read(self, path: str) -> tuple[dict[str, Any], str]:
        check_path(path)
        data = self._read(path)
        if data is None:
            raise Refusal(404, f"No file {path}")
        return entry_answer(path, data), etag_of(path, data)

    def _read(self, path: str) -> bytes | None:
        try:
            return self.tree.read(path)
        except FileTooLarge:
            raise Refusal(
                409, f"{path} is larger than the {self.tree.max_file_bytes}-byte limit"
            ) from None

    # Writing

    def write(self, operations: list[Operation], author: Author, message: str | None) -> Written:
        paths = [check_path(operation.path) for operation in operations]
        if len(set(paths)) != len(paths):
            raise Refusal(400, "a path may appear once in a commit")
        for operation in operations:
            if operation.if_match is None and operation.if_none_match is None:
                raise Refusal(
                    428,
                    f"{operation.path}: If-Match is required (the ETag of the entry as you read "
                    "it; If-None-Match: * to create a file)",
                )
        with self.store.locked():
            self._recover()
            self._catch_up()
            written = self._write_locked(operations, author, message)
        if self.tell_siblings is not None and written.changed:
            written.lagging = self.tell_siblings(written.changed)
            if written.lagging:
                log.warning(
                    "workers %s did not confirm commit %s in time", written.lagging,
                    written.commit[:12],
                )  # fmt: skip
        return written

    def _write_locked(
        self, operations: list[Operation], author: Author, message: str | None
    ) -> Written:
        pushes = moves = 0
        while True:
            current = {op.path: self._read(op.path) for op in operations}
            for op in operations:
                check_preconditions(op, current[op.path])
            new = {op.path: self._render(op, current[op.path]) for op in operations}
            changed = {path: data for path, data in new.items() if data != current[path]}
            self._validate(changed)
            parent = self.store.head()
            if not changed:
                return self._answer(parent or "", operations, new, current, changed=[])
            try:
                blobs = {
                    path: self.store.hash_blob(path, data) if data is not None else None
                    for path, data in changed.items()
                }
                text = message or default_message(operations, current)
                commit = self.store.build_commit(parent, blobs, author, text)
                if self.push_remote is not None:
                    pushed = self._push(commit, parent, list(changed))
                    if not pushed:
                        pushes += 1
                        if pushes >= PUSH_ATTEMPTS:
                            raise Refusal(409, "the remote kept moving; nothing was written")
                        continue
                befores = {
                    path: self.store.blob_id(path, data) if data is not None else None
                    for path, data in ((p, current[p]) for p in changed)
                }
                journal = {p: (befores[p], blobs[p]) for p in changed}
                self.store.write_journal(parent, commit, journal)
                self._checkpoint("journal")
                with self.store.index_locked(LOCKED_REF_SECONDS) as index:
                    if index is None:
                        self.store.clear_journal()
                        raise Refusal(
                            503, "a git command holds the repository's index.lock; try again"
                        )
                    moved = self._move_head(commit, parent, text, blobs, author, journal)
                    if moved is None:
                        self.store.clear_journal()
                        moves += 1
                        if self.push_remote is not None or moves >= MOVE_ATTEMPTS:
                            raise Refusal(
                                409, "the branch moved while writing; nothing was written here"
                            )
                        continue
                    commit, parent = moved
                    self._checkpoint("moved")
                    for path, data in changed.items():
                        if data is None:
                            self.tree.delete(path)
                        else:
                            self.tree.write(path, data)
                        self._checkpoint("file")
                    index.update(blobs, self.store.modes(commit, list(changed)))
                    index.commit()
                self.store.clear_journal()
                self._checkpoint("done")
            except GitError as error:
                log.error("a write failed in git: %s", error)
                raise Refusal(500, "the write failed in git (the log says why)") from None
            self._log_write(list(changed))
            log.info(
                "write by %s <%s>: %s -> commit %s", author.name, author.email,
                ", ".join(sorted(changed)), commit[:12],
            )  # fmt: skip
            return self._answer(commit, operations, new, current, changed=sorted(changed))

    def _move_head(
        self,
        commit: str,
        parent: str | None,
        text: str,
        blobs: Mapping[str, str | None],
        author: Author,
        journal: Mapping[str, tuple[str | None, str | None]],
    ) -> tuple[str, str | None] | None:
        """Move ``HEAD`` from ``parent`` to ``commit``: the commit and parent it moved with,
        or ``None`` when someone changed these files meanwhile (start again: 412 or not).

        While a person's git command holds the branch's lock, it tries again a little later;
        when a person's commit or pull moved ``HEAD`` without touching these files, the same
        change is committed again on top of it, at once (a tight loop of commits must not
        starve a write)."""
        give_up_at = time.monotonic() + LOCKED_REF_SECONDS
        subject = f"content-api: {text.splitlines()[0]}"
        while not self.store.move_head(commit, parent, subject):
            head = self.store.head()
            if time.monotonic() > give_up_at or head is None:
                return None
            if head != parent:
                if self.push_remote is not None:
                    return None  # what was pushed is what must become HEAD
                moved = self.store.changed_paths(parent, head)
                self.repository.reload(moved)
                if set(moved) & set(blobs):
                    return None
                parent = head
                commit = self.store.build_commit(parent, blobs, author, text)
                self.store.write_journal(parent, commit, journal)
            else:
                time.sleep(0.02)
        return commit, parent

    @staticmethod
    def _checkpoint(step: str) -> None:
        """A named point of a write, for the crash tests (they kill the process here)."""

    def _render(self, op: Operation, current: bytes | None) -> bytes | None:
        if op.op == "delete":
            return None
        document = op.document or {}
        if op.op == "patch":
            assert current is not None  # a patch needs If-Match, so the file exists
            base = entry_answer(op.path, current)
            base.pop("path"), base.pop("etag")
            document = merge_patch(base, document)
        markdown = op.path.endswith(".md")
        check_shape(op.path, document, markdown)
        plain = find_non_json(document)
        if plain is not None:
            where = format_location(plain[0])
            raise Refusal(
                422, "the entry is not content", {"errors": [error_of(op.path, 1, where, plain[1])]}
            )
        try:
            if markdown:
                data = render_markdown(current, document["frontMatter"], document["body"])
            else:
                data = render_json(current, document["data"])
        except NotFaithful as error:
            raise Refusal(422, f"{op.path}: {error}") from None
        except RecursionError:
            raise Refusal(422, f"{op.path}: nested too deeply") from None
        if len(data) > self.tree.max_file_bytes:
            raise Refusal(
                413, f"{op.path} would be {len(data)} bytes, over the {self.tree.max_file_bytes}"
                "-byte limit (MAX_FILE_BYTES)",
            )  # fmt: skip
        return data

    def _validate(self, changed: Mapping[str, bytes | None]) -> None:
        """422 with every error ``content check`` would report after this write."""
        proposal: dict[str, tuple[ParsedFile, bytes] | None] = {}
        for path, data in changed.items():
            if data is None:
                proposal[path] = None
            elif is_content_path(path):
                proposal[path] = (parse_source(SourceFile(path, data)), data)
        problems = self.repository.check_proposal(proposal) if proposal else []
        if problems:
            raise Refusal(
                422,
                "the content would have errors; nothing was written",
                {
                    "errors": [
                        {"path": problem.path, "line": problem.line, "message": problem.message}
                        for problem in problems
                    ]
                },
            )

    def _push(self, commit: str, parent: str | None, paths: list[str]) -> bool:
        """Push ``commit``; on a rejection, fetch and fast-forward (``False``: build the
        commit again on top), or 409 when the remote changed these paths too."""
        remote = self.push_remote
        assert remote is not None
        branch = self.store.branch()
        if branch is None:
            raise Refusal(409, "HEAD is not on a branch: there is nothing to push to")
        try:
            if self.store.push(remote, commit, branch):
                return True
            tip = self.store.fetch(remote, branch)
        except GitError as error:
            log.error("pushing to %s failed: %s", remote, error)
            raise Refusal(503, f"the push to {remote} failed; nothing was written") from None
        if parent is not None and not self.store.is_ancestor(parent, tip):
            raise Refusal(
                409, f"{remote}/{branch} has diverged from this replica's branch; nothing written"
            )
        theirs = set(self.store.changed_paths(parent, tip))
        conflicts = sorted(theirs & set(paths))
        if conflicts:
            raise Refusal(
                409,
                f"{remote}/{branch} changed {', '.join(conflicts)} since; nothing was written",
                {"conflicts": conflicts},
            )
        if not self.store.fast_forward(tip):
            raise Refusal(
                409, f"cannot bring this replica up to {remote}/{branch}; nothing written"
            )
        self.repository.reload(sorted(theirs))
        self._log_write(sorted(theirs))
        return False

    def _answer(
        self,
        commit: str,
        operations: list[Operation],
        new: Mapping[str, bytes | None],
        current: Mapping[str, bytes | None],
        changed: list[str],
    ) -> Written:
        snapshot = self.repository.reload([op.path for op in operations])
        entries = []
        for op in operations:
            data = new[op.path]
            if data is None:
                entries.append({"path": op.path, "deleted": True})
            else:
                entries.append(entry_answer(op.path, data))
        created = any(current[op.path] is None and new[op.path] is not None for op in operations)
        return Written(commit, snapshot.version, entries, created, changed)

    # Recovery, and what the other workers wrote

    def _recover(self) -> None:
        written = self.store.recover(self.tree)
        if written:
            self.repository.reload(written)

    def recover(self) -> None:
        """At start-up: finish a write a crash cut short."""
        with self.store.locked():
            self._recover()

    def _catch_up(self) -> None:
        entries = self._writes()
        if not entries:
            return
        last = entries[-1][0]
        if self._seen is not None and last > self._seen:
            if entries[0][0] > self._seen + 1:
                self.repository.reload(None)  # fell too far behind: a stat pass
            else:
                paths = {p for number, names in entries if number > self._seen for p in names}
                self.repository.reload(sorted(paths))
        elif self._seen is None:
            self.repository.reload(sorted({p for _, names in entries[-32:] for p in names}))
        self._seen = last

    def _writes(self) -> list[tuple[int, list[str]]]:
        try:
            text = (self.store.state_dir / WRITES_LOG).read_bytes()
        except FileNotFoundError:
            return []
        entries = []
        for line in text.splitlines():
            with contextlib.suppress(orjson.JSONDecodeError, ValueError, TypeError):
                number, paths = orjson.loads(line)
                entries.append((int(number), list(paths)))
        return entries

    def _log_write(self, paths: list[str]) -> None:
        entries = self._writes()
        number = entries[-1][0] + 1 if entries else 1
        entries = [*entries[-(WRITES_KEPT - 1) :], (number, paths)]
        target = self.store.state_dir / WRITES_LOG
        temporary = target.with_name(f".{WRITES_LOG}.{os.getpid()}.tmp")
        temporary.write_bytes(b"".join(orjson.dumps(list(entry)) + b"\n" for entry in entries))
        os.replace(temporary, target)
        if self._seen is None or self._seen == number - 1:
            self._seen = number
