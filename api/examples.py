"""Examples for the OpenAPI document: real answers of the bundled sample site.

They live in ``openapi_examples.json`` beside this module (committed, so the
document does not depend on which content a server runs on) and are written by
``flask --app api content examples``; a test checks they still equal what the
bundled site answers.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).resolve().parent / "openapi_examples.json"
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
    "listPagePaths": "/api/pages/paths",
    "getSite": "/api/site",
    "search": "/api/search?q=silos&page_size=2",
    "listTags": "/api/tags",
    "getTag": "/api/tags/on-call",
    "listTagPosts": "/api/tags/on-call/posts?page_size=1",
    "listRelatedPosts": "/api/posts/ai-security-and-the-end-of-silos/related",
}


@cache
def examples() -> dict[str, Any]:
    if not EXAMPLES_FILE.is_file():
        return {}
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def collect_examples() -> dict[str, Any]:
    """Ask an app over the bundled site for each example request."""
    from api import create_app

    client = create_app({"content_dir": BUNDLED_CONTENT, "content_watch": False}).test_client()
    collected = {}
    for operation, url in EXAMPLE_REQUESTS.items():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        collected[operation] = response.get_json()
    return collected


def write_examples() -> None:
    text = json.dumps(collect_examples(), indent=2, ensure_ascii=False, sort_keys=True)
    EXAMPLES_FILE.write_text(text + "\n", encoding="utf-8")
