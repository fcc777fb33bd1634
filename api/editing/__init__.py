"""Editing: writes over HTTP, each validated like ``content check``, committed to git by its
author, guarded by ``If-Match``, atomic across files, and served before it answers.

Off unless ``WRITE_TOKENS_FILE`` is set. The parts: ``work_tree`` (which paths, reached
without a symlink, written atomically), ``round_trip`` (entries as JSON and back, only what
changed changed), ``git_store`` (the commit, the journal, recovery, push), ``writes`` (one
write start to end), ``siblings`` (the other workers serve it before the answer), ``rate``
(writes per second per token). The HTTP side is ``api.resources.entries``; a write reaches the
snapshot, the caches, purges, webhooks and event streams as a file edit does, through
``ContentRepository.reload``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.editing.git_store import Author, GitStore, NotARepository
from api.editing.operations import Operation, Written
from api.editing.rate import RateLimit, retry_after
from api.editing.refusal import Refusal
from api.editing.siblings import Siblings
from api.editing.work_tree import WorkTree
from api.editing.writes import WriteTransaction
from api.settings import ConfigError
from api.tokens import WriteToken, find_write_token, parse_write_tokens

if TYPE_CHECKING:
    from flask import Flask

    from api.content.live.repository import ContentRepository
    from api.settings import Settings

__all__ = ["Editing", "Operation", "Refusal", "Written", "init_app"]

log = logging.getLogger(__name__)

SIBLINGS_TIMEOUT_SECONDS = 10.0  # longest wait for the other workers to serve a write


class TokensFile:
    """``WRITE_TOKENS_FILE``, read again when it changes (editors come and go without a
    restart); a file that no longer reads keeps the tokens last read, and says so."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._signature: tuple[int, int, int] | None = None
        self._tokens: list[WriteToken] = []
        try:
            self._load()
        except (OSError, ValueError) as error:
            raise ConfigError(f"WRITE_TOKENS_FILE: {path}: {error}") from None

    def _load(self) -> None:
        status = os.stat(self.path)
        signature = (status.st_ino, status.st_size, status.st_mtime_ns)
        if signature != self._signature:
            self._tokens = parse_write_tokens(self.path.read_text(encoding="utf-8"))
            self._signature = signature

    def tokens(self) -> list[WriteToken]:
        try:
            self._load()
        except (OSError, ValueError) as error:
            log.error("WRITE_TOKENS_FILE %s: %s; the tokens last read still hold", self.path, error)
        return self._tokens


class Editing:
    """What the views use: who writes, how fast, and the writes themselves."""

    def __init__(
        self,
        settings: Settings,
        repository: ContentRepository,
        store: GitStore,
        tokens: TokensFile,
        siblings: Siblings,
    ) -> None:
        self.tokens = tokens
        self.siblings = siblings
        self.max_file_bytes = settings.max_file_bytes
        self.rate = RateLimit(siblings.directory, settings.write_rate)
        self.transaction = WriteTransaction(
            store,
            WorkTree(settings.content_dir, settings.max_file_bytes),
            repository,
            push=settings.git_push,
            tell_siblings=lambda paths: siblings.tell(paths, SIBLINGS_TIMEOUT_SECONDS),
        )

    def writer(self, authorization: str | None) -> WriteToken:
        """The editor of a request's ``Authorization: Bearer``; 401 for anyone else."""
        token = find_write_token(authorization, self.tokens.tokens())
        if token is None:
            raise Refusal(
                401,
                "A write token is needed: Authorization: Bearer <token> (a preview token "
                "cannot write)",
                headers={"WWW-Authenticate": 'Bearer realm="content-api writes"'},
            )
        return token

    def take_rate(self, token: WriteToken) -> None:
        """429 with ``Retry-After`` past ``WRITE_RATE`` writes per second of this token."""
        wait = self.rate.take(token.digest)
        if wait > 0:
            raise Refusal(
                429,
                f"More than {self.rate.rate:g} writes per second with this token",
                headers={"Retry-After": retry_after(wait)},
            )

    def read(self, path: str) -> tuple[dict[str, Any], str]:
        return self.transaction.read(path)

    def write(self, operations: list[Operation], token: WriteToken, message: str | None) -> Written:
        return self.transaction.write(operations, Author(token.name, token.email), message)


def init_app(app: Flask) -> Editing | None:
    """With ``WRITE_TOKENS_FILE``: check the repository, finish a write a crash cut short, and
    have each worker answer its siblings' writes (``app.extensions["editing"]``)."""
    settings: Settings = app.extensions["settings"]
    if settings.write_tokens_file is None:
        return None
    repository: ContentRepository = app.extensions["content"]
    tokens = TokensFile(settings.write_tokens_file)
    try:
        store = GitStore(settings.content_dir)
    except NotARepository as error:
        raise ConfigError(f"WRITE_TOKENS_FILE is set, but {error}") from None
    if settings.git_push is not None and store.branch() is None:
        log.warning("GIT_PUSH is set but HEAD is not on a branch: writes will answer 409")
    siblings = Siblings()
    editing = Editing(settings, repository, store, tokens, siblings)
    editing.transaction.recover()
    app.extensions["editing"] = editing

    def listen(in_worker: bool) -> None:
        """In each forked worker: reload what a sibling wrote, when it asks."""
        if in_worker:
            siblings.listen(lambda paths: repository.reload(paths).version)

    app.extensions["on_worker_start"].append(listen)
    return editing
