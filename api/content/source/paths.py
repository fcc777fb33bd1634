"""Content paths, references and URL paths: pure string functions, no file system access.

References in files and paths in requests are matched against the keys of the
in-memory index, never opened as files, so none of them can reach outside the
content folder; these functions also refuse anything that even looks like it.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata

PAGES_DIR = "pages"
TEAM_DIR = "data/team"
REPOSITORY_PREFIX = "content/"
MAX_REFERENCE_LENGTH = 512
MAX_SLUG_LENGTH = 200
SLUG_RULE = "letters, digits, '-', '_', '.' and '~', at most 200, starting with a letter or digit"
_SLUG = re.compile(r"[^\W_][\w.~-]*")

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def reference_key(raw: str) -> str | None:
    """The index key of a reference (``content/data/team/a.json`` -> ``data/team/a.json``).

    References are repository-relative (``content/...``); a path relative to the
    content folder itself is accepted too. ``None`` for anything absolute, with
    ``..``, control characters or backslashes.
    """
    candidate = unicodedata.normalize("NFC", raw.strip())
    if not candidate or len(candidate) > MAX_REFERENCE_LENGTH or _UNSAFE.search(candidate):
        return None
    if candidate.startswith("/") or ".." in candidate.split("/"):
        return None
    candidate = candidate.removeprefix("./").removeprefix(REPOSITORY_PREFIX)
    normalised = posixpath.normpath(candidate)
    if normalised in {".", ""} or normalised.startswith(("../", "/")):
        return None
    return normalised


def is_valid_slug(slug: str) -> bool:
    """Slugs become URL segments: Unicode letters and digits, ``-``, ``_``, ``.``, ``~``."""
    return len(slug) <= MAX_SLUG_LENGTH and _SLUG.fullmatch(slug) is not None


def page_url(path: str) -> str:
    """URL path of a page file: ``pages/blog/a.md`` -> ``/blog/a``, ``pages/index.md`` -> ``/``."""
    relative = path.removeprefix(f"{PAGES_DIR}/").removesuffix(".md")
    if relative == "index":
        return "/"
    return "/" + relative.removesuffix("/index")


def page_slug(url: str) -> str:
    """Last segment of a URL path; ``index`` for the home page."""
    return url.rstrip("/").rsplit("/", 1)[-1] or "index"


_NOT_IN_TAG_SLUG = re.compile(r"[^\w]+|_+")


def tag_slug(name: str) -> str:
    """A tag's slug, "the lower-case, hyphenated name": every run of characters that are not
    letters or digits becomes one ``-`` (``Site Reliability`` -> ``site-reliability``,
    ``CI/CD`` -> ``ci-cd``); ``AI`` and ``ai`` are one tag."""
    normal = unicodedata.normalize("NFC", name).casefold()
    return _NOT_IN_TAG_SLUG.sub("-", normal).strip("-")[:MAX_SLUG_LENGTH]


def person_slug(path: str) -> str:
    """``data/team/jason-hand.json`` -> ``jason-hand``."""
    return posixpath.basename(path).removesuffix(".json")


MAX_URL_PATH_LENGTH = 512


def normalise_url_path(raw: str) -> str | None:
    """The lookup key of a requested URL path: lowercase, one leading slash, none trailing.

    ``None`` for what no page can have: control characters, backslashes, ``.``
    or ``..`` segments, or an over-long path.
    """
    candidate = unicodedata.normalize("NFC", raw.strip())
    if len(candidate) > MAX_URL_PATH_LENGTH or _UNSAFE.search(candidate):
        return None
    segments = [segment for segment in candidate.split("/") if segment]
    if any(segment in {".", ".."} for segment in segments):
        return None
    return ("/" + "/".join(segments)).lower()
