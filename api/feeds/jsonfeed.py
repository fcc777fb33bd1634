"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) from the shared entry list.

Plain data in the shape of ``api.schemas.answers.feed_documents.JsonFeedSchema`` (which documents
it and does not reshape it), leaving out what a post does not have, as the spec
asks: no ``null``s. Field names are the spec's own (``content_html``,
``date_published``), not camelCase.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.feeds.entries import Feed, FeedEntry

MEDIA_TYPE = "application/feed+json"
VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(feed: Feed) -> dict[str, Any]:
    """The feed as a JSON Feed 1.1 document."""
    return _present(
        {
            "version": VERSION,
            "title": feed.title,
            "home_page_url": feed.home_url,
            "feed_url": feed.self_url,
            "description": feed.description,
            "favicon": feed.icon,
            "language": feed.language,
            "authors": [{"name": feed.site_name}],
            "items": [_item(entry) for entry in feed.entries],
        }
    )


def _item(entry: FeedEntry) -> dict[str, Any]:
    author = entry.author
    return _present(
        {
            "id": entry.id,
            "url": entry.url,
            "title": entry.title,
            "content_html": entry.content_html,
            "summary": entry.summary,
            "image": entry.image,
            "date_published": rfc3339(entry.published) if entry.published else None,
            "authors": [{"name": author.name, "avatar": author.avatar}] if author else None,
            "tags": list(entry.tags) or None,
        }
    )


def _present(document: dict[str, Any]) -> dict[str, Any]:
    """Without the fields that have no value (``None``), here and in the authors listed."""
    present = {key: value for key, value in document.items() if value is not None}
    if isinstance(present.get("authors"), list):
        present["authors"] = [
            {key: value for key, value in author.items() if value is not None}
            for author in present["authors"]
        ]
    return present


def rfc3339(moment: datetime) -> str:
    """``2025-01-30T00:00:00Z``: RFC 3339, in UTC."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
