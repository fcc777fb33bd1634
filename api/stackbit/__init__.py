"""The Stackbit compatibility view: the snapshot as a Stackbit theme's own data layer sees it.

``/api/stackbit/paths`` and ``/api/stackbit/props`` answer what the theme's
``getStaticPaths`` and ``getStaticProps`` would return from the content folder,
so that a theme's front end runs on the API with a data layer of a few lines.
Each generation of themes has its own module (``STACKBIT_COMPAT``); what they
share is how files are found (``theme_files``), the files as written
(``verbatim``, kept at parse time by ``init_app``), JavaScript's rules (``js``) and the
checks on an answer (``objects``).
"""

from __future__ import annotations

import threading
import weakref
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol

from api.content.model.snapshot import Snapshot
from api.content.model.views import ContentView
from api.content.source import extras
from api.stackbit.objects import AnswerTooLarge
from api.stackbit.theme_files import KeyRecorder, SiteFiles
from api.stackbit.verbatim import EXTRA, MODULES, compute_verbatim

if TYPE_CHECKING:
    from flask import Flask


class ThemeIndex(Protocol):
    """What a generation works out once per view of a snapshot, and answers from."""

    def paths(self) -> list[str]: ...

    def props(self, path: str, recorder: KeyRecorder) -> dict[str, Any] | None: ...


# Each generation's module by name (its ``NAME``), imported when a theme index is first built:
# a server that is never asked for a Stackbit answer does not load them.
GENERATIONS: dict[str, str] = {
    "content-ts": "api.stackbit.content_ts",
    "sourcebit": "api.stackbit.sourcebit",
}
DEFAULT_GENERATION = "content-ts"
SOURCEBIT = "sourcebit"

_indexes: weakref.WeakKeyDictionary[ContentView, dict[str, ThemeIndex]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Keep each file as written while it is parsed (the view's extra): call before the
    content is loaded."""
    extras.register(EXTRA, compute_verbatim, modules=MODULES)


def theme_index(snapshot: Snapshot, view: ContentView, generation: str) -> ThemeIndex:
    """The generation's index of what ``view`` shows, built on first use and kept with the view
    (a view belongs to one snapshot and never changes)."""
    with _lock:
        built = _indexes.setdefault(view, {})
        index = built.get(generation)
    if index is None:
        index = import_module(GENERATIONS[generation]).Index(SiteFiles(snapshot, view))
        with _lock:
            index = _indexes.setdefault(view, {}).setdefault(generation, index)
    return index


def normalise_theme_path(raw: str) -> str | None:
    """A requested path as the themes write theirs: one leading ``/``, none trailing.

    Case is kept (the themes' URL paths are case-sensitive); ``None`` for what no
    page can have.
    """
    if len(raw) > 512 or any(ord(char) < 0x20 or char in "\\\x7f" for char in raw):
        return None
    path = "/" + raw.strip("/")
    return path


__all__ = [
    "DEFAULT_GENERATION",
    "GENERATIONS",
    "SOURCEBIT",
    "AnswerTooLarge",
    "KeyRecorder",
    "ThemeIndex",
    "normalise_theme_path",
    "theme_index",
]
