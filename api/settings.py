"""Every setting of the service, its default and its environment variable.

Nothing else in the package reads ``os.environ``: a setting that is not here does
not exist, and a wrong value fails at start-up with the variable's name rather
than at the first request that happens to use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click


class ConfigError(click.ClickException, ValueError):
    """A setting from the environment that cannot be used.

    A ``ClickException``: under any ``flask`` command (``flask run``, ``flask
    content check``) it is printed as one ``Error: ...`` line with exit status 1,
    never as a traceback.
    """


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected 1/0, true/false, yes/no or on/off, got {raw!r}")


def _parse_non_negative_int(raw: str) -> int:
    value = int(raw.strip())
    if value < 0:
        raise ValueError(f"must be 0 or more, got {value}")
    return value


def _parse_positive_int(raw: str) -> int:
    value = int(raw.strip())
    if value < 1:
        raise ValueError(f"must be 1 or more, got {value}")
    return value


def _parse_origins(raw: str) -> tuple[str, ...]:
    origins = tuple(part.strip() for part in raw.split(",") if part.strip())
    return origins or ("*",)


def _parse_worker_lifetime(raw: str) -> int:
    seconds = _parse_non_negative_int(raw)
    if 0 < seconds < 60:
        raise ValueError(f"must be 0 (off) or at least 60 seconds, got {seconds}")
    return seconds


def _parse_optional_str(raw: str) -> str | None:
    return raw or None


def _parse_optional_path(raw: str) -> Path | None:
    return Path(raw) if raw else None


STACKBIT_GENERATIONS = ("content-ts", "sourcebit")  # api.stackbit.GENERATIONS


def _parse_stackbit_compat(raw: str) -> str:
    value = raw.strip().lower()
    if value not in STACKBIT_GENERATIONS:
        raise ValueError(f"expected one of {', '.join(STACKBIT_GENERATIONS)}, got {raw!r}")
    return value


def _parse_urls(raw: str) -> tuple[str, ...]:
    """Comma-separated absolute http(s) URLs; anything else is refused at start-up."""
    urls = tuple(part.strip() for part in raw.split(",") if part.strip())
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an absolute http(s) URL: {parts.scheme or '?'}://...")
    return urls


def _parse_header_name(raw: str) -> str:
    """An HTTP header name (RFC 9110 token characters)."""
    name = raw.strip()
    if not name or any(not (char.isascii() and (char.isalnum() or char in "-_")) for char in name):
        raise ValueError(f"not a header name: {raw!r}")
    return name


def _parse_optional_port(raw: str) -> int | None:
    """A port; 0 for "none" (the feature off); empty for "unset" (its default)."""
    if not raw.strip():
        return None
    port = int(raw.strip())
    if not 0 <= port < 65536:
        raise ValueError(f"not a port: {port}")
    return port


def _parse_positive_float(raw: str) -> float:
    value = float(raw.strip())
    if not value > 0:
        raise ValueError(f"must be more than 0, got {raw.strip()}")
    return value


def _parse_remote_name(raw: str) -> str | None:
    """A git remote's name (``origin``); empty: none."""
    name = raw.strip()
    if not name:
        return None
    if name.startswith("-") or any(c.isspace() or c in "\\:~^?*[" for c in name):
        raise ValueError(f"not a git remote name: {raw!r}")
    return name


