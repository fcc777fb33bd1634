"""The immutable snapshot of a loaded content folder, indexed for every query the API makes.

A snapshot is never changed: a reload makes a new one and swaps it in with one
assignment, so a request holding a snapshot sees one consistent site from start
to end. A new snapshot is *derived* from the previous one by applying what
changed (``derive``): unchanged pages, people and lists are the very same
objects, shared with the old snapshot (and, in forked workers, with the parent
that loaded them), and the work done grows with the change, not with the site.
``build`` makes one from scratch; both give the same snapshot, which a property
test checks.

What is expensive and often unneeded (rendered Markdown, word counts, other sort
orders, the preview view) is computed on first use and memoised.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from types import MappingProxyType
from typing import Any, TypeVar

from api.content.changes import changed_keys
from api.content.models import ContentProblem, Page, Person
from api.content.parsed import POST_TYPE, PROJECT_TYPE, FileKind
from api.content.paths import page_slug, page_url, tag_slug
from api.content.rendering import Rendered, count_words, render_markdown
from api.content.sanitizing import sanitise_html
from api.content.state import ContentState, FileVersion, StateDelta
from api.content.tags import TagIndex

T = TypeVar("T")

POST_SORTS: Mapping[str, Callable[[Sequence[Page]], list[Page]]] = {
    "-date": lambda posts: list(posts),
    "date": lambda posts: sorted(posts, key=lambda p: (_timestamp(p), p.slug, p.path)),
    "title": lambda posts: sorted(posts, key=lambda p: (p.title.casefold(), p.slug)),
    "-title": lambda posts: sorted(
        sorted(posts, key=lambda p: p.slug), key=lambda p: p.title.casefold(), reverse=True
    ),
}
EMPTY: Mapping[Any, Any] = MappingProxyType({})
MAX_RENDERED = 8192  # rendered bodies kept per process (the response cache keeps answers)


def utc_now() -> datetime:
    """The clock future posts are held back by (a function, so tests can move time)."""
    return datetime.now(UTC)


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
        self._sorted: dict[tuple[str, str | None, str | None], tuple[Page, ...]] = {}

    @classmethod
    def build(cls, pages: Iterable[Page], people: Sequence[Person]) -> ContentView:
        pages = list(pages)
        empty = cls._empty(people)
        return empty.derive(removed=(), added=pages)

    @classmethod
    def _empty(cls, people: Sequence[Person]) -> ContentView:
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
        return edit.result(self if people is None else ContentView._empty(people))

    def contains(self, page: Page) -> bool:
        """Whether this view shows ``page`` (this very version of it)."""
        return self.pages_by_url.get(page.url.lower()) is page

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
            self.removals.append(("posts_by_path", page.path, page))
            if page.author_slug:
                self._group(self.by_author, self.view.posts_by_author, page.author_slug).remove(
                    page
                )
            for tag in page.tag_slugs:
                self._group(self.by_tag, self.view.posts_by_tag, tag).remove(page)
        elif page.type == PROJECT_TYPE:
            self.projects.remove(page)
            self.removals.append(("projects_by_path", page.path, page))

    def add(self, page: Page) -> None:
        self._map("pages_by_url")[page.url.lower()] = page
        if page.type == POST_TYPE:
            self.posts.add(page)
            self._map("posts_by_slug")[page.slug] = page
            self._map("posts_by_path")[page.path] = page
            if page.author_slug:
                self._group(self.by_author, self.view.posts_by_author, page.author_slug).add(page)
            for tag in page.tag_slugs:
                self._group(self.by_tag, self.view.posts_by_tag, tag).add(page)
        elif page.type == PROJECT_TYPE:
            self.projects.add(page)
            self._map("projects_by_path")[page.path] = page

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


@dataclass(frozen=True, slots=True)
class SnapshotOptions:
    """How a snapshot presents its content (from the settings)."""

    hide_future_posts: bool = False  # posts dated in the future stay out until their date
    allow_raw_html: bool = False  # serve the body's HTML unsanitised


class PageMemo:
    """What a page's body gives (HTML, word count), kept across snapshots while the page
    is the same object: a derived snapshot reuses every unchanged page's work."""

    def __init__(self, options: SnapshotOptions) -> None:
        self.options = options
        self._lock = threading.Lock()
        self._rendered: dict[str, tuple[Page, Rendered]] = {}
        self._words: dict[str, tuple[Page, int]] = {}

    def rendered(self, page: Page) -> Rendered:
        found = self._rendered.get(page.path)
        if found is not None and found[0] is page:
            return found[1]
        rendered = render_markdown(page.body)
        if not self.options.allow_raw_html:
            rendered = Rendered(sanitise_html(rendered.html), rendered.toc)
        with self._lock:
            self._rendered[page.path] = (page, rendered)
            while len(self._rendered) > MAX_RENDERED:  # the oldest first: bounded memory
                self._rendered.pop(next(iter(self._rendered)), None)
        return rendered

    def word_count(self, page: Page) -> int:
        found = self._words.get(page.path)
        if found is not None and found[0] is page:
            return found[1]
        words = count_words(page.body)
        self._words[page.path] = (page, words)
        return words

    def forget(self, paths: Iterable[str]) -> None:
        with self._lock:
            for path in paths:
                self._rendered.pop(path, None)
                self._words.pop(path, None)


