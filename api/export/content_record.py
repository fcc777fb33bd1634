"""What an export records of the content it was made from, and the content keys changed since.

The next export over it rewrites only the answers that recorded one of those keys. The record
holds, for each page and person file, a fingerprint of everything the model holds of it and
the few fields the change rules read (type, title, date, slug, author, tags, URL, locale...);
the newest posts; and fingerprints of the site files. Against the current snapshot it makes
the diff a derivation would have made (the pages and people whose fingerprint differs, whether
the site files changed) and asks the live change rules (``affected.changed_keys``, which
decide what the response cache and the caches in front of the API drop) which keys that
changed. A change those rules do not describe (the locales, a post hidden by
``HIDE_FUTURE_POSTS`` whose date came) is a reason for a full export instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

import orjson

from api.content.model import keys as k
from api.content.model.affected import changed_keys
from api.content.model.diff import SnapshotDiff
from api.content.model.items import Page, Person
from api.content.model.snapshot import Snapshot

RECORD_VERSION = 1

# What the change rules read of a page and a person (besides the path), in record order.
_PAGE_FIELDS = (
    "url", "slug", "type", "date", "is_draft", "title", "tags", "tag_slugs", "author_slug",
    "locale", "document", "translation_key",
)  # fmt: skip
_PERSON_FIELDS = ("slug", "locale", "document")


class RecordMismatch(ValueError):
    """The recorded content cannot be compared with this one: a full export is needed (why)."""


def record_content(snapshot: Snapshot) -> dict[str, Any]:
    """What the next export needs to know of ``snapshot`` (JSON-ready)."""
    view = snapshot.public_view()[0]
    return {
        "version": RECORD_VERSION,
        "pages": {path: _page_record(page) for path, page in snapshot.pages_by_path.items()},
        "people": {
            path: _person_record(person) for path, person in snapshot.people_by_path.items()
        },
        "site": _site_record(snapshot),
        "locales": _locales_record(snapshot),
        "newest": [post.path for post in view.posts[: k.RECENT_WINDOW]],
        "futureHidden": _future_hidden(snapshot),
    }


def keys_changed_since(recorded: Mapping[str, Any], snapshot: Snapshot) -> frozenset[str]:
    """The content keys changed from the recorded content to ``snapshot``'s;
    ``RecordMismatch`` when they cannot be told."""
    if recorded.get("version") != RECORD_VERSION:
        raise RecordMismatch("it was recorded in another format")
    if recorded.get("locales") != _locales_record(snapshot):
        raise RecordMismatch("the locales changed (data/locales.json)")
    came = set(recorded.get("futureHidden", ())) - set(_future_hidden(snapshot))
    if came:
        raise RecordMismatch(f"the date of a future post came ({sorted(came)[0]})")
    try:
        diff = _diff(recorded, snapshot)
        old = _RecordedSnapshot(recorded, snapshot)
    except (KeyError, TypeError, ValueError) as error:
        raise RecordMismatch(f"its record of the content is unreadable ({error!r})") from None
    return changed_keys(cast(Snapshot, old), snapshot, diff) | _drafts_searched(snapshot, diff)


def _drafts_searched(snapshot: Snapshot, diff: SnapshotDiff) -> frozenset[str]:
    """The search keys, when a draft changed (made, edited, deleted) and nothing public did
    with it: the change rules count no public key then, but drafts are in the search index,
    hidden from its answers, and weigh in its scores, so related posts may move."""
    if not any(
        (old is None or old.is_draft) and (new is None or new.is_draft) for old, new in diff.pages
    ):
        return frozenset()
    locales = snapshot.locales
    codes = [c for c in locales.codes if c != locales.default] if locales is not None else []
    return frozenset({k.SEARCH, *(k.localized(k.SEARCH, code) for code in codes)})


# --- recording -------------------------------------------------------------------------------


def _page_record(page: Page) -> list[Any]:
    return [_fingerprint(page), *(_plain(getattr(page, name)) for name in _PAGE_FIELDS)]


def _person_record(person: Person) -> list[Any]:
    return [_fingerprint(person), *(getattr(person, name) for name in _PERSON_FIELDS)]


def _site_record(snapshot: Snapshot) -> dict[str, str]:
    """A fingerprint of each site file (its data and extras) and each of its translations."""
    site = {
        name: _digest(orjson.dumps(data), *_extras_bytes(snapshot.site_extras.get(name, ())))
        for name, data in snapshot.site.items()
    }
    for path, data in snapshot.site_translations.items():
        site[path] = _digest(orjson.dumps(data))
    return site


def _locales_record(snapshot: Snapshot) -> list[Any] | None:
    locales = snapshot.locales
    if locales is None:
        return None
    return [locales.default, list(locales.codes), [list(pair) for pair in locales.fallbacks]]


def _future_hidden(snapshot: Snapshot) -> list[str]:
    """Public posts ``HIDE_FUTURE_POSTS`` keeps out for now (none without it)."""
    view = snapshot.public_view()[0]
    if view is snapshot.published:
        return []
    return sorted(p.path for p in snapshot.published.posts if p.path not in view.posts_by_path)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _fingerprint(item: Page | Person) -> str:
    """A digest of every field of a page or person: equal fingerprints, equal answers."""
    digest = hashlib.blake2b(digest_size=16)
    for field in fields(item):
        digest.update(field.name.encode())
        _feed(digest, getattr(item, field.name))
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    """Feed ``value`` to ``digest`` unambiguously (a type mark, a length, the bytes)."""
    if isinstance(value, bytes):
        digest.update(b"b%d:" % len(value))
        digest.update(value)
    elif isinstance(value, str):
        encoded = value.encode("utf-8", "surrogatepass")
        digest.update(b"s%d:" % len(encoded))
        digest.update(encoded)
    elif value is None or isinstance(value, bool | int | float):
        digest.update(f"v{value!r};".encode())
    elif isinstance(value, datetime):
        digest.update(f"d{value.isoformat()};".encode())
    elif isinstance(value, tuple | list):
        digest.update(b"t%d:" % len(value))
        for part in value:
            _feed(digest, part)
    elif isinstance(value, Mapping):
        digest.update(b"m")
        _feed(digest, orjson.dumps(dict(value), option=orjson.OPT_NON_STR_KEYS))
    else:
        raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def _digest(*parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        _feed(digest, part)
    return digest.hexdigest()


def _extras_bytes(extras: Iterable[tuple[str, bytes]]) -> list[bytes]:
    return [part for name, data in extras for part in (name.encode(), data)]


# --- comparing -------------------------------------------------------------------------------


def _diff(recorded: Mapping[str, Any], snapshot: Snapshot) -> SnapshotDiff:
    """The diff a derivation from the recorded content to ``snapshot`` would have made: every
    page and person whose fingerprint differs, as (recorded, current) pairs."""
    removed, added = [], []
    old_pages: Mapping[str, list[Any]] = recorded["pages"]
    for path, page in snapshot.pages_by_path.items():
        before = old_pages.get(path)
        if before is None or before[0] != _fingerprint(page):
            added.append(page)
            if before is not None:
                removed.append(_recorded_page(path, before))
    pages_now = snapshot.pages_by_path
    removed += [_recorded_page(p, r) for p, r in old_pages.items() if p not in pages_now]
    people: dict[str, tuple[Person | None, Person | None]] = {}
    old_people: Mapping[str, list[Any]] = recorded["people"]
    for path, person in snapshot.people_by_path.items():
        before = old_people.get(path)
        if before is None or before[0] != _fingerprint(person):
            people[path] = (_recorded_person(path, before) if before else None, person)
    for path, before in old_people.items():
        if path not in snapshot.people_by_path:
            people[path] = (_recorded_person(path, before), None)
    site_before: Mapping[str, str] = recorded["site"]
    site_now = _site_record(snapshot)
    site_changed = any(site_before.get(name) != site_now.get(name) for name in ("config", "style"))
    translations = frozenset(
        path
        for path in site_before.keys() | site_now.keys()
        if "/" in path and site_before.get(path) != site_now.get(path)
    )
    return SnapshotDiff.of(
        removed, added, people, site_changed=site_changed, site_translations=translations
    )


def _recorded_page(path: str, record: list[Any]) -> Page:
    """The recorded page as far as the change rules read it (no front matter, no body)."""
    values = dict(zip(_PAGE_FIELDS, record[1:], strict=True))
    date = values["date"]
    return Page(
        path=path,
        blob=b"",
        body="",
        **{
            **values,
            "date": datetime.fromisoformat(date) if date is not None else None,
            "tags": tuple(values["tags"]),
            "tag_slugs": tuple(values["tag_slugs"]),
        },
    )


def _recorded_person(path: str, record: list[Any]) -> Person:
    values = dict(zip(_PERSON_FIELDS, record[1:], strict=True))
    return Person(path=path, fields={}, **values)


@dataclass(frozen=True)
class _Newest:
    path: str


class _RecordedView:
    def __init__(self, newest: Iterable[str]) -> None:
        self.posts = [_Newest(path) for path in newest]


class _RecordedSnapshot:
    """The recorded content, as far as ``changed_keys`` reads the old snapshot: its newest
    public posts, and whether each site file is the current one (the rules compare them by
    identity: a recorded file of the same fingerprint stands as the current object)."""

    def __init__(self, recorded: Mapping[str, Any], current: Snapshot) -> None:
        self._view = _RecordedView(recorded["newest"])
        now, before = _site_record(current), recorded["site"]
        self.site = {
            name: data if before.get(name) == now.get(name) else object()
            for name, data in current.site.items()
        }
        for name in before.keys() - current.site.keys():
            if "/" not in name:
                self.site[name] = object()

    def public_view(self) -> tuple[_RecordedView, str]:
        return self._view, ""
