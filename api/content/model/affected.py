"""What a diff between two snapshots affects: the content keys whose answers changed, and the
front-end paths of the pages that show them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from api.content.model import keys as k
from api.content.model.diff import SnapshotDiff
from api.content.model.items import Page, Person
from api.content.model.locale_views import document_of, localized_url, translations_id
from api.content.model.snapshot import Snapshot
from api.content.model.views import ContentView
from api.content.source.locales import SITE_TRANSLATION, Locales
from api.content.source.model_types import (
    POST_FEED_TYPE,
    POST_TYPE,
    PROJECT_FEED_TYPE,
    PROJECT_TYPE,
    RECENT_POSTS,
    RECENT_PROJECTS,
)


def changed_keys(
    old: Snapshot,
    new: Snapshot,
    diff: SnapshotDiff,
    *,
    preview: bool = False,
) -> frozenset[str]:
    """The keys that changed from ``old`` to ``new`` (``diff``: what the derivation of ``new``
    changed): public ones, or with ``preview`` counting drafts.
    The preview keys compare the newest posts of both preview views, which are built on
    first use (a sort of every page): only a preview event stream asks."""
    keys: set[str] = {k.VERSION}
    if new.locales is not None:
        keys |= _localized_changes(new, new.locales, diff, preview=preview)
    for old_page, new_page in diff.pages:
        if new.locales is not None and (new_page or old_page).locale != new.locales.default:  # type: ignore[union-attr]
            continue  # a translation: its own locales' keys only (above)
        if preview:
            _page_change(old_page, new_page, keys)
        else:
            _page_change(_visible(old_page), _visible(new_page), keys)
    if preview:
        if _newest(old.preview) != _newest(new.preview):
            keys.add(k.RECENT)
    elif _newest(old.public_view()[0]) != _newest(new.public_view()[0]):
        keys.add(k.RECENT)
    for old_person, new_person in diff.people:
        person = new_person or old_person
        if new.locales is None or person.locale == new.locales.default:  # type: ignore[union-attr]
            keys |= _person_change(old_person, new_person)
    for key, name in ((k.CONFIG, "config"), (k.STYLE, "style")):
        # Identity, not equality: answers keep the file's key order, and 1 == True. An
        # unchanged site is the very same mapping, so this costs nothing then.
        if old.site.get(name) is not new.site.get(name):
            keys.add(key)
    return frozenset(keys)


def _localized_changes(
    new: Snapshot, locales: Locales, diff: SnapshotDiff, *, preview: bool
) -> set[str]:
    """On a site of several locales: the keys of every locale a changed version shows in (its
    own, and those that fall back to it; a default-locale version shows in all). A locale's
    recent posts are counted changed whenever one of its posts is: the lists are not compared.
    A translation shows its document's other versions' fields where it has none (an author,
    tags, a date: ``locale_views``), and stands in for them where it has, so its change is
    counted a change of their lists too, in its locales."""
    keys: set[str] = set()
    searched = False
    for old_page, new_page in diff.pages:
        page = new_page or old_page
        assert page is not None
        pair: set[str] = set()
        if preview:
            _page_change(old_page, new_page, pair)
        else:
            _page_change(_visible(old_page), _visible(new_page), pair)
        if page.type == POST_TYPE and pair:
            pair.add(k.RECENT)
        if pair and page.locale != locales.default:
            for version in _other_versions(new, page, preview=preview):
                pair |= _membership(version if preview else _visible(version))
        for code in locales.showing(page.locale or locales.default):
            if code != locales.default:
                keys.update(k.localized(key, code) for key in pair)
        if page.locale != locales.default:  # its own key, and what stands in for it
            keys.update(key for key in pair if k.is_page_key(key) or key == k.ANY_PAGE)
        if pair:
            searched = True
        if (
            old_page is None
            or new_page is None
            or old_page.url != new_page.url
            or old_page.translation_key != new_page.translation_key
        ):
            for version in (old_page, new_page):  # which versions there are, and their URLs
                if version is not None:
                    keys.add(k.translations_key(translations_id(version)))
    for old_person, new_person in diff.people:
        person = new_person or old_person
        assert person is not None
        changed = _person_change(old_person, new_person)
        for code in locales.showing(person.locale or locales.default):
            if code != locales.default:
                keys.update(k.localized(key, code) for key in changed)
        if person.locale != locales.default:
            keys.update(key for key in changed if k.is_person_key(key) or key == k.ANY_PERSON)
        if changed:
            searched = True
    if searched:  # one index holds every locale's pages: its scores (and related posts) move
        keys.add(k.SEARCH)
        keys.update(k.localized(k.SEARCH, c) for c in locales.codes if c != locales.default)
    for path in diff.site_translations:
        match = SITE_TRANSLATION.fullmatch(path)
        code = locales.canonical(match["code"]) if match else None
        if code is not None:
            key = k.CONFIG if match["name"] == "config" else k.STYLE  # type: ignore[index]
            keys.update(k.localized(key, other) for other in locales.showing(code))
    if diff.site_changed:  # the default locale's site files fill every other locale's
        keys.update(
            k.localized(key, code)
            for code in locales.codes
            if code != locales.default
            for key in (k.CONFIG, k.STYLE)
        )
    return keys


def _other_versions(new: Snapshot, page: Page, *, preview: bool) -> list[Page]:
    """The other versions of ``page``'s document in ``new`` (``page`` may be gone from it)."""
    found = new.versions_of(page, preview=preview)
    if not found:
        versions = new.versions(preview=preview)
        found = versions.get(document_of(page)) or {}
        if not found and page.translation_key:
            found = next(
                (
                    group
                    for group in versions.values()
                    if any(v.translation_key == page.translation_key for v in group.values())
                ),
                {},
            )
    return [version for version in found.values() if version.path != page.path]


