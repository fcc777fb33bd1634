"""The app factory: settings, the content repository, the API and its delivery layer."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Mapping
from functools import partial
from typing import Any

from flask import Flask

from api import propagation
from api.cli import content_cli
from api.content.live.repository import ContentRepository
from api.content.live.watching import ContentWatcher
from api.content.model.snapshot import SnapshotOptions
from api.resources import api_root as api_index
from api.resources import authors, events, health, pages, posts, tags
from api.resources import feeds as feed_routes  # `api.feeds` is the feeds package
from api.resources import search as search_resource
from api.resources import stackbit as stackbit_resource
from api.search import IndexStore, follow_snapshots, keep_search_index, served_versions
from api.settings import Settings
from api.startup import check_content_dir, plain_development_logs
from api.web import docs
from api.web.delivery import Delivery
from api.web.json import OrjsonProvider
from api.web.openapi import ContentApi, ContentMarshmallowPlugin

API_VERSION = "1.0.0"

API_DESCRIPTION = """\
Posts, authors, pages and site settings of a git-managed content folder, served
as JSON. Every 200 answer carries a strong `ETag` (send it back in
`If-None-Match` for a 304) and `Cache-Control`; lists are paginated in the body
with an RFC 8288 `Link` header; errors are `{"code", "status", "message"}`.
"""


def create_app(
    test_config: Mapping[str, Any] | None = None, *, start_background: bool = True
) -> Flask:
    """Build the app: settings, the content snapshot, the API and its delivery layer.

    ``test_config`` overrides settings by name (``{"content_dir": ...}``).
    ``start_background=False`` leaves the content watcher to be started by
    ``app.extensions["on_worker_start"]``, for servers that fork workers after
    loading (threads do not survive a fork).
    """
    settings = Settings.from_env()
    if test_config:
        settings = settings.replace(test_config)
    check_content_dir(settings.content_dir)
    plain_development_logs()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    app = Flask(__name__, static_url_path="/api/static")
    app.json = OrjsonProvider(app)
    app.config.update(
        API_TITLE="Content API",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": API_DESCRIPTION}},
    )

    docs.init_app(app)
    repository = ContentRepository(
        settings.content_dir,
        max_file_bytes=settings.max_file_bytes,
        options=SnapshotOptions(
            hide_future_posts=settings.hide_future_posts, allow_raw_html=settings.allow_raw_html
        ),
        cache_dir=settings.parse_cache_dir,
    )
    repository.follow(follow_snapshots)  # each snapshot's search index derived from the last
    repository.reload()
    if settings.parse_cache_dir is not None:  # the first one's kept on disk, beside the cache
        store = IndexStore.beside_parse_cache(settings.parse_cache_dir, settings.content_dir)
        keep_search_index(repository.snapshot, store, served_versions(repository))
    app.extensions["settings"] = settings
    app.extensions["content"] = repository

    api = ContentApi(app, spec_kwargs={"marshmallow_plugin": ContentMarshmallowPlugin()})
    api.document_model_types()
    api.register_blueprint(api_index.blp)
    for module in (posts, authors, pages, health, feed_routes, events):
        api.register_blueprint(module.blp)
    api.register_blueprint(stackbit_resource.blp)
    api.register_blueprint(search_resource.blp)
    api.register_blueprint(tags.blp)
    app.cli.add_command(content_cli)

    app.wsgi_app = Delivery(  # type: ignore[method-assign]
        app.wsgi_app, repository, settings, streams=frozenset({events.EVENTS_PATH})
    )
    watcher = ContentWatcher(repository) if settings.content_watch else None
    if watcher is not None:
        app.extensions["content_watcher"] = watcher
    app.extensions["on_worker_start"] = partial(_start_background, repository, watcher, True)
    if start_background:
        _start_background(repository, watcher, in_worker=False)
    propagation.init_app(app, settings, start_background=start_background)
    return app


def _start_background(
    repository: ContentRepository, watcher: ContentWatcher | None, in_worker: bool
) -> None:
    """Watch the content (if asked to); SIGHUP reloads it (in the process that owns signals).

    A forked worker first catches up with the disk (a stat pass: its parent may have
    loaded long ago) before it answers anything, so that no worker serves content
    older than the others do.
    """
    if watcher is not None:
        watcher.start(catch_up=repository.catch_up if in_worker else None)

        def reload() -> None:
            watcher.request_reload(None)

    else:
        if in_worker:
            repository.catch_up()

        def reload() -> None:
            threading.Thread(target=repository.reload, name="content-reload", daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGHUP, lambda signum, frame: reload())
