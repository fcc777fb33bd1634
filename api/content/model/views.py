"""What one audience sees of a snapshot: its pages and people, indexed and sorted for every
query the API makes, and derived edit by edit from the previous view (a copy-on-write
of what changed, every unchanged list shared)."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from types import MappingProxyType
from typing import Any

from api.content.model.items import Page, Person
from api.content.model.tag_index import TagIndex
from api.content.source.model_types import POST_TYPE, PROJECT_TYPE
from api.content.source.paths import tag_slug

POST_SORTS: Mapping[str, Callable[[Sequence[Page]], list[Page]]] = {
    "-date": lambda posts: list(posts),
    "date": lambda posts: sorted(posts, key=lambda p: (_timestamp(p), p.slug, p.path)),
    "title": lambda posts: sorted(posts, key=lambda p: (p.title.casefold(), p.slug)),
    "-title": lambda posts: sorted(
        sorted(posts, key=lambda p: p.slug), key=lambda p: p.title.casefold(), reverse=True
    ),
}


EMPTY: Mapping[Any, Any] = MappingProxyType({})
PROJECT_URL = "/projects/{}"  # where the themes put a project's page


def _timestamp(page: Page) -> float:
    return page.date.timestamp() if page.date else 0.0


def newest_first(page: Page) -> tuple[float, str, str]:
    """The contract's order: newest ``date`` first, ties by slug (then path, for projects)."""
    return (-_timestamp(page), page.slug, page.path)


class _SortedPages:
    """A copy-on-write list of pages in ``newest_first`` order, edited by bisection.

    Removals come first, then additions; many additions (a build from scratch, a
    large checkout) are sorted in at once instead of inserted one by one.
    """

    BULK = 32

    def __init__(self, pages: Sequence[Page]) -> None:
        self.pages = pages
        self._copy: list[Page] | None = None
        self._added: list[Page] = []

    def _list(self) -> list[Page]:
        if self._copy is None:
            self._copy = list(self.pages)
        return self._copy

    def remove(self, page: Page) -> None:
        pages = self._list()
        index = bisect_left(pages, newest_first(page), key=newest_first)
        if index < len(pages) and pages[index] is page:
            del pages[index]
        else:  # not where its order says: only if the order was built differently
            pages.remove(page)

    def add(self, page: Page) -> None:
        self._added.append(page)

    def result(self) -> tuple[Page, ...]:
        if self._added:
            pages = self._list()
            if len(self._added) > self.BULK:
                pages.extend(self._added)
                pages.sort(key=newest_first)
            else:
                for page in self._added:
                    insort(pages, page, key=newest_first)
            self._added = []
        if self._copy is None:
            return self.pages if isinstance(self.pages, tuple) else tuple(self.pages)
        return tuple(self._copy)


