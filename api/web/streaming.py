"""Long-lived streams beside the delivery layer.

The delivery layer renders an answer whole and keeps its bytes; a Server-Sent
Events stream never ends, so its path goes straight to Flask instead. Every other
request goes on to the delivery layer untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from api.web.delivery import Delivery

StartResponse = Callable[..., Any]


class StreamingRoutes:
    def __init__(self, delivery: Delivery, paths: Iterable[str]) -> None:
        self.delivery = delivery
        self.flask_app = delivery.app
        self.paths = frozenset(paths)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in self.paths:
            return self.flask_app(environ, start_response)
        return self.delivery(environ, start_response)

    @property
    def check_header_sizes(self) -> bool:
        """The delivery layer's switch (``make serve`` turns it off: granian checks)."""
        return self.delivery.check_header_sizes

    @check_header_sizes.setter
    def check_header_sizes(self, value: bool) -> None:
        self.delivery.check_header_sizes = value
