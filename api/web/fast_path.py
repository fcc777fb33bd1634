"""The fast path of the production server: a cached GET answered from granian's request scope,
before granian builds a WSGI request for it.

granian hands each request to Python as a dict of its CGI variables (``REQUEST_METHOD``,
``PATH_INFO``, ``QUERY_STRING``, ``HTTP_*``), then, in its WSGI wrapper, merges that dict into a
copy of the process environment, makes a ``start_response`` object, calls the application and
joins the body it returns. For a cache hit the delivery layer needs four of those variables and
answers with bytes prepared long before, so that wrapping costs more than the answer itself: in
a loop, 2.6 to 3.3 µs of Python per hit here against 6.9 to 7.6 µs through the wrapper. Under
``wrk`` on a busy 2-core machine that did not measurably raise the throughput
(``bench/throughput.py --compare-fast-path``, docs/development/performance.md), so ``make serve``
uses it only with ``FAST_PATH=1``.

``cached_get_runner`` makes the callable granian runs per request: a public GET or HEAD the
response cache holds is answered here with what ``Delivery.answer`` decides (the decision the
WSGI path sends too); every other request goes to granian's own WSGI wrapper unchanged, so its
environ, and so its answer, are what they were: a write (PUT, PATCH, POST, DELETE), anything of
the editing API (``/api/entries/``, ``/api/commits``: a token decides, nothing is kept), a
preview, OPTIONS. ``api/serve.py`` puts it in granian's place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.tokens import bearer_matches
from api.web.delivery import MAX_TARGET_BYTES, PRIVATE_PREFIXES, Delivery

# What granian calls per request: (its response protocol, the request's CGI variables) -> status.
Runner = Callable[[Any, dict[str, Any]], int]


def cached_get_runner(delivery: Delivery, wsgi: Runner) -> Runner:
    """A runner that answers the response cache's hits itself and hands the rest to ``wsgi``
    (granian's WSGI wrapper around ``delivery``)."""
    if delivery.check_header_sizes:  # the server does not bound header sizes: the WSGI path does
        return wsgi
    streams = delivery.streams
    token = delivery.preview_token
    cached = delivery.cached
    answer = delivery.answer

    def runner(protocol: Any, scope: dict[str, Any]) -> int:
        method = scope["REQUEST_METHOD"]
        if method == "GET" or method == "HEAD":
            path = scope["PATH_INFO"]
            query = scope["QUERY_STRING"]
            if (
                len(path) + len(query) <= MAX_TARGET_BYTES
                and path not in streams
                and not path.startswith(PRIVATE_PREFIXES)  # the editing API: tokens, never kept
                and (token is None or not bearer_matches(scope.get("HTTP_AUTHORIZATION"), token))
            ):
                entry = cached(path, query)
                if entry is not None:
                    status, headers, body = answer(
                        entry,
                        scope.get("HTTP_IF_NONE_MATCH"),
                        scope.get("HTTP_ACCEPT_ENCODING"),
                        scope.get("HTTP_ORIGIN"),
                        head=method == "HEAD",
                    )
                    protocol.response_bytes(status, headers, body)
                    return status
        return wsgi(protocol, scope)

    return runner