class ContentView:
    """What one audience sees of a snapshot: the public (no drafts), or a preview (all)."""

    def __init__(
        self,
        *,
        pages_by_url: Mapping[str, Page],
        posts: tuple[Page, ...],
        projects: tuple[Page, ...],
        posts_by_slug: Mapping[str, Page],
        posts_by_path: Mapping[str, Page],
        projects_by_path: Mapping[str, Page],
        posts_by_author: Mapping[str, tuple[Page, ...]],
        posts_by_tag: Mapping[str, tuple[Page, ...]],
        authors: tuple[Person, ...],
        authors_by_slug: Mapping[str, Person],
        locale: str | None = None,
    ) -> None:
        self.pages_by_url = pages_by_url
        self.posts = posts
        self.projects = projects
        self.posts_by_slug = posts_by_slug
        self.posts_by_path = posts_by_path
        self.projects_by_path = projects_by_path
        self.posts_by_author = posts_by_author
        self.posts_by_tag = posts_by_tag
        self.authors = authors
        self.authors_by_slug = authors_by_slug
        self.locale = locale  # the locale this view shows (None: a site of one locale)
        self.fallback = True  # False: a locale's own versions only (``?fallback=false``)
        self._sorted: dict[tuple[str, str | None, str | None], tuple[Page, ...]] = {}

    @classmethod
    def build(
        cls, pages: Iterable[Page], people: Sequence[Person], *, locale: str | None = None
    ) -> ContentView:
        pages = list(pages)
        empty = cls._empty(people, locale)
        return empty.derive(removed=(), added=pages)

    @classmethod
    def _empty(cls, people: Sequence[Person], locale: str | None = None) -> ContentView:
        return cls(
            pages_by_url=EMPTY,
            posts=(),
            projects=(),
            posts_by_slug=EMPTY,
            posts_by_path=EMPTY,
            projects_by_path=EMPTY,
            posts_by_author=EMPTY,
            posts_by_tag=EMPTY,
            authors=tuple(people),
            authors_by_slug={person.slug: person for person in people},
            locale=locale,
        )

    def derive(
        self,
        *,
        removed: Iterable[Page],
        added: Iterable[Page],
        people: Sequence[Person] | None = None,
    ) -> ContentView:
        """A new view with ``removed`` taken out and ``added`` put in; all else is shared."""
        removed, added = list(removed), list(added)
        edit = _ViewEdit(self)
        for page in removed:
            edit.remove(page)
        for page in added:
            edit.add(page)
        return edit.result(self if people is None else ContentView._empty(people, self.locale))

    def contains(self, page: Page) -> bool:
        """Whether this view shows ``page`` (this very version of it)."""
        return self.pages_by_url.get(page.url.lower()) is page

    @cached_property
    def pages_by_file(self) -> Mapping[str, Page]:
        """Each page by the path of the file whose version it is (made on first use)."""
        return {page.path: page for page in self.pages_by_url.values()}

    @cached_property
    def pages_by_document(self) -> Mapping[str, Page]:
        """Each page by the document it is a version of (a locale's view: made on first use)."""
        return {page.document or page.path: page for page in self.pages_by_url.values()}

    @cached_property
    def projects_by_slug(self) -> Mapping[str, Page]:
        """Each project by its slug (``/api/projects/{slug}``). Two projects in different
        folders may share a slug: the one at ``/projects/<slug>`` wins, else the newer."""
        found: dict[str, Page] = {}
        for project in self.projects:  # newest first: the first of a slug is the newer
            known = found.get(project.slug)
            if known is None or (
                project.url == PROJECT_URL.format(project.slug)
                and known.url != PROJECT_URL.format(known.slug)
            ):
                found[project.slug] = project
        return found

    @cached_property
    def tags(self) -> TagIndex:
        """This audience's tags with their posts and counts (tag endpoints, feeds by tag)."""
        return TagIndex(self.posts_by_tag)

    def list_posts(
        self, *, sort: str = "-date", author: str | None = None, tag: str | None = None
    ) -> tuple[Page, ...]:
        """Posts in ``sort`` order, filtered by author slug and/or tag slug; memoised per view."""
        tag = tag_slug(tag) if tag is not None else None
        key = (sort, author, tag)
        found = self._sorted.get(key)
        if found is None:
            posts: Sequence[Page] = self.posts
            if author is not None:
                posts = self.posts_by_author.get(author, ())
                if tag is not None:
                    posts = [post for post in posts if tag in post.tag_slugs]
            elif tag is not None:
                posts = self.posts_by_tag.get(tag, ())
            found = tuple(POST_SORTS[sort](posts))
            if len(self._sorted) < 1024:  # bounded: filters come from query strings
                self._sorted[key] = found
        return found

    def recent_posts(self, limit: int, exclude: str | None = None) -> tuple[Page, ...]:
        """The ``limit`` newest posts, without the one whose slug is ``exclude``."""
        newest = self.posts[: limit + 1]
        return tuple(post for post in newest if post.slug != exclude)[:limit]