class Snapshot:
    """One loaded version of the site. Content never changes; memo caches fill on use."""

    def __init__(
        self,
        *,
        version: str,
        sequence: int,
        pages_by_path: Mapping[str, Page],
        people_by_path: Mapping[str, Person],
        site: Mapping[str, Mapping[str, Any]],
        site_verbatim: Mapping[str, bytes | None],
        problems_by_path: Mapping[str, tuple[ContentProblem, ...]],
        kept: frozenset[str],
        published: ContentView,
        post_dates: Sequence[datetime],
        options: SnapshotOptions,
        memo: PageMemo,
        loaded_at: datetime | None = None,
    ) -> None:
        self.version = version
        self.sequence = sequence
        self.pages_by_path = pages_by_path
        self.people_by_path = people_by_path
        self.site = site
        self.site_verbatim = site_verbatim
        self.problems_by_path = problems_by_path
        self.kept = kept
        self.options = options
        self.memo = memo
        self.loaded_at = loaded_at or datetime.now(UTC)
        self.published = published
        self.authors_by_slug = published.authors_by_slug
        # What changed since the previous snapshot (None: this one was built from scratch).
        self.changed_keys: frozenset[str] | None = None  # for the public
        # The version this snapshot was derived from (None: built from scratch); the keys that
        # changed for preview are worked out from the two snapshots when asked (changes.py).
        self.derived_from: str | None = None
        self.changed_pages: tuple[tuple[Page | None, Page | None], ...] = ()  # (old, new)
        self.changed_people: Mapping[str, Person | None] = EMPTY  # path -> old person
        self._post_dates = post_dates  # of published posts, ascending (HIDE_FUTURE_POSTS)
        self._lock = threading.Lock()
        self._preview: ContentView | None = None
        self._public_views: dict[int, ContentView] = {}
        self._problems: tuple[ContentProblem, ...] | None = None

    # Building

    @classmethod
    def build(
        cls, state: ContentState, options: SnapshotOptions | None = None, *, sequence: int = 1
    ) -> Snapshot:
        """A snapshot of everything ``state`` serves, from scratch."""
        options = options or SnapshotOptions()
        people_by_path = {
            path: _person(path, version, state)
            for path, version in state.served.items()
            if version.parsed.kind is FileKind.PERSON
        }
        people = _people_sorted(people_by_path.values())
        pages = [
            _page(path, version, state)
            for path, version in state.served.items()
            if version.parsed.kind is FileKind.PAGE
        ]
        published = ContentView.build((p for p in pages if not p.is_draft), people)
        post_dates = (
            sorted(page.date for page in published.posts if page.date is not None)
            if options.hide_future_posts
            else []
        )
        return cls(
            version=state.version,
            sequence=sequence,
            pages_by_path={page.path: page for page in pages},
            people_by_path=people_by_path,
            site=_site(state.served),
            site_verbatim=_site_verbatim(state.served),
            problems_by_path=dict(state.problems),
            kept=frozenset(state.kept),
            published=published,
            post_dates=post_dates,
            options=options,
            memo=PageMemo(options),
        )

    def derive(self, state: ContentState, delta: StateDelta) -> Snapshot:
        """The next snapshot: this one with ``delta`` applied (``state`` is already updated)."""
        # A memory copy (see _ViewEdit); a page edited in place is assigned, not deleted and
        # added again, so the next copy is one too.
        pages = self.pages_by_path.copy() if _touches_pages(delta, self) else None  # type: ignore[attr-defined]
        removed: list[Page] = []
        added: list[Page] = []
        people_by_path: dict[str, Person] | None = None
        old_people: dict[str, Person | None] = {}
        site_changed = False
        for path, version in delta.served.items():
            if path in self.pages_by_path:
                removed.append(self.pages_by_path[path])
                assert pages is not None
                if version is None or version.parsed.kind is not FileKind.PAGE:
                    del pages[path]  # else replaced below, in place
            if path in self.people_by_path or (
                version is not None and version.parsed.kind is FileKind.PERSON
            ):
                if people_by_path is None:
                    people_by_path = self.people_by_path.copy()  # type: ignore[attr-defined]
                old_people[path] = people_by_path.pop(path, None)
                if version is not None:
                    people_by_path[path] = _person(path, version, state)
            if path in _SITE_PATHS or (
                version is not None and version.parsed.kind in (FileKind.CONFIG, FileKind.STYLE)
            ):
                site_changed = True
            if version is not None and version.parsed.kind is FileKind.PAGE:
                page = _page(path, version, state)
                assert pages is not None
                pages[path] = page
                added.append(page)
        for path in delta.rebound - delta.served.keys():
            old = self.pages_by_path.get(path)
            if old is None:
                continue
            new = _page(path, state.served[path], state)
            if new.author_slug != old.author_slug:
                assert pages is not None
                pages[path] = new
                removed.append(old)
                added.append(new)
        self.memo.forget(page.path for page in removed)
        people = None if people_by_path is None else _people_sorted(people_by_path.values())
        published = self.published.derive(
            removed=[page for page in removed if not page.is_draft],
            added=[page for page in added if not page.is_draft],
            people=people,
        )
        snapshot = Snapshot(
            version=state.version,
            sequence=self.sequence + 1,
            pages_by_path=pages if pages is not None else self.pages_by_path,
            people_by_path=people_by_path if people_by_path is not None else self.people_by_path,
            site=_site(state.served) if site_changed else self.site,
            site_verbatim=_site_verbatim(state.served) if site_changed else self.site_verbatim,
            problems_by_path=dict(state.problems)
            if delta.problems_changed
            else self.problems_by_path,
            kept=frozenset(state.kept),
            published=published,
            post_dates=self._derived_dates(removed, added),
            options=self.options,
            memo=self.memo,
        )
        if self._preview is not None:  # derived only if somebody has asked for it
            snapshot._preview = self._preview.derive(removed=removed, added=added, people=people)
        before = {page.path: page for page in removed}
        after = {page.path: page for page in added}
        snapshot.changed_pages = tuple(
            (before.get(path), after.get(path)) for path in sorted(before.keys() | after.keys())
        )
        snapshot.changed_people = old_people
        snapshot.changed_keys = changed_keys(self, snapshot, snapshot.changed_pages, old_people)
        snapshot.derived_from = self.version
        return snapshot

    def _derived_dates(self, removed: list[Page], added: list[Page]) -> Sequence[datetime]:
        if not self.options.hide_future_posts:
            return self._post_dates
        dates = list(self._post_dates)
        for page in removed:
            if page.type == POST_TYPE and page.date is not None and not page.is_draft:
                del dates[bisect_left(dates, page.date)]
        for page in added:
            if page.type == POST_TYPE and page.date is not None and not page.is_draft:
                insort(dates, page.date)
        return dates

    # Reading

    @property
    def problems(self) -> tuple[ContentProblem, ...]:
        """Every problem, by path and line (made on first use)."""
        if self._problems is None:
            found = [p for problems in self.problems_by_path.values() for p in problems]
            self._problems = tuple(sorted(found, key=lambda problem: (problem.path, problem.line)))
        return self._problems

    @property
    def preview(self) -> ContentView:
        """Everything, drafts and future posts included: built on the first preview request."""
        view = self._preview
        if view is None:
            people = self.published.authors
            built = ContentView.build(self.pages_by_path.values(), people)
            with self._lock:
                if self._preview is None:
                    self._preview = built
                view = self._preview
        return view

    def public_view(self, now: datetime | None = None) -> tuple[ContentView, str]:
        """What the public sees at ``now``, and a version naming exactly that content.

        Drafts are never public. With ``hide_future_posts``, a post joins the public
        view when its date comes, without a reload: the view changes only when
        ``now`` passes one of the posts' dates, so one view is made per such step.
        """
        if not self.options.hide_future_posts:
            return self.published, self.version
        step = bisect_right(self._post_dates, now or utc_now())
        view = self._public_views.get(step)
        if view is None:
            cutoff = self._post_dates[step - 1] if step else None
            future = [
                post
                for post in self.published.posts
                if post.date is not None and (cutoff is None or post.date > cutoff)
            ]
            view = self.published.derive(removed=future, added=())
            with self._lock:
                self._public_views = {step: view}  # earlier steps are never asked again
        return view, f"{self.version}.{step}"

    def serves(self, path: str) -> bool:
        """Whether some version of the file at ``path`` is served (to someone: drafts too)."""
        return (
            path in self.pages_by_path
            or path in self.people_by_path
            or (path in _SITE_PATHS and path.rsplit("/", 1)[-1].removesuffix(".json") in self.site)
        )

    def rendered(self, page: Page) -> Rendered:
        """The page's body as HTML with its table of contents, rendered once."""
        return self.memo.rendered(page)

    def word_count(self, page: Page) -> int:
        return self.memo.word_count(page)

    def author_of(self, page: Page) -> Person | None:
        if page.author_slug is None:
            return None
        return self.authors_by_slug.get(page.author_slug)


