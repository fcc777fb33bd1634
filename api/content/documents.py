"""The documents the API serves, assembled from a snapshot for one audience.

This is where references become objects and sections get what the theme's
resolvers would give them: a ``RecentPostsSection`` its newest posts (never the
post it sits on), a ``FeaturedPostsSection`` its referenced posts in order.
Embedded posts and projects are summaries, never whole pages, so nothing
recurses.

The output is the answer as it goes on the wire (the schemas of ``api.schemas``
document it and do not reshape it): every object keeps every field of its file in
the file's order (a theme's front end may build CSS classes in key order), a
resolved reference takes the place of the path, and what the API derives comes
after the file's own fields, always in the same order: ``type`` (when the file
does not name it), ``slug``, ``url``, ``name``, ``postCount``, ``html``, ``toc``,
``readingTime``, ``wordCount``, ``markdown``, ``tags`` (a post summary's, when the
file has none), then ``items`` and ``pagination`` or ``prevProject`` and
``nextProject``. Nothing is ``null``: a value the API does
not have is left out.

Every method records the content keys of what it puts in the answer
(``api.content.model.keys``): the response cache, ``Cache-Tag`` and purges rely on
them, so anything an answer shows is read through a method that records it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import islice
from typing import Any

from api.content.model import keys as k
from api.content.model.items import Page, Person
from api.content.model.locale_views import document_of, translations_id, translations_of
from api.content.model.pagination import PageInfo, page_of
from api.content.model.rendering import reading_time
from api.content.model.snapshot import Snapshot
from api.content.model.views import ContentView
from api.content.source.locales import Locales
from api.content.source.model_types import (
    FEATURED_POSTS,
    FEATURED_PROJECTS,
    FEED_PAGE_SIZE_FIELDS,
    POST_FEED_TYPE,
    POST_TYPE,
    PROJECT_FEED_TYPE,
    PROJECT_TYPE,
    RECENT_POSTS,
    RECENT_PROJECTS,
    SECTION_LISTS,
)
from api.content.source.parsing import has_body
from api.content.source.paths import normalise_url_path, reference_key, tag_slug

DEFAULT_RECENT_COUNT = 3
DEFAULT_PAGE_SIZE = 10
MAX_EMBEDDED_ITEMS = 100

# The file's fields each summary shows (in the file's order; ``type`` is always in the
# normalised data, where the file has it or, derived, after the file's own fields).
AUTHOR_SUMMARY_FIELDS = frozenset({"type", "firstName", "lastName", "image"})
POST_SUMMARY_FIELDS = frozenset(
    {"type", "title", "date", "excerpt", "featuredImage", "author", "tags", "isDraft"}
)
PROJECT_SUMMARY_FIELDS = frozenset(
    {"type", "title", "date", "client", "description", "featuredImage"}
)


class Documents:
    """Builds response documents from one snapshot, as one audience (public or preview) sees it."""

    def __init__(
        self,
        snapshot: Snapshot,
        view: ContentView,
        keys: set[str] | None = None,
        *,
        preview: bool = False,
    ) -> None:
        self.snapshot = snapshot
        self.view = view
        self.keys: set[str] = set() if keys is None else keys
        self.preview = preview
        locales = snapshot.locales
        self.locales = locales  # None: a site of one locale, whose answers have no locale fields
        # A locale's own lists, tags and site have keys of their own (k.localized).
        self._locale = view.locale if locales and view.locale != locales.default else None

    def uses(self, *keys: str) -> None:
        """Record content keys the answer being built depends on (in this view's locale)."""
        if self._locale is None:
            self.keys.update(keys)
        else:
            self.keys.update(k.localized(key, self._locale) for key in keys)

    def _uses_page(self, page: Page) -> None:
        """A page's key, and those of the versions its fields were filled from."""
        self.uses(k.page_key(page.path), *(k.page_key(path) for path in page.sources))

    def author_of(self, page: Page) -> Person | None:
        """The page's author as this view shows them (a locale's version of the person)."""
        if page.author_slug is None:
            return None
        return self.view.authors_by_slug.get(page.author_slug)

    def _locale_fields(self, item: Page | Person, document: dict[str, Any]) -> None:
        """On a site of several locales: which locale's version this is, the other versions
        (``translations``) and the fields filled from the locale's chain."""
        locales = self.locales
        if locales is None:
            return
        document["locale"] = item.locale
        if isinstance(item, Page):
            versions = self.snapshot.versions_of(item, preview=self.preview)
            self.keys.add(k.translations_key(translations_id(item)))  # the same in every locale
            document["translations"] = translations_of(item, versions, locales)
        if item.fallback_fields:
            document["fallbackFields"] = list(item.fallback_fields)

    # Lists

    def posts(
        self, *, sort: str = "-date", author: str | None = None, tag: str | None = None
    ) -> tuple[Page, ...]:
        """Posts in ``sort`` order, filtered by author and tag slugs (see ``ContentView``).

        A filtered list depends on its author's or tag's posts only (their keys change when
        one of those posts comes, goes or moves), not on every post of the site.
        """
        by_title = sort in ("title", "-title")
        if author is None and tag is None:
            self.uses(k.POSTS_BY_TITLE if by_title else k.POSTS)
        elif by_title:
            self.uses(k.POSTS_BY_TITLE)  # a title edit can move a post within the filtered list
        if author is not None:
            self.uses(k.author_posts_key(author))
        if tag is not None:
            tag = tag_slug(tag)  # any spelling of the tag's name finds it
            self.uses(k.tag_key(tag))
        return self.view.list_posts(sort=sort, author=author, tag=tag)

    def recent_posts(self, limit: int, exclude: str | None = None) -> tuple[Page, ...]:
        """The ``limit`` newest posts (see ``ContentView``); recorded as the newest posts only,
        so that adding or deleting an older post keeps every recent-posts section cached."""
        self.uses(k.RECENT if limit + 1 <= k.RECENT_WINDOW else k.POSTS)
        return self.view.recent_posts(limit, exclude)

    def projects(self) -> tuple[Page, ...]:
        """The projects, newest first (ties by slug); recorded as the project list."""
        self.uses(k.PROJECTS)
        return self.view.projects

    def authors(self) -> tuple[Person, ...]:
        self.uses(k.AUTHORS)
        return self.view.authors

    # People

    def author_summary(self, person: Person) -> dict[str, Any]:
        self.uses(k.person_key(person.path))
        summary = {
            key: value for key, value in person.fields.items() if key in AUTHOR_SUMMARY_FIELDS
        }
        summary["slug"] = person.slug
        summary["name"] = person.name
        return summary

    def author(self, person: Person) -> dict[str, Any]:
        self.uses(k.person_key(person.path), k.author_posts_key(person.slug))
        document = {
            **person.fields,
            "slug": person.slug,
            "name": person.name,
            "postCount": len(self.view.posts_by_author.get(person.slug, ())),
        }
        self._locale_fields(person, document)
        return document

    # Posts and projects

    def post_summary(self, post: Page) -> dict[str, Any]:
        self._uses_page(post)
        summary: dict[str, Any] = {}
        for key, value in post.fields.items():
            if key not in POST_SUMMARY_FIELDS:
                continue
            if key == "author":
                person = self.author_of(post)
                if person is not None:
                    summary[key] = self.author_summary(person)
            elif key == "isDraft":
                if post.is_draft:
                    summary[key] = True
            else:
                summary[key] = value
        summary["slug"] = post.slug
        summary["url"] = post.url
        if has_body(post.body):
            words = self.snapshot.word_count(post)
            summary["readingTime"] = reading_time(words)
            summary["wordCount"] = words
        if "tags" not in summary:
            summary["tags"] = list(post.tags)
        if self.locales is not None:
            summary["locale"] = post.locale
        return summary

    def post_summaries(self, posts: Sequence[Page]) -> list[dict[str, Any]]:
        return [self.post_summary(post) for post in posts]

    def project_summary(self, project: Page) -> dict[str, Any]:
        self._uses_page(project)
        summary = {
            key: value for key, value in project.fields.items() if key in PROJECT_SUMMARY_FIELDS
        }
        summary["slug"] = project.slug
        summary["url"] = project.url
        if self.locales is not None:
            summary["locale"] = project.locale
        return summary

    def post(self, post: Page, *, include_markdown: bool = False) -> dict[str, Any]:
        document = self.page_document(post, include_markdown=include_markdown)
        if "author" in document:  # the reference, resolved in its place
            person = self.author_of(post)
            if person is not None:
                document["author"] = self.author(person)
            else:
                del document["author"]
        return document

    # Pages

    def page(
        self,
        page: Page,
        *,
        page_number: int = 1,
        page_size: int | None = None,
        include_markdown: bool = False,
    ) -> tuple[dict[str, Any], PageInfo | None]:
        """Any page as its layout's resolvers would fill it; feeds get a page of their items.

        ``page_size`` (from the query) overrides a feed page's own page size
        (``numOfPostsPerPage``...; 10 when the file has none). Returns the document and,
        for a feed page, where its items page sits.
        """
        if page.type == POST_TYPE:
            return self.post(page, include_markdown=include_markdown), None
        document = self.page_document(page, include_markdown=include_markdown)
        if page.type == POST_FEED_TYPE:
            self.uses(k.POSTS)  # its pagination counts every post
            size = page_size or _feed_page_size(document, page.type, len(self.view.posts))
            posts, info = page_of(self.view.posts, page_number, size)
            document.update(items=self.post_summaries(posts), pagination=info.as_dict())
            return document, info
        if page.type == PROJECT_FEED_TYPE:
            self.uses(k.PROJECTS)
            size = page_size or _feed_page_size(document, page.type, len(self.view.projects))
            projects, info = page_of(self.view.projects, page_number, size)
            document.update(
                items=[self.project_summary(p) for p in projects], pagination=info.as_dict()
            )
            return document, info
        if page.type == PROJECT_TYPE:
            document.update(self._neighbours(page))
        return document, None

    def _neighbours(self, project: Page) -> dict[str, Any]:
        """``nextProject`` is the next newer project, ``prevProject`` the next older one."""
        self.uses(k.PROJECTS)
        projects = self.view.projects
        index = next((i for i, p in enumerate(projects) if p.path == project.path), None)
        if index is None:
            return {}
        neighbours = {}  # in the order the theme's own resolver adds them
        if index + 1 < len(projects):
            neighbours["prevProject"] = self.project_summary(projects[index + 1])
        if index > 0:
            neighbours["nextProject"] = self.project_summary(projects[index - 1])
        return neighbours

    def page_at(self, url_path: str) -> Page | None:
        """The page this audience sees at a URL path (trailing slashes and case aside); in a
        locale, the default locale's URL of a document finds the locale's version."""
        key = normalise_url_path(url_path)
        if key is None:
            return None
        found = self.view.pages_by_url.get(key)
        if found is None and self._locale is not None:
            self.uses(k.PAGES)  # that URL may come to be this locale's own
            default = self.snapshot.published.pages_by_url.get(key)
            if default is not None:
                found = self.view.pages_by_document.get(document_of(default))
        return found

    def url_locale(self, url_path: str) -> str | None:
        """The declared locale a URL path is in by its first segment (``/de/...``), if it is
        not the default; ``None`` on a site of one locale."""
        if self.locales is None:
            return None
        first = url_path.strip("/").split("/", 1)[0]
        code = self.locales.canonical(first) if first else None
        return code if code != self.locales.default else None

    def post_by_slug(self, slug: str) -> Page | None:
        """A post by its slug in this view's locale, or by its default-locale slug."""
        found = self.view.posts_by_slug.get(slug)
        if found is None and self._locale is not None:
            self.uses(k.POSTS)  # that slug may come to be this locale's own
            default = self.snapshot.published.posts_by_slug.get(slug)
            if default is not None:
                found = self.view.posts_by_path.get(document_of(default))
        return found

    def locales_overview(self) -> dict[str, Any]:
        """The declared locales, each with its fallback, how many documents have a version in
        it, and the default-locale files with none (``/api/locales``); no locale at all on a
        site of one."""
        locales = self.locales
        self.keys.add(k.LOCALES)
        if locales is None:
            return {"items": []}
        self.keys.add(k.ANY_PAGE)  # which documents have which versions
        versions = self.snapshot.versions(preview=self.preview)
        fallbacks = dict(locales.fallbacks)
        items = []
        for code in locales.codes:
            missing = sorted(
                found[locales.default].path
                for found in versions.values()
                if locales.default in found and code not in found
            )
            item: dict[str, Any] = {"code": code}
            if code != locales.default:
                item["fallback"] = fallbacks.get(code) or locales.default
            item["documents"] = sum(1 for found in versions.values() if code in found)
            item["missing"] = missing
            items.append(item)
        return {"defaultLocale": locales.default, "items": items}

    def paths(self) -> list[dict[str, Any]]:
        """Every page this audience may see: its URL path, model type and title (if any); on
        a site of several locales, every locale's (each with its ``locale``)."""
        locales = self.locales
        views = [self.view]
        if locales is not None:
            views = [
                self.snapshot.view_in(code, preview=self.preview, fallback=self.view.fallback)[0]
                for code in locales.codes
            ]
        paths = []
        for view in views:
            self.keys.add(
                k.PAGES
                if view.locale in (None, _default(locales))
                else k.localized(k.PAGES, view.locale or "")
            )
            for page in sorted(view.pages_by_url.values(), key=lambda page: page.url):
                path = {"path": page.url, "type": page.type}
                if page.title:
                    path["title"] = page.title
                if locales is not None:
                    path["locale"] = view.locale
                paths.append(path)
        return paths

    def site(self, site_url: str) -> dict[str, Any]:
        self.uses(k.CONFIG, k.STYLE)
        found = self.snapshot.site_in(self.view.locale)
        site: dict[str, Any] = {key: found[key] for key in ("config", "style") if key in found}
        site["siteUrl"] = site_url
        if self.locales is not None:
            site["locale"] = self.view.locale
        return site

    def page_document(self, page: Page, *, include_markdown: bool = False) -> dict[str, Any]:
        """A page's fields, sections filled, then its derived fields and rendered body.

        A page without a Markdown body has no ``html``, ``toc``, reading time, word
        count or ``markdown``; ``markdown`` is the body exactly as the file has it.
        """
        self._uses_page(page)
        document: dict[str, Any] = page.fields
        for key in SECTION_LISTS:
            sections = document.get(key)
            if isinstance(sections, list):
                document[key] = [self.section(section, page) for section in sections]
        document["slug"] = page.slug
        document["url"] = page.url
        if has_body(page.body):
            rendered = self.snapshot.rendered(page)
            words = self.snapshot.word_count(page)
            document["html"] = rendered.html
            document["toc"] = [
                {"id": e.id, "title": e.title, "level": e.level} for e in rendered.toc
            ]
            document["readingTime"] = reading_time(words)
            document["wordCount"] = words
            if include_markdown:
                document["markdown"] = page.body
        self._locale_fields(page, document)
        return document

    def section(self, section: Any, page: Page) -> Any:
        """A section with the posts or projects it shows filled in."""
        if not isinstance(section, Mapping):
            return section
        kind = section.get("type")
        if kind == RECENT_POSTS:
            exclude = page.slug if page.type == POST_TYPE else None
            posts = self.recent_posts(_count(section), exclude=exclude)
            return {**section, "posts": self.post_summaries(posts)}
        if kind == FEATURED_POSTS:
            posts = self._referenced(section.get("posts"), self.view.posts_by_path)
            return {**section, "posts": self.post_summaries(posts)}
        if kind == RECENT_PROJECTS:
            self.uses(k.PROJECTS)
            others = (project for project in self.view.projects if project.path != page.path)
            projects = list(islice(others, _count(section)))
            return {**section, "projects": [self.project_summary(p) for p in projects]}
        if kind == FEATURED_PROJECTS:
            projects = self._referenced(section.get("projects"), self.view.projects_by_path)
            return {**section, "projects": [self.project_summary(p) for p in projects]}
        return section

    def _referenced(self, references: Any, pages_by_path: Mapping[str, Page]) -> list[Page]:
        """The referenced pages this audience may see, in the file's order.

        Each reference's key is recorded, shown or not: a draft that is published
        later changes what the section shows.
        """
        if not isinstance(references, list):
            return []
        found = []
        for reference in references[:MAX_EMBEDDED_ITEMS]:
            key = reference_key(reference) if isinstance(reference, str) else None
            if key is None:
                continue
            self.uses(k.page_key(key))
            page = pages_by_path.get(key)
            if page is not None:
                found.append(page)
        return found


def _default(locales: Locales | None) -> str | None:
    return locales.default if locales is not None else None


def _count(section: Mapping[str, Any]) -> int:
    """``recentCount``, defaulting to 3 and kept within 0..100."""
    count = section.get("recentCount", DEFAULT_RECENT_COUNT)
    if isinstance(count, bool) or not isinstance(count, int | float):
        count = DEFAULT_RECENT_COUNT
    return max(0, min(int(count), MAX_EMBEDDED_ITEMS))


def _feed_page_size(document: Mapping[str, Any], layout: str, total: int) -> int:
    """A feed page's own page size: its ``numOfPostsPerPage`` (or ``numOfProjectsPerPage``),
    0 meaning every item on one page, as the themes' own resolvers read it; else 10.

    The loader has checked the value is a whole number, 0 or more.
    """
    size = document.get(FEED_PAGE_SIZE_FIELDS[layout])
    if isinstance(size, bool) or not isinstance(size, int | float) or size < 0:
        return DEFAULT_PAGE_SIZE
    return int(size) or max(total, 1)
