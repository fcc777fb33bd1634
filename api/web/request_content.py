"""What one request reads, in one object: the snapshot, the audience's view, and the content
keys its answer records.

The delivery layer pins it into the WSGI environ before Flask sees the request (so a body, its
ETag and its cache key come from one snapshot even when a reload swaps it mid-request), the
views read it through ``current_content``, and the delivery layer reads the keys back when the
answer is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request

from api.content.documents import Documents
from api.content.model.snapshot import Snapshot
from api.content.model.views import ContentView

ENVIRON_KEY = "content.request"


@dataclass(slots=True)
class RequestContent:
    snapshot: Snapshot
    view: ContentView  # the public view, or the preview (drafts included)
    preview: bool = False
    keys: set[str] = field(default_factory=set)  # the content keys the answer was built from
    answered_in: str | None = None  # the locale the answer came out in, where a view chose it

    def documents(self) -> Documents:
        """Documents as this request's audience sees them; what they read is recorded here."""
        return Documents(self.snapshot, self.view, self.keys, preview=self.preview)

    def in_locale(self, code: str) -> RequestContent:
        """The same request's content in another locale (a page asked for by a URL of that
        locale), its keys recorded with this request's."""
        view, _ = self.snapshot.view_in(code, preview=self.preview)
        self.answered_in = view.locale  # the answer's language is this one's
        return RequestContent(self.snapshot, view, self.preview, self.keys)

    def pin(self, environ: dict[str, Any]) -> None:
        environ[ENVIRON_KEY] = self


def current_content() -> RequestContent:
    """This request's content: as the delivery layer pinned it, else (a request that did not
    pass through it) the current snapshot's public view."""
    found = request.environ.get(ENVIRON_KEY)
    if found is None:
        snapshot = current_app.extensions["content"].snapshot
        found = RequestContent(snapshot, snapshot.public_view()[0])
        found.pin(request.environ)
    return found  # type: ignore[no-any-return]


def pinned(environ: dict[str, Any]) -> RequestContent | None:
    """The content pinned to a request's environ, if any."""
    return environ.get(ENVIRON_KEY)


def current_documents() -> Documents:
    """Documents as this request's audience sees them: the public, or a preview."""
    return current_content().documents()
