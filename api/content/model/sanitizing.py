"""Sanitising rendered Markdown with nh3 (ammonia): keep what Markdown makes, drop what runs.

Markdown passes raw HTML through, and content is edited by many hands; the HTML
a browser front end injects must not carry scripts, event handlers or
``javascript:`` URLs. The allowlist keeps everything Python-Markdown produces
for the extensions we enable (headings with ids, code with its language class,
tables with their alignment, images, links).
"""

from __future__ import annotations

import re

import nh3

_HEADINGS = {f"h{level}" for level in range(1, 7)}
ALLOWED_TAGS = _HEADINGS | {
    "p", "br", "hr", "em", "strong", "b", "i", "del", "s", "sup", "sub", "kbd", "abbr", "span",
    "div", "a", "img", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "table",
    "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    **{heading: {"id"} for heading in _HEADINGS},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "ol": {"start"},
    "abbr": {"title"},
    "th": {"style", "align"},
    "td": {"style", "align"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
STYLE_PROPERTIES = {"text-align"}
LINK_REL = "noopener noreferrer"
_LANGUAGE_CLASS = re.compile(r"^language-[\w+#.-]{1,40}$")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [name for name in value.split() if _LANGUAGE_CLASS.match(name)]
        return " ".join(kept) or None
    return value


def sanitise_html(html: str) -> str:
    """Remove scripts, event handlers and unsafe URLs; keep Markdown's own output intact."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        link_rel=LINK_REL,
    )


def settings_text() -> str:
    """The sanitizer's settings, written out: part of the renderer's version (a change of them
    renders every kept body again)."""
    attributes = sorted((tag, sorted(names)) for tag, names in ALLOWED_ATTRIBUTES.items())
    return (
        f"tags {sorted(ALLOWED_TAGS)}\nattributes {attributes}\nschemes {sorted(URL_SCHEMES)}\n"
        f"styles {sorted(STYLE_PROPERTIES)}\nrel {LINK_REL}\nclass {_LANGUAGE_CLASS.pattern}\n"
    )
