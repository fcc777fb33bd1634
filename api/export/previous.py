"""The previous export in OUT, as far as the next one can keep its answers.

Beside OUT (``publishing.state_path``) an export writes its state: what made it
(``identity``), what it recorded of the content (``content_record``), each answer's headers
and content keys, and a digest of the ``manifest.json`` it goes with (a state whose export was
interrupted before its swap is of another manifest, and is not continued from). The
next export over it keeps every answer none of whose keys changed since (its files linked
from the previous export, its headers as recorded with ``X-Content-Version`` naming the
current content), and asks the app for the others; ``read_previous`` says why when nothing
can be kept.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from api.content.model import keys as k
from api.content.model.snapshot import Snapshot
from api.export.content_record import RecordMismatch, keys_changed_since, record_content
from api.export.fetch import Headers
from api.export.identity import difference
from api.export.naming import Target
from api.export.producers import Producer
from api.export.publishing import GENERATOR, MANIFEST, is_previous_export, state_path
from api.export.writer import Written

STATE_FORMAT = 1


@dataclass(frozen=True)
class Previous:
    """The answers of the previous export in ``root`` and the content keys changed since."""

    root: Path
    answers: Mapping[Target, Written]
    changed: frozenset[str]

    def reusable(self, target: Target) -> Written | None:
        """The previous answer for ``target``, if it is still the answer: none of its keys
        changed (an answer that recorded no keys, or the version itself, is never kept)."""
        written = self.answers.get(target)
        if written is None or not written.keys or k.VERSION in written.keys:
            return None
        if not self.changed.isdisjoint(written.keys):
            return None
        return written


def read_previous(
    out: Path, identity: Mapping[str, Any], snapshot: Snapshot, producers: Sequence[Producer]
) -> tuple[Previous | None, str]:
    """The previous export in ``out`` and the keys changed since it, or why there is none to
    continue (a reason for a full export, in words)."""
    if not out.is_dir() or not is_previous_export(out):
        return None, "no previous export in OUT"
    try:
        manifest = (out / MANIFEST).read_bytes()
        if orjson.loads(manifest).get("generator") != GENERATOR:
            raise ValueError
    except (OSError, ValueError, AttributeError):
        return None, f"the previous export's {MANIFEST} is missing or damaged"
    path = state_path(out)
    try:
        state = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None, f"the previous export records no state to continue from ({path.name})"
    except (OSError, orjson.JSONDecodeError) as error:
        return None, f"the previous export's state {path.name} is unreadable ({error})"
    if not isinstance(state, dict) or state.get("formatVersion") != STATE_FORMAT:
        return None, "the previous export was written in another format"
    if state.get("manifest") != manifest_digest(manifest):
        return None, f"the state {path.name} is not of the export in OUT (one was interrupted)"
    why = difference(state.get("identity") or {}, identity)
    if why is not None:
        return None, f"the previous export cannot be continued: {why}"
    try:
        changed = keys_changed_since(state["content"], snapshot)
        answers = _answers(state, snapshot.version, producers)
    except RecordMismatch as error:
        return None, f"the previous export cannot be continued: {error}"
    except (KeyError, IndexError, TypeError, ValueError) as error:
        return None, f"the previous export's state {path.name} is unreadable ({error!r})"
    return Previous(out, answers, changed), ""


def manifest_digest(manifest: bytes) -> str:
    """What ties a state to the ``manifest.json`` of its export."""
    return hashlib.blake2b(manifest, digest_size=16).hexdigest()


def state_bytes(
    identity: Mapping[str, Any],
    snapshot: Snapshot,
    answers: Sequence[Written],
    producers: Sequence[Producer],
    manifest: bytes,
) -> bytes:
    """The state of an export of ``answers`` whose manifest is ``manifest``; header lines are
    listed once and named by number (most answers share most of them)."""
    pairs: dict[tuple[str, str], int] = {}

    def numbers(headers: Headers | None) -> list[int] | None:
        if headers is None:
            return None
        return [pairs.setdefault(pair, len(pairs)) for pair in headers]

    rows = []
    for written in sorted(answers, key=lambda w: (w.producer, w.target.url)):
        target = written.target
        rows.append(
            [
                producers[written.producer].name,
                target.path,
                [list(pair) for pair in target.keys],
                target.page,
                written.file,
                written.media_type,
                written.etag,
                written.size,
                written.gzip_size,
                numbers(written.headers),
                numbers(written.gzip_headers),
                numbers(written.not_modified_headers),
                written.paginated,
                list(written.keys) if written.keys is not None else None,
            ]
        )
    state = {
        "generator": GENERATOR,
        "formatVersion": STATE_FORMAT,
        "manifest": manifest_digest(manifest),
        "identity": identity,
        "contentVersion": snapshot.version,
        "content": record_content(snapshot),
        "headers": [list(pair) for pair in pairs],
        "answers": rows,
    }
    return orjson.dumps(state) + b"\n"


def _answers(
    state: Mapping[str, Any], version: str, producers: Sequence[Producer]
) -> dict[Target, Written]:
    """The recorded answers by target, their ``X-Content-Version`` (the header whose value is
    the recorded content version) naming ``version``."""
    recorded_version = state["contentVersion"]
    pairs = [
        (name, version if value == recorded_version else value) for name, value in state["headers"]
    ]
    index = {producer.name: number for number, producer in enumerate(producers)}

    def headers(numbers: list[int] | None) -> Headers | None:
        return None if numbers is None else tuple(pairs[number] for number in numbers)

    answers = {}
    for row in state["answers"]:
        (name, path, keys, page, file, media_type, etag, size, gzip_size) = row[:9]
        (plain, gzipped, not_modified, paginated, content_keys) = row[9:]
        if name not in index:
            continue
        target = Target(path, tuple((key, value) for key, value in keys), page)
        if not _inside(file):  # the state is a file beside OUT: checked, never trusted
            continue  # made again, under its own name
        answers[target] = Written(
            producer=index[name],
            target=target,
            file=file,
            media_type=media_type,
            etag=etag,
            size=size,
            gzip_size=gzip_size,
            headers=headers(plain) or (),
            gzip_headers=headers(gzipped),
            not_modified_headers=headers(not_modified) or (),
            paginated=paginated,
            keys=tuple(content_keys) if content_keys is not None else None,
        )
    return answers


def _inside(file: object) -> bool:
    """Whether a recorded file name stays inside the export: relative, normalised, no ``..``."""
    return (
        isinstance(file, str)
        and bool(file)
        and not file.startswith("/")
        and "\\" not in file
        and "\x00" not in file
        and posixpath.normpath(file) == file
        and ".." not in file.split("/")
    )
