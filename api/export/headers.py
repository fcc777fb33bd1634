"""Which headers the live server sends with each kind of answer, found by asking it.

A static server must send the same headers, so the export does not restate the
delivery layer's rules: it reads the headers of every exported answer (200,
gzip, 304) and of the error and preflight answers, and sorts each header into
a *slot* (its name and how many times it came before in the same answer) whose
value is either constant per status or set per file (``Link``). ``ETag`` and
the entity headers (``Content-Type``, ``-Length``, ``-Encoding``) are left to the
static server itself, which the export configures to send the same values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from api.export.fetch import Headers, Response
from api.export.writer import Written

# Sent by any HTTP server itself, or recreated by the static server from the file; and
# X-Response-Cache, which tells whether the live process had the answer cached: a static
# copy has no such cache, so it does not send it.
SERVER_OWN = frozenset(
    {"date", "server", "connection", "keep-alive", "transfer-encoding"}
    | {"content-type", "content-length", "content-encoding", "etag"}
    | {"x-response-cache"}
)
STATUSES = ("200", "304", "404", "405", "204")
_ETAG = re.compile(r'^"([0-9a-f]+)"$')

SlotKey = tuple[str, int]  # lower-case name, occurrence


class UnsupportedHeaders(ValueError):
    """Live headers that vary in a way a static configuration cannot reproduce."""


@dataclass(frozen=True, slots=True)
class Probes:
    """The live answers that are not content: an unknown URL, a refused method, a preflight."""

    not_found: Response
    not_allowed: Response
    preflight: Response
    cors_extra: Headers = ()  # what an allowed Origin adds to every answer (origin lists only)


@dataclass
class Slot:
    """One header line: its constant value per status, or a value per file for some statuses."""

    name: str
    constants: dict[str, str] = field(default_factory=dict)
    file_values: dict[str, str] = field(default_factory=dict)
    file_statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeaderPlan:
    slots: tuple[Slot, ...]
    etags: Mapping[str, str]  # file -> ETag hash (without quotes)
    gzip_files: frozenset[str]
    cors_extra: Headers


def slot_values(headers: Iterable[tuple[str, str]]) -> dict[SlotKey, tuple[str, str]]:
    """Headers by slot, without the ones the static server makes itself."""
    seen: dict[str, int] = {}
    slots: dict[SlotKey, tuple[str, str]] = {}
    for name, value in headers:
        lower = name.lower()
        if lower in SERVER_OWN:
            continue
        index = seen.get(lower, 0)
        seen[lower] = index + 1
        slots[(lower, index)] = (name, value)
    return slots


def plan_headers(answers: Sequence[Written], probes: Probes) -> HeaderPlan:
    """Sort every live header into slots; refuse what a static server cannot send the same way."""
    unique = list({written.file: written for written in answers}.values())
    etags = {written.file: _etag_hash(written) for written in unique}
    by_status: dict[str, dict[str, dict[SlotKey, tuple[str, str]]]] = {"200": {}, "304": {}}
    for written in unique:
        plain = slot_values(written.headers)
        if written.gzip_headers is not None and slot_values(written.gzip_headers) != plain:
            raise UnsupportedHeaders(f"{written.target.url}: gzip changes headers besides ETag")
        by_status["200"][written.file] = plain
        by_status["304"][written.file] = slot_values(written.not_modified_headers)
    fixed = {
        "404": slot_values(probes.not_found.headers),
        "405": slot_values(probes.not_allowed.headers),
        "204": slot_values(probes.preflight.headers),
    }
    keys: dict[SlotKey, str] = {}
    for files in by_status.values():
        for slots in files.values():
            keys.update({key: name for key, (name, _) in slots.items()})
    for slots in fixed.values():
        keys.update({key: name for key, (name, _) in slots.items()})
    plan = [
        _slot(key, name, by_status, fixed) for key, name in sorted(keys.items(), key=_slot_order)
    ]
    gzip_files = frozenset(w.file for w in unique if w.gzip_headers is not None)
    return HeaderPlan(tuple(plan), etags, gzip_files, probes.cors_extra)


def _slot_order(item: tuple[SlotKey, str]) -> tuple[str, int]:
    return item[0]


def _slot(
    key: SlotKey,
    name: str,
    by_status: Mapping[str, Mapping[str, Mapping[SlotKey, tuple[str, str]]]],
    fixed: Mapping[str, Mapping[SlotKey, tuple[str, str]]],
) -> Slot:
    slot = Slot(name)
    for status, slots in fixed.items():
        if key in slots:
            slot.constants[status] = slots[key][1]
    values = {
        status: {file: (slots[key][1] if key in slots else None) for file, slots in files.items()}
        for status, files in by_status.items()
    }
    ok, not_modified = values["200"], values["304"]
    if len(set(ok.values())) <= 1 and len(set(not_modified.values())) <= 1:
        for status, per_file in values.items():
            value = next(iter(per_file.values()), None)
            if value is not None:
                slot.constants[status] = value
        return slot
    slot.file_values = {file: value for file, value in ok.items() if value is not None}
    if all(not_modified[file] == value for file, value in ok.items()):
        slot.file_statuses = ("200", "304")
    elif len(set(not_modified.values())) == 1:
        slot.file_statuses = ("200",)
        value = next(iter(not_modified.values()))
        if value is not None:
            slot.constants["304"] = value
    else:
        raise UnsupportedHeaders(f"{name}: its 304 value varies apart from its 200 value")
    return slot


def _etag_hash(written: Written) -> str:
    """The hash in the answer's ETag, after checking the live server's ETag scheme is as expected.

    The plain answer and its 304 carry ``"<hash>"``; the gzip answer ``"<hash>-gzip"``.
    """
    match = _ETAG.match(written.etag)
    if match is None:
        raise UnsupportedHeaders(f"{written.target.url}: unexpected ETag {written.etag!r}")
    expected = {"plain": written.etag, "304": written.etag}
    found = {
        "plain": _header(written.headers, "etag"),
        "304": _header(written.not_modified_headers, "etag"),
    }
    if written.gzip_headers is not None:
        expected["gzip"] = f'"{match[1]}-gzip"'
        found["gzip"] = _header(written.gzip_headers, "etag")
    if found != expected:
        raise UnsupportedHeaders(f"{written.target.url}: ETags {found} are not {expected}")
    return match[1]


def _header(headers: Headers, name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)
