"""What is said about a change, to whom: the webhook and event body, its signature, and
how several changes fold into one.

The body is the contract's ``{"contentVersion", "previousVersion", "changed": {"paths",
"keys"}}``, with sorted lists so that the same change always gives the same bytes (and
the same signature). Public consumers (caches, webhooks, public event streams) are
told the public change only; the preview audience also hears about drafts.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit, urlunsplit

import orjson

from api.content.live.change import ContentChange

SIGNATURE_HEADER = "X-Content-Signature"
# The key that changes with every snapshot (api.content.model.keys.VERSION): caches purge it, but on
# its own it tells a front end nothing, so it alone is no public change.
VERSION_KEY = "version"


def change_body(change: ContentChange, *, preview: bool = False) -> bytes:
    """The JSON body of a webhook or an ``event: content`` for ``change``."""
    keys = change.preview_keys if preview else change.keys
    paths = change.preview_paths if preview else change.paths
    document = {
        "contentVersion": change.version,
        "previousVersion": change.previous_version,
        "changed": {"paths": sorted(set(paths)), "keys": sorted(keys)},
    }
    return orjson.dumps(document)


def is_public(change: ContentChange) -> bool:
    """Whether the public can see any difference (a draft saved is not one)."""
    return any(key != VERSION_KEY for key in change.keys) or bool(change.paths)


def signature(body: bytes, secret: str) -> str:
    """``sha256=<hex HMAC-SHA256 of body>``: what a receiver recomputes with its secret."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def merged(first: ContentChange, then: ContentChange) -> ContentChange:
    """One change standing for ``first`` followed by ``then`` (from first's previous version)."""
    return ContentChange.of(
        first.previous_version,
        then.version,
        keys=first.keys | then.keys,
        paths=sorted(set(first.paths) | set(then.paths)),
        preview_keys=first.preview_keys | then.preview_keys,
        preview_paths=sorted(set(first.preview_paths) | set(then.preview_paths)),
    )


def shown_url(url: str) -> str:
    """A URL fit for /healthz and logs: no credentials, query or fragment (tokens live there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
