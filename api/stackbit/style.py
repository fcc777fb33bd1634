"""``style.json`` for a Stackbit theme's Tailwind config, from ``/api/site``.

The themes' ``tailwind.config.js`` requires ``content/data/style.json`` at build
time (colours, fonts, heading and button styles). A front end built away from
the content folder writes it from the API first: ``flask --app api content
stackbit-style OUT`` (this app's content) or ``... --api-url URL`` (a running API).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

FETCH_TIMEOUT_SECONDS = 30


def fetch_site(api_url: str) -> dict[str, Any]:
    """``GET {api_url}/api/site`` of a running API."""
    request = urllib.request.Request(
        f"{api_url.rstrip('/')}/api/site", headers={"Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def style_json(site: dict[str, Any]) -> str:
    """The ``style`` of an ``/api/site`` answer as the theme's ``style.json`` text.

    The API's style is typed (nested objects carry their ``type``); Tailwind's
    config reads the values by name, so those extra keys change nothing.
    """
    style = site.get("style")
    if not isinstance(style, dict):
        raise ValueError("the site has no data/style.json (no `style` in /api/site)")
    return json.dumps(style, indent=4, ensure_ascii=False) + "\n"
