"""The app factory: it only wires the parts, each of which sets itself up (``init_app``).

The order is the data flow: the content is loaded, the search index follows it, the API
documents and serves it, the delivery layer fronts it, and propagation tells the world of
each change. Background work (watching the content, event streams) is a list of hooks in
``app.extensions["on_worker_start"]``, run here or, under ``make serve``, in each worker
forked after the load. Logging is set up by the entry points (``api.serve``,
``api.develop``, the ``flask content`` commands), never here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from api import editing, propagation, search, stackbit
from api.cli import content_cli
from api.content.live import wiring as content
from api.resources import (
    api_root,
    authors,
    entries,
    events,
    feeds,
    health,
    pages,
    posts,
    projects,
    tags,
)
from api.resources import locales as locales_resource
from api.resources import search as search_resource
from api.resources import stackbit as stackbit_resource
from api.settings import Settings
from api.startup import check_content_dir
from api.version import VERSION
from api.web import delivery, docs, openapi
from api.web import json as orjson_provider

API_DESCRIPTION = """\
Posts, authors, pages and site settings of a git-managed content folder, served
as JSON. Every 200 answer carries a strong `ETag` (send it back in
`If-None-Match` for a 304) and `Cache-Control`; lists are paginated in the body
with an RFC 8288 `Link` header; errors are `{"code", "status", "message"}`.
"""

# In the order of the OpenAPI document's paths.
BLUEPRINTS = (
    api_root.blp,
    posts.blp,
    authors.blp,
    projects.blp,
    pages.blp,
    health.blp,
    feeds.blp,
    events.blp,
    stackbit_resource.blp,
    search_resource.blp,
    tags.blp,
    locales_resource.blp,
    entries.blp,
)


def create_app(
    test_config: Mapping[str, Any] | None = None, *, start_background: bool = True
) -> Flask:
    """Build the app: settings, the content, the API and its delivery layer.

    ``test_config`` overrides settings by name (``{"content_dir": ...}``).
    ``start_background=False`` leaves the background work to the caller, who runs each
    hook of ``app.extensions["on_worker_start"]`` (with ``in_worker=True``) in every worker
    it forks after loading: threads do not survive a fork.
    """
    settings = Settings.from_env()
    if test_config:
        settings = settings.replace(test_config)
    check_content_dir(settings.content_dir)

    app = Flask("api", static_url_path="/api/static")
    app.extensions["settings"] = settings
    app.extensions["on_worker_start"] = []
    orjson_provider.init_app(app)
    docs.init_app(app)
    stackbit.init_app(app)  # keeps each file as written while it is parsed: before the load
    content.init_app(app)
    editing.init_app(app)  # writes, if WRITE_TOKENS_FILE: finishes a write a crash cut short
    search.init_app(app)
    api = openapi.init_app(app, version=VERSION, description=API_DESCRIPTION)
    api.spec.components.security_scheme(
        "writeToken",
        {"type": "http", "scheme": "bearer", "description": "A token of WRITE_TOKENS_FILE."},
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.cli.add_command(content_cli)
    delivery.init_app(app, streams=frozenset({events.EVENTS_PATH}))
    propagation.init_app(app)
    if start_background:
        for hook in app.extensions["on_worker_start"]:
            hook(False)
    return app
