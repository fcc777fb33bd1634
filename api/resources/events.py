"""``GET /api/events``: content changes as Server-Sent Events, for live preview.

The stream never ends by itself, so it is not an answer the delivery layer can keep:
``api.web.streaming`` sends its path straight to Flask. It is ``no-cache`` (a cache in
front must pass it through, unbuffered), carries the CORS headers itself, and a
preview stream (``Authorization: Bearer <PREVIEW_TOKEN>``) is ``private, no-store``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from api.schemas.answers.errors import ErrorSchema
from api.tokens import bearer_matches

EVENTS_PATH = "/api/events"
RETRY_AFTER_SECONDS = 5

blp = Blueprint("events", __name__, description="Content changes as they happen.")

EVENT_EXAMPLE = (
    "retry: 2000\n: connected, content 6f1c0d2e9ab34c51a0e2f1d3c4b5a697\n\n"
    "id: 0b3e58e1d2c94a7f8e6d5c4b3a291807\nevent: content\n"
    'data: {"contentVersion":"0b3e58e1d2c94a7f8e6d5c4b3a291807",'
    '"previousVersion":"6f1c0d2e9ab34c51a0e2f1d3c4b5a697",'
    '"changed":{"paths":["/blog/retiring-the-war-room"],'
    '"keys":["post:retiring-the-war-room"]}}\n\n'
    ": keep-alive\n\n"
)
STREAM_DOC = {
    "200": {
        "description": "A Server-Sent Events stream that stays open: after each new content "
        "snapshot one `event: content` whose `data` is the webhook body "
        '(`{"contentVersion", "previousVersion", "changed": {"paths", "keys"}}`, one JSON '
        "line) and whose `id` is the new version; a comment line (`: keep-alive`) after "
        "15 s without events. Only changes the public can see, unless the stream was opened "
        "with the preview token (`Authorization: Bearer <PREVIEW_TOKEN>`): then drafts too.",
        "content": {"text/event-stream": {"schema": {"type": "string"}, "example": EVENT_EXAMPLE}},
        "headers": {
            "Cache-Control": {
                "description": "`no-cache` (`private, no-store` for a preview stream).",
                "schema": {"type": "string"},
            }
        },
    }
}


@blp.route(EVENTS_PATH)
class Events(MethodView):
    @blp.doc(operationId="streamContentEvents", responses=STREAM_DOC)
    @blp.alt_response(
        503, schema=ErrorSchema, description="This worker serves as many streams as it may."
    )
    @blp.doc(
        responses={
            "307": {
                "description": "With `EVENTS_PORT` set (as `make serve` does), the streams are "
                "served on that port of the same host, where they hold no request thread.",
                "headers": {
                    "Location": {
                        "description": "The same path on `EVENTS_PORT`.",
                        "schema": {"type": "string"},
                    }
                },
            }
        }
    )
    def get(self) -> Any:
        """Stream content changes (Server-Sent Events)

        For live preview and development: an editor saves, the page listening
        here learns which paths changed and reloads them. Reconnect as
        EventSource does; nothing is replayed.
        """
        settings = current_app.extensions["settings"]
        if settings.events_port:  # 0 or unset: streams go through the WSGI server
            return _to_events_port(settings.events_port)
        preview = bearer_matches(request.headers.get("Authorization"), settings.preview_token)
        version = current_app.extensions["content"].snapshot.version
        stream = current_app.extensions["events"].open(preview=preview, version=version)
        if stream is None:
            abort(
                503,
                message="Too many open event streams on this server; retry later",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        response = Response(stream, mimetype="text/event-stream", direct_passthrough=True)
        response.headers["Cache-Control"] = "private, no-store" if preview else "no-cache"
        response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
        response.headers["X-Content-Type-Options"] = "nosniff"
        if settings.preview_token is not None:
            response.headers["Vary"] = "Authorization"
        origin = request.headers.get("Origin")
        if "*" in settings.cors_origins:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin in settings.cors_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.add("Vary", "Origin")
        return response


def _to_events_port(port: int) -> Response:
    """307 to the same host on ``EVENTS_PORT``, where streams hold no request thread."""
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    location = f"{request.scheme}://{host}:{port}{EVENTS_PATH}"
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    response = Response(status=307, headers={"Location": location, "Cache-Control": "no-cache"})
    settings = current_app.extensions["settings"]
    origin = request.headers.get("Origin")
    if "*" in settings.cors_origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in settings.cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response
