"""Content keys: short names for the content items an answer is built from.

Every cacheable answer records the keys of what it shows (one post, one author,
the order of the post list, the site configuration...); every new snapshot
states which keys changed. The response cache keeps every answer whose keys did
not change, and the same keys go out as ``Cache-Tag`` headers and purge
requests, so caches in front of the API drop exactly what an edit touched.

Keys are short and made of letters, digits and ``-`` only (safe in any header
and in Varnish xkey, Fastly surrogate keys and Cloudflare cache tags): an item
key is a one- or two-letter kind and eight base32 characters of a hash of the
item's file path or slug. A collision only makes a purge drop a little more.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

POSTS = "posts"  # the public post list: which posts, in date order
RECENT = "posts-recent"  # the newest RECENT_WINDOW posts, in order (recent sections, feeds)
POSTS_BY_TITLE = "posts-title"  # the same posts in title order
PROJECTS = "projects"  # the public project list, in date order
PAGES = "pages"  # every public page's path, type and title (/api/pages/paths)
AUTHORS = "authors"  # which people there are, by slug
TAGS = "tags"  # which tags there are, their names and counts
CONFIG = "config"  # data/config.json
STYLE = "style"  # data/style.json
SEARCH = "search"  # anything a search can find (every page, every author name)
VERSION = "version"  # the content version itself: changes with every snapshot
LOCALES = "locales"  # data/locales.json: which locales there are
ANY_PAGE = "p-all"  # changes with every page: stands in for page keys in a long list
ANY_PERSON = "a-all"  # changes with every person: stands in for person keys

RECENT_WINDOW = 101  # a recent-posts section shows at most 100 posts, itself left out
MAX_KEYS = 64  # per answer, before item keys are folded into ANY_PAGE / ANY_PERSON
MAX_HEADER_LENGTH = 1024


def _short_hash(text: str) -> str:
    digest = hashlib.blake2b(text.encode(), digest_size=5).digest()
    return base64.b32encode(digest).decode().lower()


def page_key(path: str) -> str:
    """One page file (a post, a project, any page): ``pages/blog/a.md`` -> ``p…``."""
    return "p" + _short_hash(path)


def person_key(path: str) -> str:
    """One person file under ``data/team/``."""
    return "a" + _short_hash(path)


def author_posts_key(slug: str) -> str:
    """Which posts an author has, in date order (their post list and ``postCount``)."""
    return "ap" + _short_hash(slug)


def tag_key(slug: str) -> str:
    """Which posts carry a tag, in date order (its post list and ``postCount``)."""
    return "t" + _short_hash(slug)


def translations_key(document: str) -> str:
    """Which versions a document has, and their URLs (``translations`` in every locale)."""
    return "tr" + _short_hash(document)


def localized(key: str, code: str) -> str:
    """A key of a locale's own answers: its lists, tags, site and search (``posts-de-ch``).
    Item keys (a page's, a person's) name files, which are in one locale already."""
    if key == VERSION or is_page_key(key) or is_person_key(key):
        return key
    return f"{key}-{code.lower()}"


def header_value(keys: Iterable[str]) -> str:
    """The keys as one bounded header value, comma-separated, in a stable order.

    Past ``MAX_KEYS`` keys or ``MAX_HEADER_LENGTH`` characters, page and person keys
    give way to ``ANY_PAGE`` and ``ANY_PERSON``, which every page and person change
    also changes: the answer is then dropped by more edits, never by fewer.
    """
    ordered = sorted(set(keys))
    value = ",".join(ordered)
    if len(ordered) <= MAX_KEYS and len(value) <= MAX_HEADER_LENGTH:
        return value
    return ",".join(sorted(set(folded(ordered))))


def folded(keys: Iterable[str]) -> set[str]:
    """Keys with every page and person key replaced by its catch-all."""
    result = set()
    for key in keys:
        if is_page_key(key):
            result.add(ANY_PAGE)
        elif is_person_key(key):
            result.add(ANY_PERSON)
        else:
            result.add(key)
    return result


def is_page_key(key: str) -> bool:
    return len(key) == 9 and key[0] == "p"


def is_person_key(key: str) -> bool:
    return len(key) == 9 and key[0] == "a"
