"""What a write is asked to do (``Operation``, one file's part) and what it did (``Written``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Operation:
    """One file's part of a write."""

    op: str  # "put", "patch" or "delete"
    path: str
    if_match: str | None = None
    if_none_match: str | None = None
    document: dict[str, Any] | None = None  # put: the entry; patch: a merge patch over it


@dataclass
class Written:
    """What a write did: its commit, the version that serves it, each file's entry after."""

    commit: str
    version: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    created: bool = False
    changed: list[str] = field(default_factory=list)  # the paths the commit changed
    lagging: list[int] = field(default_factory=list)  # workers that did not confirm in time
