"""Locales: which languages a site is written in, how each falls back, and which file is
which document's translation.

A site declares its locales in ``data/locales.json``::

    {"defaultLocale": "en",
     "locales": [{"code": "en"}, {"code": "de"}, {"code": "de-CH", "fallback": "de"}]}

A locale's ``fallback`` names the next locale to try (default: the default locale); every
chain ends at the default locale. A translation is the same file with a declared code before
the extension (``pages/blog/hello.de.md``, ``data/team/jane.de.json``,
``data/config.de.json``) or the same path under ``pages/<code>/``. Without the file a site has
one locale and nothing here applies: paths are what they always were.

Pure functions of paths and data: the content state decides with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.content.source.paths import PAGES_DIR, TEAM_DIR, page_slug, page_url, person_slug

LOCALES_FILE = "data/locales.json"
# BCP 47 as sites write it: a language, then subtags (de, de-CH, zh-Hant-TW, es-419).
_CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# A file name's locale-like suffix: hello.de.md, jane.de-CH.json, config.pt-BR.json.
_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)$")
SITE_TRANSLATION = re.compile(
    r"data/(?P<name>config|style)\.(?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.json"
)


class LocalesError(ValueError):
    """``data/locales.json`` that cannot be used: where in the data (a location), and why."""

    def __init__(self, location: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


@dataclass(frozen=True, slots=True)
class Locales:
    """The declared locales, in declared order, each with its fallback chain."""

    default: str
    codes: tuple[str, ...]
    fallbacks: tuple[tuple[str, str | None], ...]  # (code, the next locale; None: the default)

    def chain(self, code: str) -> tuple[str, ...]:
        """``code`` and the locales it falls back to, in order, ending at the default."""
        found = [code]
        step = dict(self.fallbacks).get(code)
        while code != self.default:
            code = step or self.default
            found.append(code)
            step = dict(self.fallbacks).get(code)
        return tuple(found)

    def showing(self, code: str) -> tuple[str, ...]:
        """The locales whose chain passes through ``code``: where a version in ``code`` may be
        served (its own, and every locale falling back to it), in declared order."""
        return tuple(other for other in self.codes if code in self.chain(other))

    def canonical(self, written: str) -> str | None:
        """A declared code as declared, whatever its case; ``None`` if not declared."""
        folded = written.casefold()
        return next((code for code in self.codes if code.casefold() == folded), None)


def parse_locales(data: Mapping[str, Any]) -> Locales:
    """The locales ``data/locales.json`` declares; ``LocalesError`` for anything unusable."""
    default = data.get("defaultLocale")
    if not isinstance(default, str) or not _CODE.fullmatch(default):
        raise LocalesError(("defaultLocale",), "defaultLocale: expected a locale code such as en")
    entries = data.get("locales")
    if not isinstance(entries, list) or not entries:
        raise LocalesError(("locales",), 'locales: expected a list of {"code": ...} objects')
    codes: list[str] = []
    fallbacks: list[tuple[str, str | None]] = []
    for index, entry in enumerate(entries):
        where: tuple[str | int, ...] = ("locales", index)
        if not isinstance(entry, Mapping):
            raise LocalesError(where, f"locales[{index}]: expected an object with a code")
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise LocalesError((*where, "code"), f"locales[{index}].code: not a locale code")
        if any(code.casefold() == known.casefold() for known in codes):
            raise LocalesError((*where, "code"), f"locales[{index}].code: '{code}' twice")
        fallback = entry.get("fallback")
        if fallback is not None and not isinstance(fallback, str):
            raise LocalesError((*where, "fallback"), f"locales[{index}].fallback: not a code")
        codes.append(code)
        fallbacks.append((code, fallback))
    if default not in codes:
        raise LocalesError(
            ("defaultLocale",), f"defaultLocale: '{default}' is not one of the locales"
        )
    for index, (code, fallback) in enumerate(fallbacks):
        if fallback is not None and fallback not in codes:
            raise LocalesError(
                ("locales", index, "fallback"),
                f"locales[{index}].fallback: unknown locale '{fallback}' "
                f"(declared: {', '.join(codes)})",
            )
        if code == default and fallback is not None:
            raise LocalesError(
                ("locales", index, "fallback"), "the default locale falls back to nothing"
            )
    steps = dict(fallbacks)
    for index, (code, _) in enumerate(fallbacks):
        seen = [code]
        current = code
        while current != default:
            current = steps.get(current) or default
            if current in seen:
                cycle = " -> ".join([*seen[seen.index(current) :], current])
                raise LocalesError(("locales", index, "fallback"), f"fallback cycle: {cycle}")
            seen.append(current)
    return Locales(default, tuple(codes), tuple(fallbacks))


@dataclass(frozen=True, slots=True)
class FileLocale:
    """Which document a file is a version of, and in which locale."""

    document: str  # the default-locale file's path (which may not exist: a translation only)
    code: str  # the locale of this version


def locale_of(path: str, locales: Locales) -> FileLocale:
    """The document and locale of a content file (its path relative to the content folder).

    A suffix that is not a declared code is part of the file's name (``hello.fr.md`` is the
    default-locale document ``hello.fr``); ``pages/<code>/...`` is a translation of
    ``pages/...``.
    """
    match = SITE_TRANSLATION.fullmatch(path)
    if match:
        code = locales.canonical(match["code"])
        if code is not None:
            return FileLocale(f"data/{match['name']}.json", code)
    if path.startswith(f"{PAGES_DIR}/"):
        first, _, rest = path.removeprefix(f"{PAGES_DIR}/").partition("/")
        code = locales.canonical(first)
        if rest and code is not None:
            return FileLocale(f"{PAGES_DIR}/{rest}", code)
    folder, _, name = path.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    if dot and (path.startswith(f"{PAGES_DIR}/") or path.startswith(f"{TEAM_DIR}/")):
        suffix = _SUFFIX.match(stem)
        if suffix:
            code = locales.canonical(suffix["code"])
            if code is not None:
                return FileLocale(f"{folder}/{suffix['stem']}.{extension}", code)
    return FileLocale(path, locales.default)


def undeclared_suffix(path: str, locales: Locales) -> str | None:
    """A locale-like suffix (``hello.fr.md``) that is not a declared code, for a warning."""
    name = path.rpartition("/")[2]
    stem = name.rpartition(".")[0]
    suffix = _SUFFIX.match(stem)
    if suffix is None or locales.canonical(suffix["code"]) is not None:
        return None
    code = suffix["code"]
    return code if 2 <= len(code.split("-")[0]) <= 3 and code.split("-")[0].islower() else None


@dataclass(frozen=True, slots=True)
class Identity:
    """Where one version of a document lives: its locale (``None`` on a site of one locale),
    the document's path, and this version's URL path (pages) and slug."""

    code: str | None
    document: str
    url: str  # "" for a person or a site file
    slug: str


def page_identity(path: str, own_slug: str | None, locales: Locales | None) -> Identity:
    """A page's identity: on a site of one locale, its URL from its path, as always; else a
    translation's URL is ``/<code>`` + the document's, its last segment the translation's own
    ``slug`` where it has one (``/de/blog/hallo``)."""
    if locales is None:
        url = page_url(path)
        return Identity(None, path, url, page_slug(url))
    where = locale_of(path, locales)
    url = page_url(where.document)
    slug = page_slug(url)
    if where.code != locales.default:
        if own_slug:
            url, slug = f"{url.rstrip('/').rpartition('/')[0]}/{own_slug}", own_slug
        url = f"/{where.code}{url if url != '/' else ''}"
    return Identity(where.code, where.document, url, slug)


def person_identity(path: str, own_slug: str | None, locales: Locales | None) -> Identity:
    """A person's identity: a translation (``jane.de.json``) is the same person (``jane``)."""
    if locales is None:
        return Identity(None, path, "", own_slug or person_slug(path))
    where = locale_of(path, locales)
    return Identity(where.code, where.document, "", own_slug or person_slug(where.document))
