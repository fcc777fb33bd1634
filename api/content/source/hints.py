"""What a content error suggests: the name the author probably meant, and the form a value
should take. Only problems pay for this; a clean load never calls it."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable

from api.content.source.model_types import POST_TYPE, PROJECT_TYPE
from api.content.source.paths import REPOSITORY_PREFIX, tag_slug

CLOSE_ENOUGH = 0.8  # difflib's ratio: one or two letters off in a model type's name


def did_you_mean(written: str, known: Iterable[str]) -> str:
    """`` (did you mean PostLayout?)`` for a typo of one of ``known``, else ``""``."""
    found = difflib.get_close_matches(written, sorted(known), n=1, cutoff=CLOSE_ENOUGH)
    return f" (did you mean {found[0]}?)" if found else ""


def reference_form(target_type: str) -> str:
    """How a reference to a ``target_type`` is written: its file's path in the repository."""
    if target_type == "Person":
        return f"{REPOSITORY_PREFIX}data/team/<slug>.json"
    if target_type == POST_TYPE:
        return f"{REPOSITORY_PREFIX}pages/blog/<slug>.md"
    if target_type == PROJECT_TYPE:
        return f"{REPOSITORY_PREFIX}pages/projects/<slug>.md"
    return f"{REPOSITORY_PREFIX}pages/<path>.md"


def nearest_file(written: str, paths: Iterable[str]) -> str | None:
    """The file (a path relative to the content folder) whose name is closest to what a broken
    reference says: ``Ada Lovelace`` finds ``data/team/ada-lovelace.json``."""
    wanted = tag_slug(posixpath.basename(written).rsplit(".", 1)[0])
    by_name: dict[str, str] = {}
    for path in sorted(paths):
        by_name.setdefault(tag_slug(posixpath.basename(path).rsplit(".", 1)[0]), path)
    found = difflib.get_close_matches(wanted, list(by_name), n=1, cutoff=0.6)
    return by_name[found[0]] if found else None
