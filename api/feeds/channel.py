"""What a feed says about the site: its title, description, language, icon and blog page.

The content model has no "site title" field, so it is read where the theme
itself shows one: the ``og:site_name`` meta tag, the ``titleSuffix`` appended
to page titles, the header's title. The description is the blog page's (or the
home page's) meta description, which is what a search result shows for the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from api.content.documents import Documents
from api.content.model import keys as content_keys

BLOG_PATH = "/blog"
HOME_PATH = "/"
FALLBACK_TITLE = "Blog"


@dataclass(frozen=True, slots=True)
class SiteIdentity:
    title: str
    description: str
    home_path: str  # the front end's page listing the posts
    language: str | None  # BCP 47, e.g. ``en-US``
    icon: str | None  # the favicon's URL as the configuration writes it

    @classmethod
    def of(cls, documents: Documents) -> SiteIdentity:
        config = documents.site(site_url="").get("config") or {}  # only the configuration is read
        meta = _meta_tags(config.get("defaultMetaTags"))
        header = config.get("header")
        title = _first_text(
            meta.get("og:site_name"),
            config.get("titleSuffix"),
            header.get("title") if isinstance(header, Mapping) else None,
            _page_field(documents, HOME_PATH, "metaTitle"),
        )
        title = title or FALLBACK_TITLE
        description = _first_text(
            _page_field(documents, BLOG_PATH, "metaDescription"),
            _page_field(documents, HOME_PATH, "metaDescription"),
            meta.get("og:description"),
            meta.get("description"),
        )
        locale = _first_text(meta.get("og:locale"))
        icon = _first_text(config.get("favicon"))
        return cls(
            title=title,
            description=description or f"The newest posts of {title}",
            home_path=_home_path(documents),
            language=locale.replace("_", "-") if locale else None,
            icon=icon,
        )


def _meta_tags(tags: Any) -> dict[str, Any]:
    """``defaultMetaTags`` as ``{property: content}``."""
    if not isinstance(tags, Iterable) or isinstance(tags, str | bytes | Mapping):
        return {}
    return {
        tag["property"]: tag.get("content")
        for tag in tags
        if isinstance(tag, Mapping) and isinstance(tag.get("property"), str)
    }


def _home_path(documents: Documents) -> str:
    """The front end's page listing the posts: the blog's, else the home page's (in the
    feed's locale: ``/de/blog``)."""
    for path in (BLOG_PATH, HOME_PATH):
        page = documents.page_at(path)
        if page is not None:
            return page.url
    return HOME_PATH


def _page_field(documents: Documents, path: str, key: str) -> Any:
    """A field of the page at ``path`` (recorded as a content key of the feed)."""
    page = documents.page_at(path)
    if page is None:
        documents.uses(content_keys.PAGES)  # it may come
        return None
    documents.uses(content_keys.page_key(page.path))
    return page.fields.get(key)


def _first_text(*candidates: Any) -> str | None:
    """The first candidate that is a non-blank string, stripped."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return None