_SITE_PATHS = frozenset({"data/config.json", "data/style.json"})


def _touches_pages(delta: StateDelta, snapshot: Snapshot) -> bool:
    return bool(delta.rebound) or any(
        path in snapshot.pages_by_path
        or (version is not None and version.parsed.kind is FileKind.PAGE)
        for path, version in delta.served.items()
    )


def _people_sorted(people: Iterable[Person]) -> list[Person]:
    return sorted(people, key=lambda person: person.slug)


def _site(served: Mapping[str, FileVersion]) -> dict[str, Mapping[str, Any]]:
    site = {}
    for path in sorted(_SITE_PATHS):
        version = served.get(path)
        if version is not None:
            site[version.parsed.kind.value] = version.parsed.data
    return site


def _site_verbatim(served: Mapping[str, FileVersion]) -> dict[str, bytes | None]:
    """The site files as written (``api.content.verbatim``), for the Stackbit view."""
    return {
        version.parsed.kind.value: version.parsed.verbatim
        for path in sorted(_SITE_PATHS)
        if (version := served.get(path)) is not None
    }


def _person(path: str, version: FileVersion, state: ContentState) -> Person:
    slug = state.person_slugs.get(path) or path
    return Person(slug, path, version.parsed.data, version.parsed.verbatim)


def _page(path: str, version: FileVersion, state: ContentState) -> Page:
    parsed = version.parsed
    assert parsed.blob is not None and parsed.type_name is not None and parsed.facts is not None
    facts = parsed.facts
    url = page_url(path)
    author = state.person_slugs.get(facts.author_key) if facts.author_key else None
    return Page(
        path=path,
        url=url,
        slug=page_slug(url),
        type=parsed.type_name,
        blob=parsed.blob,
        body=version.body,
        date=datetime.fromtimestamp(facts.timestamp, UTC) if facts.timestamp is not None else None,
        is_draft=facts.is_draft,
        title=facts.title,
        tags=facts.tags,
        tag_slugs=tuple(dict.fromkeys(tag_slug(tag) for tag in facts.tags if tag_slug(tag))),
        author_slug=author,
        embeds=facts.embeds,
        verbatim=parsed.verbatim,
    )


__all__ = [
    "POST_SORTS",
    "ContentView",
    "PageMemo",
    "Snapshot",
    "SnapshotOptions",
    "newest_first",
    "utc_now",
]