class _ViewEdit:
    """The copies one derivation makes: each index is copied once, on its first change.

    Copies are ``dict.copy()``, which clones the table (a memory copy) where ``dict(d)``
    would insert every entry again once ``d`` has a deleted slot: 5 ms against 21 ms for
    100,000 pages here. Removals wait until every addition is in, so a page replaced under
    the same key (an edit) is assigned in place and leaves no deleted slot behind.
    """

    def __init__(self, view: ContentView) -> None:
        self.view = view
        self.posts = _SortedPages(view.posts)
        self.projects = _SortedPages(view.projects)
        self.maps: dict[str, dict[str, Page]] = {}
        self.removals: list[tuple[str, str, Page]] = []  # (map, key, page) to drop at the end
        self.by_author: dict[str, _SortedPages] = {}
        self.by_tag: dict[str, _SortedPages] = {}

    def _map(self, name: str) -> dict[str, Page]:
        found = self.maps.get(name)
        if found is None:
            found = self.maps[name] = getattr(self.view, name).copy()
        return found

    def remove(self, page: Page) -> None:
        self.removals.append(("pages_by_url", page.url.lower(), page))
        if page.type == POST_TYPE:
            self.posts.remove(page)
            self.removals.append(("posts_by_slug", page.slug, page))
            self.removals.append(("posts_by_path", page.document or page.path, page))
            if page.author_slug:
                self._group(self.by_author, self.view.posts_by_author, page.author_slug).remove(
                    page
                )
            for tag in page.tag_slugs:
                self._group(self.by_tag, self.view.posts_by_tag, tag).remove(page)
        elif page.type == PROJECT_TYPE:
            self.projects.remove(page)
            self.removals.append(("projects_by_path", page.document or page.path, page))

    def add(self, page: Page) -> None:
        self._map("pages_by_url")[page.url.lower()] = page
        if page.type == POST_TYPE:
            self.posts.add(page)
            self._map("posts_by_slug")[page.slug] = page
            self._map("posts_by_path")[page.document or page.path] = page
            if page.author_slug:
                self._group(self.by_author, self.view.posts_by_author, page.author_slug).add(page)
            for tag in page.tag_slugs:
                self._group(self.by_tag, self.view.posts_by_tag, tag).add(page)
        elif page.type == PROJECT_TYPE:
            self.projects.add(page)
            self._map("projects_by_path")[page.document or page.path] = page

    def _apply_removals(self) -> None:
        for name, key, page in self.removals:
            if getattr(self.view, name).get(key) is page:  # else it was never there to drop
                _pop_if(self._map(name), key, page)
        self.removals = []

    @staticmethod
    def _group(
        edits: dict[str, _SortedPages], groups: Mapping[str, tuple[Page, ...]], name: str
    ) -> _SortedPages:
        found = edits.get(name)
        if found is None:
            found = edits[name] = _SortedPages(groups.get(name, ()))
        return found

    def result(self, people_view: ContentView) -> ContentView:
        view = self.view
        self._apply_removals()

        def mapping(name: str) -> Mapping[str, Page]:
            found = self.maps.get(name)
            return found if found is not None else getattr(view, name)

        return ContentView(
            pages_by_url=mapping("pages_by_url"),
            posts=self.posts.result(),
            projects=self.projects.result(),
            posts_by_slug=mapping("posts_by_slug"),
            posts_by_path=mapping("posts_by_path"),
            projects_by_path=mapping("projects_by_path"),
            posts_by_author=_regrouped(view.posts_by_author, self.by_author),
            posts_by_tag=_regrouped(view.posts_by_tag, self.by_tag),
            authors=people_view.authors,
            authors_by_slug=people_view.authors_by_slug,
            locale=view.locale,
        )


def _pop_if(mapping: dict[str, Page], key: str, page: Page) -> None:
    if mapping.get(key) is page:
        del mapping[key]


def _regrouped(
    groups: Mapping[str, tuple[Page, ...]], edits: Mapping[str, _SortedPages]
) -> Mapping[str, tuple[Page, ...]]:
    if not edits:
        return groups
    result = groups.copy()  # type: ignore[attr-defined]
    for name, edit in edits.items():
        pages = edit.result()
        if pages:
            result[name] = pages
        else:
            result.pop(name, None)
    return result
