"""What else an export's answers depend on besides the content: the code that made them, the
settings they read, and which site they are of.

An export is continued incrementally only from one made by the same generator (this package's
files, the libraries that shape its answers, the producer table), with the same settings that
reach an answer, of the same content folder; anything else is a reason for a full export, said
in words.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

from api.export.producers import Producer
from api.settings import Settings
from api.version import VERSION

# Settings that never reach an answer: how the server runs, where caches live, whom it tells.
RUNTIME_SETTINGS = frozenset(
    {
        "content_dir",  # the site itself (compared on its own)
        "parse_cache_dir",
        "content_watch",
        "workers",
        "threads",
        "response_cache_entries",
        "shutdown_timeout",
        "worker_lifetime",
        "worker_max_rss",
        "purge_urls",
        "webhook_urls",
        "webhook_secret",
        "events_heartbeat_seconds",
        "events_max_streams",
        "events_port",
    }
)
SECRET_SETTINGS = frozenset({"preview_token"})  # recorded as set or unset, never their value
# Libraries whose versions shape the answers' bytes besides the package's own dependencies.
SHAPING = ("werkzeug", "webargs", "jinja2", "markupsafe")


def identity(settings: Settings, producers: Sequence[Producer]) -> dict[str, Any]:
    """The generator, the settings and the site an export is made by, of and with."""
    return {
        "generator": _generator(tuple((p.name, p.route.location) for p in producers)),
        "settings": _settings(settings),
        "site": str(settings.content_dir.absolute()),
    }


def difference(before: Mapping[str, Any], now: Mapping[str, Any]) -> str | None:
    """Why an export of identity ``before`` cannot be continued now, or ``None``."""
    if before.get("site") != now["site"]:
        return f"it is an export of another content folder ({before.get('site')})"
    if before.get("generator") != now["generator"]:
        return "it was made by another version of the exporter or its libraries"
    recorded = before.get("settings")
    if not isinstance(recorded, Mapping):
        return "it does not record its settings"
    changed = sorted(
        name
        for name in recorded.keys() | now["settings"].keys()
        if recorded.get(name) != now["settings"].get(name)
    )
    if changed:
        return "settings that change answers differ: " + ", ".join(n.upper() for n in changed)
    return None


def _settings(settings: Settings) -> dict[str, str]:
    """A digest of each setting that may reach an answer (the site URL is the one the server
    answers with: SITE_URL, or HOST and PORT without it)."""
    found: dict[str, str] = {"public_site_url": settings.public_site_url}
    for field in fields(settings):
        if field.name in RUNTIME_SETTINGS:
            continue
        value = getattr(settings, field.name)
        if field.name in SECRET_SETTINGS:
            found[field.name] = "set" if value else "unset"
        else:
            found[field.name] = repr(value)
    return {
        name: hashlib.blake2b(value.encode(), digest_size=8).hexdigest()
        for name, value in sorted(found.items())
    }


@cache
def _generator(producers: tuple[tuple[str, str], ...]) -> str:
    """A digest of this package's files, the versions of the libraries that shape an answer
    (Python and zlib included: the gzip bytes), and the producer table."""
    digest = hashlib.blake2b(digest_size=16)
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    libraries = [VERSION, sys.version, zlib.ZLIB_RUNTIME_VERSION]
    for name in _dependencies():
        try:
            libraries.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            libraries.append(f"{name} missing")
    digest.update("\n".join(libraries).encode())
    digest.update(repr(producers).encode())
    return digest.hexdigest()


def _dependencies() -> list[str]:
    """The package's own dependencies by name, and the libraries in ``SHAPING``."""
    try:
        required = importlib.metadata.requires("content-api") or []
    except importlib.metadata.PackageNotFoundError:
        required = []
    names = {_name(requirement) for requirement in required if "extra ==" not in requirement}
    return sorted(names | set(SHAPING))


def _name(requirement: str) -> str:
    for index, char in enumerate(requirement):
        if not (char.isalnum() or char in "-_."):
            return requirement[:index].lower()
    return requirement.lower()
