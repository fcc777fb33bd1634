"""What a new snapshot changed: the content keys whose answers changed, and the page paths.

A key changes when anything an answer tagged with it shows may have changed: a
page's key with its file, the post list's key when a post comes, goes or moves
in the order, an author's post list when one of their posts does. Keys are
computed for two audiences: the public (drafts are invisible, so a draft's edit
changes no public key) and preview (everything). See ``api.content.keys``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from api.content import keys as k
from api.content.models import Page, Person
from api.content.parsed import POST_TYPE, PROJECT_TYPE

if TYPE_CHECKING:
    from api.content.index import Snapshot


class ContentChange:
    """One new snapshot as its consumers (caches, webhooks, event streams) learn of it.

    The page paths can take a pass over every page to find (the pages that show the newest
    posts), and the preview keys a sort of every page, so both are worked out on first use:
    only webhooks and open event streams ask (preview ones only for the preview's).
    """

    __slots__ = (
        "_lock", "_paths", "_paths_of", "_preview_keys", "_preview_keys_of", "_preview_paths",
        "_preview_paths_of", "keys", "previous_version", "version",
    )  # fmt: skip

    def __init__(
        self,
        previous_version: str,
        version: str,
        keys: frozenset[str],
        paths: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
        preview_keys: frozenset[str] | Callable[[], frozenset[str]] = frozenset(),
        preview_paths: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
    ) -> None:
        self.previous_version = previous_version
        self.version = version
        self.keys = keys  # content keys whose public answers changed
        self._lock = threading.Lock()
        self._paths, self._paths_of = _eager_or_lazy(paths, tuple)
        self._preview_keys, self._preview_keys_of = _eager_or_lazy(preview_keys, frozenset)
        self._preview_paths, self._preview_paths_of = _eager_or_lazy(preview_paths, tuple)

    def _worked_out(self, name: str) -> Any:
        """The value in slot ``_<name>``, made by ``_<name>_of`` on first use (then dropped)."""
        with self._lock:
            value = getattr(self, f"_{name}")
            if value is None:
                value = getattr(self, f"_{name}_of")()
                setattr(self, f"_{name}", value)
                setattr(self, f"_{name}_of", None)
            return value

    @property
    def paths(self) -> tuple[str, ...]:
        """Front-end URL paths of public pages whose page changed."""
        return self._worked_out("paths")

    @property
    def preview_keys(self) -> frozenset[str]:
        """The keys that changed, counting drafts."""
        return self._worked_out("preview_keys")

    @property
    def preview_paths(self) -> tuple[str, ...]:
        """The paths that changed, counting drafts."""
        return self._worked_out("preview_paths")

    def body(self, *, preview: bool = False) -> dict[str, object]:
        """The JSON body webhooks and event streams send."""
        return {
            "contentVersion": self.version,
            "previousVersion": self.previous_version,
            "changed": {
                "paths": list(self.preview_paths if preview else self.paths),
                "keys": sorted(self.preview_keys if preview else self.keys),
            },
        }

    def __repr__(self) -> str:
        return f"ContentChange({self.previous_version[:12]} -> {self.version[:12]})"


def _eager_or_lazy(value: Any, make: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``(value, None)`` for a value given, ``(None, maker)`` for one to work out when asked."""
    return (None, value) if callable(value) else (make(value), None)


def changed_keys(
    old: Snapshot,
    new: Snapshot,
    pages: Iterable[tuple[Page | None, Page | None]],
    old_people: Mapping[str, Person | None],
    *,
    preview: bool = False,
) -> frozenset[str]:
    """The keys that changed from ``old`` to ``new`` (``pages``: each changed page's old and
    new version, ``None`` where absent): public ones, or with ``preview`` counting drafts.
    The preview keys compare the newest posts of both preview views, which are built on
    first use (a sort of every page): only a preview event stream asks."""
    keys: set[str] = {k.VERSION}
    for old_page, new_page in pages:
        if preview:
            _page_change(old_page, new_page, keys)
        else:
            _page_change(_visible(old_page), _visible(new_page), keys)
    if preview:
        if _newest(old.preview) != _newest(new.preview):
            keys.add(k.RECENT)
    elif _newest(old.public_view()[0]) != _newest(new.public_view()[0]):
        keys.add(k.RECENT)
    for path, old_person in old_people.items():
        keys |= _person_change(old_person, new.people_by_path.get(path))
    for key, name in ((k.CONFIG, "config"), (k.STYLE, "style")):
        # Identity, not equality: answers keep the file's key order, and 1 == True. An
        # unchanged site is the very same mapping, so this costs nothing then.
        if old.site.get(name) is not new.site.get(name):
            keys.add(key)
    return frozenset(keys)


def _newest(view: object) -> list[str]:
    """The paths of the newest posts a recent-posts section or a feed can show, in order."""
    return [post.path for post in view.posts[: k.RECENT_WINDOW]]  # type: ignore[attr-defined]


def _visible(page: Page | None) -> Page | None:
    return None if page is None or page.is_draft else page


def _page_change(old: Page | None, new: Page | None, keys: set[str]) -> None:
    if old is None and new is None:
        return
    path = (old or new).path  # type: ignore[union-attr]
    keys.update((k.page_key(path), k.ANY_PAGE, k.SEARCH))
    if old is None or new is None or old.type != new.type:
        keys.update(_membership(old))
        keys.update(_membership(new))
        return
    if old.title != new.title:
        keys.update((k.PAGES, k.POSTS_BY_TITLE) if new.type == POST_TYPE else (k.PAGES,))
    if new.type == PROJECT_TYPE and (old.date != new.date or old.slug != new.slug):
        keys.add(k.PROJECTS)
    if new.type != POST_TYPE:
        return
    if old.date != new.date or old.slug != new.slug:
        keys.update(_membership(old) - {k.PAGES})
        keys.update(_membership(new) - {k.PAGES})
    if old.author_slug != new.author_slug:
        for slug in (old.author_slug, new.author_slug):
            if slug:
                keys.add(k.author_posts_key(slug))
    if old.tag_slugs != new.tag_slugs or old.tags != new.tags:
        keys.add(k.TAGS)
        for tag in set(old.tag_slugs) ^ set(new.tag_slugs):
            keys.add(k.tag_key(tag))


def _membership(page: Page | None) -> set[str]:
    """The list keys a page's coming or going changes."""
    if page is None:
        return set()
    keys = {k.PAGES}
    if page.type == POST_TYPE:
        keys.update((k.POSTS, k.POSTS_BY_TITLE))
        if page.author_slug:
            keys.add(k.author_posts_key(page.author_slug))
        if page.tag_slugs:
            keys.add(k.TAGS)
            keys.update(k.tag_key(tag) for tag in page.tag_slugs)
    elif page.type == PROJECT_TYPE:
        keys.add(k.PROJECTS)
    return keys


def _person_change(old: Person | None, new: Person | None) -> set[str]:
    if old is None and new is None:
        return set()
    path = (old or new).path  # type: ignore[union-attr]
    keys = {k.person_key(path), k.ANY_PERSON, k.SEARCH}
    if old is None or new is None or old.slug != new.slug:
        keys.add(k.AUTHORS)
        for person in (old, new):
            if person is not None:
                keys.add(k.author_posts_key(person.slug))
    return keys


FEED_WINDOW = 100  # a feed page's first page shows at most 100 items


def changed_paths(
    old: Snapshot,
    new: Snapshot,
    keys: frozenset[str],
    referrers: Mapping[str, Iterable[str]],
    *,
    preview: bool = False,
) -> tuple[str, ...]:
    """Front-end URL paths of the pages whose answer may have changed (a few too many at
    worst, never too few): the pages changed themselves, the pages that show them (recent
    and featured sections, feed pages, project neighbours), and the posts of an author
    whose details or post count changed. Sorted."""
    if keys <= {k.VERSION}:
        return ()
    if preview and (old._preview is None or new._preview is None):
        # No preview view to walk (nobody asked for one): the public paths, plus the
        # changed pages themselves (drafts among them) and their referrers.
        found_paths = set(changed_paths(old, new, keys, referrers))
        for pair in new.changed_pages:
            for page in pair:
                if page is not None:
                    found_paths.add(page.url)
                    found_paths.update(
                        new.pages_by_path[referrer].url
                        for referrer in referrers.get(page.path, ())
                        if referrer in new.pages_by_path
                    )
        return tuple(sorted(found_paths))
    views = (old.preview, new.preview) if preview else (old.public_view()[0], new.public_view()[0])
    found: set[str] = set()
    changed_pages = {page.path for pair in new.changed_pages for page in pair if page is not None}
    for view in views:
        for path in changed_pages:
            _add(found, view, old.pages_by_path.get(path))
            _add(found, view, new.pages_by_path.get(path))
        for path in changed_pages | set(new.changed_people):
            for referrer in referrers.get(path, ()):
                _add(found, view, new.pages_by_path.get(referrer))
        for slug in _author_slugs(old, new, keys):
            for post in view.posts_by_author.get(slug, ()):
                _add(found, view, post)
    authors = _author_slugs(old, new, keys)
    recent_changed = k.RECENT in keys or any(
        k.page_key(post.path) in keys or post.author_slug in authors
        for view in views
        for post in view.posts[: k.RECENT_WINDOW]
    )
    feeds_changed = recent_changed or k.POSTS in keys  # a feed page may show every post
    projects_changed = k.PROJECTS in keys or any(
        k.page_key(project.path) in keys for view in views for project in view.projects
    )
    for view in views:
        for page in view.pages_by_url.values():
            if (
                (recent_changed and "RecentPostsSection" in page.embeds)
                or (feeds_changed and page.type == "PostFeedLayout")
                or (
                    projects_changed
                    and (
                        "RecentProjectsSection" in page.embeds
                        or page.type in ("ProjectFeedLayout", PROJECT_TYPE)
                    )
                )
            ):
                found.add(page.url)
    return tuple(sorted(found))


def _add(found: set[str], view: object, page: Page | None) -> None:
    if page is not None and view.contains(page):  # type: ignore[attr-defined]
        found.add(page.url)


def _author_slugs(old: Snapshot, new: Snapshot, keys: frozenset[str]) -> set[str]:
    """Authors whose posts show changed details: a changed person or post count."""
    slugs = set()
    for snapshot in (old, new):
        for person in snapshot.people_by_path.values():
            if k.person_key(person.path) in keys or k.author_posts_key(person.slug) in keys:
                slugs.add(person.slug)
    return slugs
