"""The documents the API serves, assembled from a snapshot for one audience.

This is where references become objects and sections get what the theme's
resolvers would give them: a ``RecentPostsSection`` its newest posts (never the
post it sits on), a ``FeaturedPostsSection`` its referenced posts in order.
Embedded posts and projects are summaries, never whole pages, so nothing
recurses. The output is plain data in the shape of ``api.schemas``; the schemas
shape it for the wire.

Every method records the content keys of what it puts in the answer
(``api.content.keys``): the response cache, ``Cache-Tag`` and purges rely on
them, so anything an answer shows is read through a method that records it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import islice
from typing import Any

from api.content import keys as k
from api.content.index import ContentView, Snapshot
from api.content.models import Page, Person
from api.content.pagination import PageInfo, page_of
from api.content.paths import reference_key
from api.content.rendering import reading_time

DEFAULT_RECENT_COUNT = 3
MAX_EMBEDDED_ITEMS = 100
SECTION_LISTS = ("sections", "topSections", "bottomSections")


class Documents:
    """Builds response documents from one snapshot, as one audience (public or preview) sees it."""

    def __init__(self, snapshot: Snapshot, view: ContentView, keys: set[str] | None = None) -> None:
        self.snapshot = snapshot
        self.view = view
        self.keys: set[str] = set() if keys is None else keys

    def uses(self, *keys: str) -> None:
        """Record content keys the answer being built depends on."""
        self.keys.update(keys)

    # Lists

    def posts(
        self, *, sort: str = "-date", author: str | None = None, tag: str | None = None
    ) -> tuple[Page, ...]:
        """Posts in ``sort`` order, filtered by author and tag slugs (see ``ContentView``)."""
        self.uses(k.POSTS_BY_TITLE if sort in ("title", "-title") else k.POSTS)
        if author is not None:
            self.uses(k.author_posts_key(author))
        if tag is not None:
            self.uses(k.tag_key(tag))
        return self.view.list_posts(sort=sort, author=author, tag=tag)

    def recent_posts(self, limit: int, exclude: str | None = None) -> tuple[Page, ...]:
        self.uses(k.POSTS)
        return self.view.recent_posts(limit, exclude)

    def authors(self) -> tuple[Person, ...]:
        self.uses(k.AUTHORS)
        return self.view.authors

    # People

    def author_summary(self, person: Person) -> dict[str, Any]:
        self.uses(k.person_key(person.path))
        fields = person.fields
        return {
            "slug": person.slug,
            "name": person.name,
            "firstName": fields.get("firstName"),
            "lastName": fields.get("lastName"),
            "image": fields.get("image"),
        }

    def author(self, person: Person) -> dict[str, Any]:
        self.uses(k.person_key(person.path), k.author_posts_key(person.slug))
        return {
            **person.fields,
            "slug": person.slug,
            "name": person.name,
            "postCount": len(self.view.posts_by_author.get(person.slug, ())),
        }

    # Posts and projects

    def post_summary(self, post: Page) -> dict[str, Any]:
        self.uses(k.page_key(post.path))
        fields = post.fields
        words = self.snapshot.word_count(post)
        person = self.snapshot.author_of(post)
        return {
            "slug": post.slug,
            "url": post.url,
            "title": fields.get("title"),
            "date": fields.get("date"),
            "excerpt": fields.get("excerpt"),
            "featuredImage": fields.get("featuredImage"),
            "author": self.author_summary(person) if person else None,
            "readingTime": reading_time(words),
            "wordCount": words,
            "tags": list(post.tags),
            "isDraft": True if post.is_draft else None,
        }

    def post_summaries(self, posts: Sequence[Page]) -> list[dict[str, Any]]:
        return [self.post_summary(post) for post in posts]

    def project_summary(self, project: Page) -> dict[str, Any]:
        self.uses(k.page_key(project.path))
        fields = project.fields
        summary = {"slug": project.slug, "url": project.url}
        for key in ("title", "date", "client", "description", "featuredImage"):
            summary[key] = fields.get(key)
        return summary

    def post(self, post: Page, *, include_markdown: bool = False) -> dict[str, Any]:
        document = self.page_document(post, include_markdown=include_markdown)
        person = self.snapshot.author_of(post)
        document["author"] = self.author(person) if person else None
        return document

    # Pages

    def page(
        self,
        page: Page,
        *,
        page_number: int = 1,
        page_size: int = 10,
        include_markdown: bool = False,
    ) -> tuple[dict[str, Any], PageInfo | None]:
        """Any page as its layout's resolvers would fill it; feeds get a page of their items.

        Returns the document and, for a feed page, where its items page sits.
        """
        if page.type == "PostLayout":
            return self.post(page, include_markdown=include_markdown), None
        document = self.page_document(page, include_markdown=include_markdown)
        if page.type == "PostFeedLayout":
            self.uses(k.POSTS)
            posts, info = page_of(self.view.posts, page_number, page_size)
            document.update(items=self.post_summaries(posts), pagination=info.as_dict())
            return document, info
        if page.type == "ProjectFeedLayout":
            self.uses(k.PROJECTS)
            projects, info = page_of(self.view.projects, page_number, page_size)
            document.update(
                items=[self.project_summary(p) for p in projects], pagination=info.as_dict()
            )
            return document, info
        if page.type == "ProjectLayout":
            document.update(self._neighbours(page))
        return document, None

    def _neighbours(self, project: Page) -> dict[str, Any]:
        """``nextProject`` is the next newer project, ``prevProject`` the next older one."""
        self.uses(k.PROJECTS)
        projects = self.view.projects
        index = next((i for i, p in enumerate(projects) if p.path == project.path), None)
        if index is None:
            return {}
        neighbours = {}
        if index > 0:
            neighbours["nextProject"] = self.project_summary(projects[index - 1])
        if index + 1 < len(projects):
            neighbours["prevProject"] = self.project_summary(projects[index + 1])
        return neighbours

    def paths(self) -> list[dict[str, Any]]:
        """Every page this audience may see: its URL path, model type and title."""
        self.uses(k.PAGES)
        pages = sorted(self.view.pages_by_url.values(), key=lambda page: page.url)
        return [{"path": p.url, "type": p.type, "title": p.title or None} for p in pages]

    def site(self, site_url: str) -> dict[str, Any]:
        self.uses(k.CONFIG, k.STYLE)
        return {
            "config": self.snapshot.site.get("config"),
            "style": self.snapshot.site.get("style"),
            "siteUrl": site_url,
        }

    def page_document(self, page: Page, *, include_markdown: bool = False) -> dict[str, Any]:
        """A page's fields, its derived fields and rendered body, sections filled."""
        self.uses(k.page_key(page.path))
        rendered = self.snapshot.rendered(page)
        words = self.snapshot.word_count(page)
        document: dict[str, Any] = page.fields
        for key in SECTION_LISTS:
            sections = document.get(key)
            if isinstance(sections, list):
                document[key] = [self.section(section, page) for section in sections]
        document.update(
            slug=page.slug,
            url=page.url,
            html=rendered.html,
            toc=[{"id": e.id, "title": e.title, "level": e.level} for e in rendered.toc],
            readingTime=reading_time(words),
            wordCount=words,
        )
        if include_markdown:
            document["markdown"] = page.body
        return document

    def section(self, section: Any, page: Page) -> Any:
        """A section with the posts or projects it shows filled in."""
        if not isinstance(section, Mapping):
            return section
        kind = section.get("type")
        if kind == "RecentPostsSection":
            exclude = page.slug if page.type == "PostLayout" else None
            posts = self.recent_posts(_count(section), exclude=exclude)
            return {**section, "posts": self.post_summaries(posts)}
        if kind == "FeaturedPostsSection":
            posts = self._referenced(section.get("posts"), self.view.posts_by_path)
            return {**section, "posts": self.post_summaries(posts)}
        if kind == "RecentProjectsSection":
            self.uses(k.PROJECTS)
            others = (project for project in self.view.projects if project.path != page.path)
            projects = list(islice(others, _count(section)))
            return {**section, "projects": [self.project_summary(p) for p in projects]}
        if kind == "FeaturedProjectsSection":
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


def _count(section: Mapping[str, Any]) -> int:
    """``recentCount``, defaulting to 3 and kept within 0..100."""
    count = section.get("recentCount", DEFAULT_RECENT_COUNT)
    if isinstance(count, bool) or not isinstance(count, int | float):
        count = DEFAULT_RECENT_COUNT
    return max(0, min(int(count), MAX_EMBEDDED_ITEMS))