def _newest(view: ContentView) -> list[str]:
    """The paths of the newest posts a recent-posts section or a feed can show, in order."""
    return [post.path for post in view.posts[: k.RECENT_WINDOW]]


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


def changed_paths(
    old: Snapshot,
    new: Snapshot,
    diff: SnapshotDiff,
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
    if new.locales is not None:
        default_paths = _changed_paths(old, new, diff, keys, referrers, preview=preview)
        return tuple(sorted(set(default_paths) | _localized_paths(new, diff, referrers)))
    return _changed_paths(old, new, diff, keys, referrers, preview=preview)


def _localized_paths(
    new: Snapshot, diff: SnapshotDiff, referrers: Mapping[str, Iterable[str]]
) -> set[str]:
    """On a site of several locales: each changed version's URL in every locale that shows
    it, and those of the pages that show it (sections), in each of theirs."""
    locales = new.locales
    assert locales is not None
    found: set[str] = set()

    def add(page: Page) -> None:
        for code in locales.showing(page.locale or locales.default):
            found.add(localized_url(page, code, locales))

    for pair in diff.pages:
        for page in pair:
            if page is not None:
                add(page)
                for referrer in referrers.get(page.path, ()):
                    if referrer in new.pages_by_path:
                        add(new.pages_by_path[referrer])
    return found


def _changed_paths(
    old: Snapshot,
    new: Snapshot,
    diff: SnapshotDiff,
    keys: frozenset[str],
    referrers: Mapping[str, Iterable[str]],
    *,
    preview: bool = False,
) -> tuple[str, ...]:
    """``changed_paths`` in the default locale."""

    if preview and (old.built_preview() is None or new.built_preview() is None):
        # No preview view to walk (nobody asked for one): the public paths, plus the
        # changed pages themselves (drafts among them) and their referrers.
        found_paths = set(changed_paths(old, new, diff, keys, referrers))
        for pair in diff.pages:
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
    changed_pages = diff.page_paths()
    for view in views:
        for path in changed_pages:
            _add(found, view, old.pages_by_path.get(path))
            _add(found, view, new.pages_by_path.get(path))
        for path in diff.touched:
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
                (recent_changed and RECENT_POSTS in page.embeds)
                or (feeds_changed and page.type == POST_FEED_TYPE)
                or (
                    projects_changed
                    and (
                        RECENT_PROJECTS in page.embeds
                        or page.type in (PROJECT_FEED_TYPE, PROJECT_TYPE)
                    )
                )
            ):
                found.add(page.url)
    return tuple(sorted(found))


def _add(found: set[str], view: ContentView, page: Page | None) -> None:
    if page is not None and view.contains(page):
        found.add(page.url)


def _author_slugs(old: Snapshot, new: Snapshot, keys: frozenset[str]) -> set[str]:
    """Authors whose posts show changed details: a changed person or post count."""
    slugs = set()
    for snapshot in (old, new):
        for person in snapshot.people_by_path.values():
            if k.person_key(person.path) in keys or k.author_posts_key(person.slug) in keys:
                slugs.add(person.slug)
    return slugs
