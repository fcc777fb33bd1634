"""``_headers`` and ``_redirects`` for static hosts that read them (Netlify, Cloudflare Pages).

Such hosts serve each file at its own path and ignore query strings, so they
can serve the answers that have no query (``/api/posts/a``, ``/api/site``) at
the API's URLs through the rewrites in ``_redirects`` (one rule per route,
status 200), but not ``?path=`` or ``?page=``: those need ``nginx.conf``.
``_headers`` gives every file its Content-Type, Cache-Control and, for a page
of a list, its ``Link``; the headers the API sends with every answer (CORS,
``nosniff``...) are one rule for ``/api/*``. Hosts make their own ETags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from api.export.headers import HeaderPlan
from api.export.producers import Producer
from api.export.writer import Written

_PER_FILE_HEADERS = ("content-type", "cache-control")


def headers_file(answers: Sequence[Written], plan: HeaderPlan) -> str:
    shared, per_file = [], []
    for slot in plan.slots:
        value = slot.constants.get("200")
        if slot.file_values:
            per_file.append(slot)
        elif value is not None and slot.name.lower() not in _PER_FILE_HEADERS:
            shared.append(f"  {slot.name}: {value}")
    cache_control = next(
        (s.constants.get("200") for s in plan.slots if s.name.lower() == "cache-control"), None
    )
    lines = [
        "# Response headers for static hosts that read a `_headers` file (Netlify,",
        "# Cloudflare Pages), written by `flask content export`: every file with the",
        "# Content-Type and Cache-Control the API sends for it. See `_redirects`.",
        "/api/*",
        *shared,
    ]
    for written in sorted({w.file: w for w in answers}.values(), key=lambda w: w.file):
        lines += ["", f"/{written.file}", f"  Content-Type: {written.media_type}"]
        if cache_control is not None:
            lines.append(f"  Cache-Control: {cache_control}")
        for slot in per_file:
            value = slot.file_values.get(written.file)
            if value is not None:
                lines.append(f"  {slot.name}: {value}")
    return "\n".join(lines) + "\n"


def redirects_file(producers: Sequence[Producer], answers: Sequence[Written]) -> str:
    """Rewrites from the API's query-less URLs to their files, one rule per route."""
    lines = [
        "# Rewrites for static hosts that read a `_redirects` file (Netlify, Cloudflare Pages),",
        "# written by `flask content export`: the API's URLs without a query string served",
        "# from their files. Answers chosen by ?path= or ?page= need nginx.conf.",
    ]
    exported = {w.producer for w in answers if not w.target.keys and w.target.page == 1}
    for index, producer in enumerate(producers):
        if index not in exported:
            continue
        pattern = _placeholder_pattern(producer.route.location)
        extension = next(
            w.file.rsplit(".", 1)[1] for w in answers if w.producer == index and w.target.page == 1
        )
        if pattern is not None:
            lines.append(f"{pattern}  {pattern}/_index.{extension}  200")
    return "\n".join(lines) + "\n"


def _placeholder_pattern(location: str) -> str | None:
    """``= /api/site`` -> ``/api/site``; ``~ ^/api/posts/[^/]+$`` -> ``/api/posts/:p1``."""
    kind, _, pattern = location.partition(" ")
    if kind == "=":
        return pattern
    if kind != "~" or not (pattern.startswith("^/") and pattern.endswith("$")):
        return None
    body = pattern[1:-1]
    parts = body.split("[^/]+")
    if any(re.search(r"[\\^$.*+?()\[\]{}|]", part) for part in parts):
        return None
    return "".join(
        part + (f":p{number}" if number < len(parts) else "")
        for number, part in enumerate(parts, start=1)
    )