def _default_cache_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/content-api``: outside the content folder, safe to delete."""
    base = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME", ".")) / ".cache")
    return Path(base) / "content-api"


@dataclass(frozen=True)
class Settings:
    """The service's configuration, resolved once when the app is created."""

    content_dir: Path = Path("content")
    site_url: str | None = None  # unset: this server's own address (``public_site_url``)
    cache_max_age: int = 60
    cache_stale_while_revalidate: int = 600
    cors_origins: tuple[str, ...] = ("*",)
    preview_token: str | None = None
    max_file_bytes: int = 1024 * 1024
    hide_future_posts: bool = False
    allow_raw_html: bool = False
    parse_cache_dir: Path | None = None  # None: no parse cache
    content_watch: bool = True  # reload by itself when the content changes
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 0  # production server worker processes; 0: one per CPU core
    threads: int = 1  # Python threads per worker: a cache hit never waits on I/O
    cache_tag_header: str = "Cache-Tag"  # the header naming an answer's content keys
    response_cache_entries: int = 4096  # answers each worker keeps rendered
    shutdown_timeout: int = 30  # seconds a stopping worker may finish requests in flight
    worker_lifetime: int = 0  # seconds before a worker is replaced (0: never; at least 60)
    worker_max_rss: int = 0  # MiB of memory over which a worker is replaced (0: never)
    feed_size: int = 20  # entries in each RSS, Atom and JSON feed
    stackbit_compat: str = "content-ts"  # the theme generation /api/stackbit/* answers for
    purge_urls: tuple[str, ...] = ()  # caches told to drop changed keys (Varnish xkey PURGE)
    webhook_urls: tuple[str, ...] = ()  # POSTed each change, signed with webhook_secret
    webhook_secret: str | None = field(default=None, repr=False)  # never printed
    events_heartbeat_seconds: float = 15.0  # a comment line on idle event streams
    events_max_streams: int = 64  # open /api/events streams per worker; more get 503
    # /api/events on this port beside the WSGI server; 0: through the WSGI server itself; unset:
    # PORT + 1 under `make serve`, through the WSGI server elsewhere.
    events_port: int | None = None
    write_tokens_file: Path | None = None  # editors' hashed tokens; None: writes are off
    git_push: str | None = None  # the remote each write commit is pushed to; None: kept local
    write_rate: float = 10.0  # writes per second per token (a burst of as many)

    def __post_init__(self) -> None:
        if self.webhook_urls and not self.webhook_secret:
            raise ConfigError("WEBHOOK_URLS: set WEBHOOK_SECRET too; webhooks are always signed")

    @property
    def public_site_url(self) -> str:
        """``SITE_URL``, or this server's own address when it is unset (a wildcard host is
        reached on loopback): what links in feeds, the sitemap and ``/api/site`` start with."""
        if self.site_url:
            return self.site_url
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from ``environ`` (the process environment by default)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {"parse_cache_dir": _default_cache_dir(environ)}
        for name, (variable, parse) in _ENVIRONMENT.items():
            raw = environ.get(variable)
            if raw is None:
                continue
            try:
                values[name] = parse(raw)
            except ValueError as error:
                raise ConfigError(f"{variable}: {error}") from None
        return cls(**values)

    def replace(self, overrides: Mapping[str, Any]) -> Settings:
        """Return a copy with ``overrides`` (setting names, e.g. from a test) applied."""
        known = {field.name for field in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        values.update(overrides)
        values["content_dir"] = Path(values["content_dir"])
        for name in ("parse_cache_dir", "write_tokens_file"):
            if values[name] is not None:
                values[name] = Path(values[name])
        return Settings(**values)


_ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "content_dir": ("CONTENT_DIR", Path),
    "site_url": ("SITE_URL", lambda raw: raw.strip().rstrip("/") or None),
    "cache_max_age": ("CACHE_MAX_AGE", _parse_non_negative_int),
    "cache_stale_while_revalidate": ("CACHE_STALE_WHILE_REVALIDATE", _parse_non_negative_int),
    "cors_origins": ("CORS_ORIGINS", _parse_origins),
    "preview_token": ("PREVIEW_TOKEN", _parse_optional_str),
    "max_file_bytes": ("MAX_FILE_BYTES", _parse_non_negative_int),
    "hide_future_posts": ("HIDE_FUTURE_POSTS", _parse_bool),
    "allow_raw_html": ("ALLOW_RAW_HTML", _parse_bool),
    "parse_cache_dir": ("PARSE_CACHE_DIR", _parse_optional_path),
    "content_watch": ("CONTENT_WATCH", _parse_bool),
    "host": ("HOST", str.strip),
    "port": ("PORT", _parse_non_negative_int),
    "workers": ("WORKERS", _parse_non_negative_int),
    "threads": ("THREADS", _parse_non_negative_int),
    "cache_tag_header": ("CACHE_TAG_HEADER", _parse_header_name),
    "response_cache_entries": ("RESPONSE_CACHE_ENTRIES", _parse_non_negative_int),
    "shutdown_timeout": ("SHUTDOWN_TIMEOUT", _parse_non_negative_int),
    "worker_lifetime": ("WORKER_LIFETIME", _parse_worker_lifetime),
    "worker_max_rss": ("WORKER_MAX_RSS", _parse_non_negative_int),
    "feed_size": ("FEED_SIZE", _parse_positive_int),
    "stackbit_compat": ("STACKBIT_COMPAT", _parse_stackbit_compat),
    "purge_urls": ("PURGE_URLS", _parse_urls),
    "webhook_urls": ("WEBHOOK_URLS", _parse_urls),
    "webhook_secret": ("WEBHOOK_SECRET", _parse_optional_str),
    "events_heartbeat_seconds": ("EVENTS_HEARTBEAT_SECONDS", _parse_positive_float),
    "events_max_streams": ("EVENTS_MAX_STREAMS", _parse_non_negative_int),
    "events_port": ("EVENTS_PORT", _parse_optional_port),
    "write_tokens_file": ("WRITE_TOKENS_FILE", _parse_optional_path),
    "git_push": ("GIT_PUSH", _parse_remote_name),
    "write_rate": ("WRITE_RATE", _parse_positive_float),
}

