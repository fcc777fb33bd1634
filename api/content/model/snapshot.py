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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.content.model.diff import PersonPair, SnapshotDiff
from api.content.model.items import Page, Person
from api.content.model.locale_views import (
    Versions,
    build_locale_view,
    derive_locale_view,
    document_of,
)
from api.content.model.rendering import PageMemo, Rendered, RenderStore
from api.content.model.served import (
    SITE_PATHS,
    ServedContent,
    ServedDelta,
    page_of,
    people_sorted,
    person_of,
    site_extras_of,
    site_of,
    site_translations_of,
    touches_pages,
)
from api.content.model.version_groups import VersionGroups
from api.content.model.views import EMPTY, ContentView
from api.content.source.extras import Extras
from api.content.source.locales import (
    SITE_TRANSLATION,
    Locales,
)
from api.content.source.model_types import POST_TYPE
from api.content.source.parsed import FileKind
from api.content.source.problems import ContentProblem


def utc_now() -> datetime:
    """The clock future posts are held back by (a function, so tests can move time)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SnapshotOptions:
    """How a snapshot presents its content (from the settings)."""

    hide_future_posts: bool = False  # posts dated in the future stay out until their date
    allow_raw_html: bool = False  # serve the body's HTML unsanitised


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
        site_extras: Mapping[str, Extras],
        problems_by_path: Mapping[str, tuple[ContentProblem, ...]],
        kept: frozenset[str],
        published: ContentView,
        post_dates: Sequence[datetime],
        options: SnapshotOptions,
        memo: PageMemo,
        preview: ContentView | None = None,
        locales: Locales | None = None,
        site_translations: Mapping[str, Mapping[str, Any]] = EMPTY,
        loaded_at: datetime | None = None,
        version_groups: dict[bool, VersionGroups] | None = None,
        locale_views: dict[tuple[str, bool, bool, str], ContentView] | None = None,
    ) -> None:
        self.version = version
        self.sequence = sequence
        self.pages_by_path = pages_by_path
        self.people_by_path = people_by_path
        self.site = site
        self.locales = locales  # data/locales.json (None: a site of one locale)
        self.site_translations = site_translations  # data/config.de.json... by path
        self.site_extras = site_extras  # each site file's extras, by kind (config, style)
        self.problems_by_path = problems_by_path
        self.kept = kept
        self.options = options
        self.memo = memo
        self.loaded_at = loaded_at or datetime.now(UTC)
        self.published = published
        self.authors_by_slug = published.authors_by_slug
        self._post_dates = post_dates  # of published posts, ascending (HIDE_FUTURE_POSTS)
        self._lock = threading.Lock()
        self._preview = preview  # made on the first preview request (``preview``)
        self._public_views: dict[int, ContentView] = {}
        # (code, preview, fallback, step): made on first use, then derived (``locale_views``)
        self._locale_views: dict[tuple[str, bool, bool, str], ContentView] = locale_views or {}
        # by audience (preview or not): made on first use, then derived (``version_groups``)
        self._version_groups: dict[bool, VersionGroups] = version_groups or {}
        self._problems: tuple[ContentProblem, ...] | None = None

    # Building

    @classmethod
    def build(
        cls,
        state: ServedContent,
        options: SnapshotOptions | None = None,
        *,
        sequence: int = 1,
        renders: RenderStore | None = None,
    ) -> Snapshot:
        """A snapshot of everything ``state`` serves, from scratch; ``renders`` keeps rendered
        bodies across processes (the render cache), for this snapshot and those derived."""
        options = options or SnapshotOptions()
        people_by_path = {
            path: person_of(path, version, state)
            for path, version in state.served.items()
            if version.parsed.kind is FileKind.PERSON
        }
        default = state.locales.default if state.locales is not None else None
        people = people_sorted(p for p in people_by_path.values() if p.locale == default)
        pages = [
            page_of(path, version, state)
            for path, version in state.served.items()
            if version.parsed.kind is FileKind.PAGE
        ]
        published = ContentView.build(
            (p for p in pages if not p.is_draft and p.locale == default), people, locale=default
        )
        post_dates = (  # every locale's (as _derived_dates keeps them): a translation's
            # date coming moves its locale's view on, though the default's may stay
            sorted(
                page.date
                for page in pages
                if page.type == POST_TYPE and page.date is not None and not page.is_draft
            )
            if options.hide_future_posts
            else []
        )
        return cls(
            version=state.version,
            sequence=sequence,
            pages_by_path={page.path: page for page in pages},
            people_by_path=people_by_path,
            site=site_of(state.served),
            site_extras=site_extras_of(state.served),
            site_translations=site_translations_of(state.served),
            locales=state.locales,
            problems_by_path=dict(state.problems),
            kept=frozenset(state.kept),
            published=published,
            post_dates=post_dates,
            options=options,
            memo=PageMemo(allow_raw_html=options.allow_raw_html, store=renders),
        )

    def derive(self, state: ServedContent, delta: ServedDelta) -> tuple[Snapshot, SnapshotDiff]:
        """The next snapshot: this one with ``delta`` applied (``state`` is already updated),
        and the diff that says what changed."""
        # A memory copy (see _ViewEdit); a page edited in place is assigned, not deleted and
        # added again, so the next copy is one too.
        pages = self.pages_by_path.copy() if touches_pages(delta, self.pages_by_path) else None  # type: ignore[attr-defined]
        removed: list[Page] = []
        added: list[Page] = []
        people_by_path: dict[str, Person] | None = None
        changed_people: dict[str, PersonPair] = {}
        site_changed = False
        site_translations_changed: set[str] = set()
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
                old_person = people_by_path.pop(path, None)
                new_person = person_of(path, version, state) if version is not None else None
                if new_person is not None:
                    people_by_path[path] = new_person
                changed_people[path] = (old_person, new_person)
            if path in SITE_PATHS:
                site_changed = True
            elif SITE_TRANSLATION.fullmatch(path):
                site_translations_changed.add(path)
            if version is not None and version.parsed.kind is FileKind.PAGE:
                page = page_of(path, version, state)
                assert pages is not None
                pages[path] = page
                added.append(page)
        for path in delta.rebound - delta.served.keys():
            old = self.pages_by_path.get(path)
            if old is None:
                continue
            new = page_of(path, state.served[path], state)
            if new.author_slug != old.author_slug:
                assert pages is not None
                pages[path] = new
                removed.append(old)
                added.append(new)
        self.memo.forget(page.path for page in removed)
        default = self.locales.default if self.locales is not None else None
        people = (
            None
            if people_by_path is None
            else people_sorted(p for p in people_by_path.values() if p.locale == default)
        )
        shown = [page for page in removed if page.locale == default]
        coming = [page for page in added if page.locale == default]
        published = self.published.derive(
            removed=[page for page in shown if not page.is_draft],
            added=[page for page in coming if not page.is_draft],
            people=people,
        )
        groups = self._derived_groups(removed, added)
        snapshot = Snapshot(
            version=state.version,
            sequence=self.sequence + 1,
            pages_by_path=pages if pages is not None else self.pages_by_path,
            people_by_path=people_by_path if people_by_path is not None else self.people_by_path,
            site=site_of(state.served) if site_changed else self.site,
            site_extras=site_extras_of(state.served) if site_changed else self.site_extras,
            site_translations=site_translations_of(state.served)
            if site_translations_changed
            else self.site_translations,
            locales=self.locales,
            problems_by_path=dict(state.problems)
            if delta.problems_changed
            else self.problems_by_path,
            kept=frozenset(state.kept),
            published=published,
            post_dates=self._derived_dates(removed, added),
            options=self.options,
            memo=self.memo,
            # derived only if somebody has asked for it
            preview=None
            if self._preview is None
            else self._preview.derive(removed=shown, added=coming, people=people),
            version_groups=groups,
            locale_views=self._derived_locale_views(
                groups, removed, added, None if people_by_path is None else people_by_path.values()
            ),
        )
        diff = SnapshotDiff.of(
            removed,
            added,
            changed_people,
            site_changed=site_changed,
            site_translations=frozenset(site_translations_changed),
        )
        return snapshot, diff

    def _derived_groups(
        self, removed: list[Page], added: list[Page]
    ) -> dict[bool, VersionGroups] | None:
        """The version groups made so far, carried to the next snapshot (where they can be)."""
        if self.locales is None or not (removed or added):
            return dict(self._version_groups) if self.locales is not None else None
        carried = {}
        for preview, groups in list(self._version_groups.items()):
            derived = groups.derive(removed, added)
            if derived is not None:
                carried[preview] = derived
        return carried

    def _derived_locale_views(
        self,
        groups: dict[bool, VersionGroups] | None,
        removed: list[Page],
        added: list[Page],
        people: Iterable[Person] | None,
    ) -> dict[tuple[str, bool, bool, str], ContentView] | None:
        """The locale views made so far, with the change applied, for the next snapshot: an
        edit then costs a locale what it costs the default one (the documents it changed), not
        a view made afresh (0.5 s at 10,000 posts in 3 locales). Views of a moment
        (``hide_future_posts``) and views whose groups could not be derived are left out:
        made afresh on first use, as before."""
        if self.locales is None or not self._locale_views or groups is None:
            return None
        documents = {document_of(page) for page in (*removed, *added)}
        carried = {}
        for key, view in list(self._locale_views.items()):
            preview, step = key[1], key[3]
            new, old = groups.get(preview), self._version_groups.get(preview)
            if step or new is None or old is None:
                continue
            derived = derive_locale_view(
                view,
                documents,
                old.versions,
                new.versions,
                people,
                self.locales,
            )
            if derived is not None:
                carried[key] = derived
        return carried

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

    def built_preview(self) -> ContentView | None:
        """The preview view if somebody has asked for it already (else ``None``: nothing
        builds it for a change's sake)."""
        return self._preview

    @property
    def preview(self) -> ContentView:
        """Everything, drafts and future posts included: built on the first preview request."""
        view = self._preview
        if view is None:
            people = self.published.authors
            default = self.locales.default if self.locales is not None else None
            pages = (page for page in self.pages_by_path.values() if page.locale == default)
            built = ContentView.build(pages, people, locale=default)
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

    def view_in(
        self,
        code: str | None,
        *,
        preview: bool = False,
        fallback: bool = True,
        now: datetime | None = None,
    ) -> tuple[ContentView, str]:
        """What an audience sees in locale ``code`` (``None``: the default), and a version
        naming it (see ``public_view``). On a site of one locale, or in the default locale
        with fallback, this is ``preview`` or ``public_view``; another locale's view is made
        on its first request and kept (``api.content.model.locale_views``)."""
        locales = self.locales
        public, version = self.public_view(now) if not preview else (self.preview, self.version)
        if locales is None or ((code is None or code == locales.default) and fallback):
            return public, version
        code = code or locales.default
        step = version[len(self.version) :]
        key = (code, preview, fallback, step)
        view = self._locale_views.get(key)
        if view is None:
            cutoff = None
            if not preview and self.options.hide_future_posts:
                position = bisect_right(self._post_dates, now or utc_now())
                cutoff = (
                    self._post_dates[position - 1] if position else datetime.min.replace(tzinfo=UTC)
                )
            people = self.people_by_path.values()
            if cutoff is None:  # the audience's groups, kept and derived with the snapshot
                view = build_locale_view(
                    self._groups(preview).versions, people, code, locales, fallback=fallback
                )
            else:
                pages = [
                    page
                    for page in self.pages_by_path.values()
                    if not page.is_draft
                    and (page.date is None or page.type != POST_TYPE or page.date <= cutoff)
                ]
                view = build_locale_view(pages, people, code, locales, fallback=fallback)
            with self._lock:
                view = self._locale_views.setdefault(key, view)
        return view, version

    def versions(self, *, preview: bool = False) -> Versions:
        """Every document's versions by locale an audience may see (for ``translations``)."""
        return self._groups(preview).versions

    def versions_of(self, page: Page, *, preview: bool = False) -> Mapping[str, Page]:
        """The versions, by locale, of the document ``page`` is a version of."""
        return self._groups(preview).of_path(page.path)

    def _groups(self, preview: bool) -> VersionGroups:
        found = self._version_groups.get(preview)
        if found is None:
            found = VersionGroups.of(self.pages_by_path.values(), preview=preview)
            with self._lock:
                found = self._version_groups.setdefault(preview, found)
        return found

    def site_in(self, code: str | None) -> dict[str, Mapping[str, Any]]:
        """The site files (``config``, ``style``) in locale ``code``: its translations where
        they exist, each field it lacks filled from the chain."""
        locales = self.locales
        if locales is None or code is None or code == locales.default:
            return dict(self.site)
        found: dict[str, Mapping[str, Any]] = {}
        for name in ("config", "style"):
            versions = [
                self.site_translations[f"data/{name}.{other}.json"]
                for other in locales.chain(code)[:-1]
                if f"data/{name}.{other}.json" in self.site_translations
            ]
            if name in self.site:
                versions.append(self.site[name])
            if versions:
                merged = dict(versions[0])
                for later in versions[1:]:
                    for key, value in later.items():
                        merged.setdefault(key, value)
                found[name] = merged
        return found

    def serves(self, path: str) -> bool:
        """Whether some version of the file at ``path`` is served (to someone: drafts too)."""
        return (
            path in self.pages_by_path
            or path in self.people_by_path
            or (path in SITE_PATHS and path.rsplit("/", 1)[-1].removesuffix(".json") in self.site)
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


__all__ = ["Snapshot", "SnapshotOptions", "utc_now"]
