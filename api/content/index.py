"""The immutable snapshot of a loaded content folder, indexed for every query the API makes.

A snapshot is built once per load and never changed: a reload builds a new one
and swaps it in with one assignment, so a request holding a snapshot sees one
consistent site from start to end. What is expensive and often unneeded
(rendered Markdown, word counts, alternative sort orders) is computed on first
use and memoised inside the snapshot, so it is done at most once per snapshot.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from types import MappingProxyType
from typing import Any, TypeVar

from api.content.loader import LoadedContent
from api.content.models import ContentProblem, Page, Person
from api.content.parsed import POST_TYPE, PROJECT_TYPE, FileKind, ParsedFile
from api.content.paths import page_slug, page_url, person_slug
from api.content.rendering import Rendered, count_words, render_markdown
from api.content.sanitizing import sanitise_html
from api.content.tags import TagIndex, tag_slug, tag_slugs

T = TypeVar("T")

POST_SORTS: Mapping[str, Callable[[Sequence[Page]], list[Page]]] = {
    "-date": lambda posts: list(posts),
    "date": lambda posts: sorted(posts, key=lambda p: (_timestamp(p), p.slug)),
    "title": lambda posts: sorted(posts, key=lambda p: (p.title.casefold(), p.slug)),
    "-title": lambda posts: sorted(
        sorted(posts, key=lambda p: p.slug), key=lambda p: p.title.casefold(), reverse=True
    ),
}


def utc_now() -> datetime:
    """The clock future posts are held back by (a function, so tests can move time)."""
    return datetime.now(UTC)


def _timestamp(page: Page) -> float:
    return page.date.timestamp() if page.date else 0.0


def _newest_first(pages: Iterable[Page]) -> tuple[Page, ...]:
    """Newest ``date`` first; ties broken by slug ascending (the contract's post order)."""
    return tuple(sorted(pages, key=lambda page: (-_timestamp(page), page.slug)))


class ContentView:
    """What one audience sees of a snapshot: the public (no drafts), or a preview (all)."""

    def __init__(self, pages: Iterable[Page], people: Sequence[Person]) -> None:
        pages = list(pages)
        self.pages_by_url: Mapping[str, Page] = MappingProxyType(
            {page.url.lower(): page for page in pages}
        )
        self.posts: tuple[Page, ...] = _newest_first(p for p in pages if p.type == POST_TYPE)
        self.projects: tuple[Page, ...] = _newest_first(p for p in pages if p.type == PROJECT_TYPE)
        self.posts_by_slug: Mapping[str, Page] = MappingProxyType(
            {post.slug: post for post in self.posts}
        )
        self.projects_by_path: Mapping[str, Page] = MappingProxyType(
            {project.path: project for project in self.projects}
        )
        self.posts_by_path: Mapping[str, Page] = MappingProxyType(
            {post.path: post for post in self.posts}
        )
        by_author: dict[str, list[Page]] = defaultdict(list)
        by_tag: dict[str, list[Page]] = defaultdict(list)
        for post in self.posts:
            if post.author_slug:
                by_author[post.author_slug].append(post)
            for tag in tag_slugs(post.tags):
                by_tag[tag].append(post)
        self.posts_by_author: Mapping[str, tuple[Page, ...]] = MappingProxyType(
            {slug: tuple(posts) for slug, posts in by_author.items()}
        )
        self.posts_by_tag: Mapping[str, tuple[Page, ...]] = MappingProxyType(
            {tag: tuple(posts) for tag, posts in by_tag.items()}
        )
        self.authors: tuple[Person, ...] = tuple(people)
        self.authors_by_slug: Mapping[str, Person] = MappingProxyType(
            {person.slug: person for person in people}
        )
        self._sorted: dict[tuple[str, str | None, str | None], tuple[Page, ...]] = {}

    @cached_property
    def tags(self) -> TagIndex:
        """This audience's tags with their posts and counts (tag endpoints, feeds by tag)."""
        return TagIndex(self.posts)

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
                    posts = [post for post in posts if tag in tag_slugs(post.tags)]
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


@dataclass(frozen=True, slots=True)
class SnapshotOptions:
    """How a snapshot presents its content (from the settings)."""

    hide_future_posts: bool = False  # posts dated in the future stay out until their date
    allow_raw_html: bool = False  # serve the body's HTML unsanitised


class Snapshot:
    """One loaded version of the site. Content never changes; memo caches fill on use."""

    def __init__(
        self,
        loaded: LoadedContent,
        options: SnapshotOptions | None = None,
        loaded_at: datetime | None = None,
    ) -> None:
        self.options = options or SnapshotOptions()
        self.version = loaded.version
        self.loaded_at = loaded_at or datetime.now(UTC)
        self.problems: tuple[ContentProblem, ...] = tuple(loaded.problems)
        self.kept: frozenset[str] = frozenset(loaded.kept)  # served in their last good version
        people = sorted(
            (_person(file) for file in loaded.files.values() if file.kind is FileKind.PERSON),
            key=lambda person: person.slug,
        )
        self.people_by_path: Mapping[str, Person] = MappingProxyType(
            {person.path: person for person in people}
        )
        pages = [
            _page(file, loaded.bodies.get(file.path, ""), self.people_by_path)
            for file in loaded.files.values()
            if file.kind is FileKind.PAGE
        ]
        self.pages_by_path: Mapping[str, Page] = MappingProxyType({p.path: p for p in pages})
        self.site: Mapping[str, Mapping[str, Any]] = MappingProxyType(
            {
                file.kind.value: file.data
                for file in loaded.files.values()
                if file.kind in (FileKind.CONFIG, FileKind.STYLE)
            }
        )
        self.authors_by_slug: Mapping[str, Person] = MappingProxyType(
            {person.slug: person for person in people}
        )
        self._lock = threading.Lock()
        self._rendered: dict[str, Rendered] = {}
        self._word_counts: dict[str, int] = {}
        self._pages = pages
        self._people = people
        self._published = [page for page in pages if not page.is_draft]
        self._post_dates = sorted(
            {page.date for page in self._published if page.type == POST_TYPE and page.date}
        )
        self._public_views: dict[int, ContentView] = {}
        if not self.options.hide_future_posts:
            self._public_views[-1] = ContentView(self._published, people)

    @cached_property
    def preview(self) -> ContentView:
        """Everything, drafts and future posts included: built on the first preview request."""
        return ContentView(self._pages, self._people)

    def public_view(self, now: datetime | None = None) -> tuple[ContentView, str]:
        """What the public sees at ``now``, and a version naming exactly that content.

        Drafts are never public. With ``hide_future_posts``, a post joins the public
        view when its date comes, without a reload: the view changes only when
        ``now`` passes one of the posts' dates, so one view is built per such step.
        """
        if not self.options.hide_future_posts:
            return self._public_views[-1], self.version
        step = bisect_right(self._post_dates, now or utc_now())
        view = self._public_views.get(step)
        if view is None:
            cutoff = self._post_dates[step - 1] if step else None
            visible = [page for page in self._published if _visible_at(page, cutoff)]
            view = ContentView(visible, self._people)
            with self._lock:
                self._public_views = {step: view}  # earlier steps are never asked again
        return view, f"{self.version}.{step}"

    def rendered(self, page: Page) -> Rendered:
        """The page's body as HTML with its table of contents, rendered once per snapshot."""
        return self._memo(self._rendered, page.path, lambda: self._render(page.body))

    def _render(self, body: str) -> Rendered:
        rendered = render_markdown(body)
        if self.options.allow_raw_html:
            return rendered
        return Rendered(sanitise_html(rendered.html), rendered.toc)

    def word_count(self, page: Page) -> int:
        return self._memo(self._word_counts, page.path, lambda: count_words(page.body))

    def author_of(self, page: Page) -> Person | None:
        if page.author_slug is None:
            return None
        return self.authors_by_slug.get(page.author_slug)

    def _memo(self, cache: dict[str, T], key: str, compute: Callable[[], T]) -> T:
        found = cache.get(key)
        if found is None:
            found = compute()
            with self._lock:
                found = cache.setdefault(key, found)
        return found


def _visible_at(page: Page, cutoff: datetime | None) -> bool:
    """Posts are visible once their date is at or before ``cutoff``; other pages always."""
    if page.type != POST_TYPE or page.date is None:
        return True
    return cutoff is not None and page.date <= cutoff


def _person(file: ParsedFile) -> Person:
    return Person(person_slug(file.path), file.path, file.data)


def _page(file: ParsedFile, body: str, people_by_path: Mapping[str, Person]) -> Page:
    assert file.blob is not None and file.type_name is not None and file.facts is not None
    facts = file.facts
    url = page_url(file.path)
    person = people_by_path.get(facts.author_key) if facts.author_key else None
    return Page(
        path=file.path,
        url=url,
        slug=page_slug(url),
        type=file.type_name,
        blob=file.blob,
        body=body,
        date=datetime.fromtimestamp(facts.timestamp, UTC) if facts.timestamp is not None else None,
        is_draft=facts.is_draft,
        title=facts.title,
        tags=facts.tags,
        author_slug=person.slug if person else None,
    )