# What each setting does, one line each. The configuration reference
# (docs/operations/configuration.md) is generated from this, _ENVIRONMENT and the defaults
# above (`make docs`); a test fails when a setting has no line or the page is stale.
SETTING_DOCS: dict[str, str] = {
    "content_dir": "the site to serve: the folder that holds `pages/` and `data/`",
    "site_url": (
        "the front end's public address: the absolute base of feed, sitemap and `siteUrl` links;"
        " unset: `http://HOST:PORT` of this server (set it in production)"
    ),
    "cache_max_age": "seconds for `Cache-Control: max-age`",
    "cache_stale_while_revalidate": "seconds for `Cache-Control: stale-while-revalidate`",
    "cors_origins": (
        "comma-separated origins allowed by CORS (`*`: any, for reads); writes only from the"
        " origins named (`*,https://editor.example`)"
    ),
    "preview_token": "a request with `Authorization: Bearer <token>` sees drafts; unset: none does",
    "max_file_bytes": "a content file larger than this is a content error, and is not read",
    "hide_future_posts": "`1`: a post dated in the future stays out until its date comes",
    "allow_raw_html": "`1`: serve the Markdown body's HTML unsanitised",
    "parse_cache_dir": (
        "the parse cache and the search index (`~/.cache/content-api` without"
        " `XDG_CACHE_HOME`); empty: no cache"
    ),
    "content_watch": "`0`: do not watch the content folder (`kill -HUP` still reloads)",
    "host": "the address `make serve` listens on",
    "port": "the port of `make run` and `make serve`",
    "workers": "worker processes of `make serve`; `0`: one per CPU core",
    "threads": "Python threads per worker of `make serve`",
    "cache_tag_header": "the response header that carries an answer's content keys",
    "response_cache_entries": "rendered answers each worker keeps; `0`: none",
    "shutdown_timeout": "seconds a stopping worker may take to finish the requests in flight",
    "worker_lifetime": "seconds after which a worker is replaced (at least 60); `0`: never",
    "worker_max_rss": "MiB of memory above which a worker is replaced; `0`: never",
    "feed_size": "entries in each RSS, Atom and JSON feed",
    "stackbit_compat": "the theme generation of `/api/stackbit/*`: `content-ts` or `sourcebit`",
    "purge_urls": "comma-separated caches told to drop the changed keys of each change (xkey)",
    "webhook_urls": "comma-separated URLs each change is `POST`ed to; needs `WEBHOOK_SECRET`",
    "webhook_secret": "the HMAC-SHA256 key of `X-Content-Signature`; never logged, sent or shown",
    "events_heartbeat_seconds": "a comment line on an idle `/api/events` stream after this long",
    "events_max_streams": "open `/api/events` streams per worker; more are answered 503",
    "events_port": (
        "`/api/events` on this port beside the WSGI server; unset: `PORT + 1` under"
        " `make serve`; `0`: through the WSGI server"
    ),
    "write_tokens_file": (
        "the editors' tokens, one `<sha256 hex> <email> <name>` line each: writes"
        " (`/api/entries`, `/api/commits`) are on; the content folder must be in a git work tree"
    ),
    "git_push": "the git remote each write's commit is pushed to (`origin`); unset: kept local",
    "write_rate": "writes per second per write token (a burst of as many); more are answered 429",
}

# Exported for the configuration reference and its test: every variable is documented.
ENVIRONMENT_VARIABLES = tuple(variable for variable, _ in _ENVIRONMENT.values())
