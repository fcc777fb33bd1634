"""Extras: what a view other than the API's own documents needs from each file as written,
worked out by that view's own code while the file is parsed.

Parsing normalises a file for the API (``type`` filled in, dates rewritten, nulls dropped);
a view that must hand a theme the file exactly as written (the Stackbit view) cannot get
that back from the normalised data, and requests never open files. Such a view registers an
extra here (``register``) before the content is loaded; each parsed file then carries the
extra's bytes (``ParsedFile.extras``), and so do its page or person. Nothing is computed or
kept for a view that is not registered (``content check`` registers none).

Extras are part of what a parse gives: the parse cache's version names every registered
extra and hashes the modules that compute it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from api.content.source.parsed import FileKind

# (kind, the file's text, its front matter's text or None, its data as parsed) -> bytes or None
Compute = Callable[[FileKind, str, str | None, Mapping[str, Any]], bytes | None]
Extras = tuple[tuple[str, bytes], ...]  # (name, bytes) in registration order


@dataclass(frozen=True, slots=True)
class Extra:
    name: str
    compute: Compute
    modules: tuple[str, ...]  # the modules whose code decides what ``compute`` gives


_REGISTERED: dict[str, Extra] = {}


def register(name: str, compute: Compute, *, modules: tuple[str, ...]) -> None:
    """Compute ``name`` for every file parsed from now on (again: replaces it)."""
    _REGISTERED[name] = Extra(name, compute, modules)


def registered() -> tuple[Extra, ...]:
    return tuple(_REGISTERED.values())


def compute_extras(
    kind: FileKind, text: str, front_matter_text: str | None, data: Mapping[str, Any]
) -> Extras:
    """Every registered extra of one file (those that give ``None`` left out)."""
    found = []
    for extra in _REGISTERED.values():
        value = extra.compute(kind, text, front_matter_text, data)
        if value is not None:
            found.append((extra.name, value))
    return tuple(found)


def extra_of(extras: Extras, name: str) -> bytes | None:
    """One extra's bytes from what a file carries."""
    for found, value in extras:
        if found == name:
            return value
    return None
