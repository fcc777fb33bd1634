"""Writing the OpenAPI document's examples: real answers of the bundled sample site.

``python -m api.example_answers`` (``make spec`` runs it) asks an app over the bundled
``content/`` for each example request and writes ``api/openapi_examples.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.test import TestResponse

from api.app import create_app
from api.feeds import sitemap
from api.web.spec_examples import EXAMPLES_FILE

BUNDLED_CONTENT = Path(__file__).resolve().parent.parent / "content"


# operationId -> the request on the bundled site whose answer is its example
EXAMPLE_REQUESTS = {
    "listPosts": "/api/posts?page_size=2",
    "listRecentPosts": "/api/posts/recent?limit=2",
    "getPost": "/api/posts/ai-security-and-the-end-of-silos",
    "listAuthors": "/api/authors?page_size=1",
    "getAuthor": "/api/authors/jason-hand",
    "listAuthorPosts": "/api/authors/jason-hand/posts?page_size=1",
    "getPage": "/api/pages?path=/about",
    "listProjects": "/api/projects",
    "getProject": "/api/projects/incident-review-toolkit",
    "listPagePaths": "/api/pages/paths",
    "getSite": "/api/site",
    "getApiIndex": "/api",
    "getRssFeed": "/api/feed.xml?tag=testing",
    "getAtomFeed": "/api/feed.atom?tag=testing",
    "getJsonFeed": "/api/feed.json?tag=testing",
    "getSitemap": "/api/sitemap.xml",
    "getSitemapIndex": "/api/sitemap.xml",
    "getSitemapPart": "/api/sitemaps/2.xml",
    "listStackbitPaths": "/api/stackbit/paths",
    "getStackbitProps": "/api/stackbit/props?path=/projects/incident-review-toolkit",
    "search": "/api/search?q=silos&page_size=2",
    "listTags": "/api/tags",
    "getTag": "/api/tags/on-call",
    "listTagPosts": "/api/tags/on-call/posts?page_size=1",
    "listRelatedPosts": "/api/posts/ai-security-and-the-end-of-silos/related",
}


# Answered with the sitemap split at this many URLs per file, so that the small bundled
# site shows the index form and a part (a site is split at 50,000).
SPLIT_SITEMAP_EXAMPLES = {"getSitemapIndex": 10, "getSitemapPart": 10}


def answer_of(response: TestResponse) -> Any:
    """A body as an example: the parsed JSON, or the text of a feed or sitemap."""
    return response.get_json() if response.is_json else response.get_data(as_text=True)


@contextmanager
def sitemap_split_at(urls_per_file: int | None) -> Iterator[None]:
    """Lower the sitemap's URLs per file while an example is built (``None``: as it is)."""
    kept = sitemap.MAX_URLS_PER_FILE
    sitemap.MAX_URLS_PER_FILE = urls_per_file or kept
    try:
        yield
    finally:
        sitemap.MAX_URLS_PER_FILE = kept


def collect_examples() -> dict[str, Any]:
    """Ask an app over the bundled site for each example request."""
    collected = {}
    clients = {}  # one app per split: answers are cached by URL, and a split changes them
    for operation, url in EXAMPLE_REQUESTS.items():
        split = SPLIT_SITEMAP_EXAMPLES.get(operation)
        with sitemap_split_at(split):
            if split not in clients:
                app = create_app({"content_dir": BUNDLED_CONTENT, "content_watch": False})
                clients[split] = app.test_client()
            response = clients[split].get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        collected[operation] = answer_of(response)
    return collected


def write_examples() -> None:
    text = json.dumps(collect_examples(), indent=2, ensure_ascii=False, sort_keys=True)
    EXAMPLES_FILE.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_examples()
    print(f"wrote {EXAMPLES_FILE}")
