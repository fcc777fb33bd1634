"""A proposed change checked against the content rules before anything is written.

A write through the API (``api.editing``) must be refused when ``content check`` would
report an error after it: in a written file itself (its own parse and validation), or
across files (a reference that dangles or names a file of another model, a URL or slug that
another file claims). ``proposal_problems`` decides that against the state as it is now and
the proposed files, without touching the disk: the names are claimed for the proposal and
taken back afterwards, so the rules are the very ones a reload applies (``claims.py``), and
the references are resolved as ``state.py`` resolves them.
"""

from __future__ import annotations

from collections.abc import Mapping

from api.content.live.state import ContentState
from api.content.source.parsed import FileVersion, ParsedFile, Reference
from api.content.source.parser import lines_for
from api.content.source.problems import ContentProblem, Severity
from api.content.source.validation import format_location


def proposal_problems(
    state: ContentState, proposal: Mapping[str, tuple[ParsedFile, bytes] | None]
) -> list[ContentProblem]:
    """The errors that the proposal (path -> its new parse and bytes; ``None``: deleted) would
    leave: in the proposed files, and the new ones it gives the files that refer to them.

    The caller holds whatever keeps ``state`` from changing meanwhile (the reload lock).
    """
    problems: list[ContentProblem] = []
    versions = {
        path: FileVersion(parsed, "", b"")
        for path, new in proposal.items()
        if new is not None
        for parsed in (new[0],)
    }
    for path, version in sorted(versions.items()):
        parsed = version.parsed
        problems.extend(p for p in parsed.problems if p.severity is Severity.ERROR)
        if parsed.has_errors:
            continue
        found = [
            (reference.location, message)
            for reference in parsed.references
            if (message := _reference_problem(state, proposal, reference)) is not None
        ]
        found.extend(_conflicts(state, versions, path))
        if found:
            data = proposal[path]
            lines = lines_for(parsed.kind, data[1] if data is not None else b"")
            problems.extend(
                ContentProblem(path, lines.line_of(location), Severity.ERROR, message)
                for location, message in found
            )
    problems.extend(_referrer_problems(state, proposal))
    return problems


def _type_after(
    state: ContentState, proposal: Mapping[str, tuple[ParsedFile, bytes] | None], path: str
) -> tuple[bool, str | None]:
    """Whether ``path`` exists after the proposal, and its model type then."""
    if path in proposal:
        new = proposal[path]
        return (new is not None, new[0].type_name if new is not None else None)
    entry = state.disk.entries.get(path)
    return (entry is not None, entry.version.parsed.type_name if entry is not None else None)


def _reference_problem(
    state: ContentState,
    proposal: Mapping[str, tuple[ParsedFile, bytes] | None],
    reference: Reference,
) -> str | None:
    """What ``state.py`` would say of a reference after the proposal, or ``None``."""
    where = format_location(reference.location)
    exists, kind = _type_after(state, proposal, reference.key)
    if not exists:
        hint = ContentState._reference_hint(reference)
        return f"{where}: no such file: content/{reference.key}{hint}"
    if kind is not None and kind != reference.target_type:
        return f"{where}: content/{reference.key} is a {kind}, expected a {reference.target_type}"
    return None


def _conflicts(
    state: ContentState, versions: Mapping[str, FileVersion], path: str
) -> list[tuple[tuple[str | int, ...], str]]:
    """The name conflict ``claims.py`` would find for ``path`` with every proposed file in
    place of its current candidate (claimed for the question, then taken back)."""
    claims = state.claims
    replaced = {p: state.candidates[p] for p in versions if p in state.candidates}
    for other, old in replaced.items():
        claims.unindex(other, old)
    for other, version in versions.items():
        claims.index(other, version)
    try:
        conflict = claims.conflict(path, versions[path])
    finally:
        for other, version in versions.items():
            claims.unindex(other, version)
        for other, old in replaced.items():
            claims.index(other, old)
    return [conflict] if conflict is not None else []


def _referrer_problems(
    state: ContentState, proposal: Mapping[str, tuple[ParsedFile, bytes] | None]
) -> list[ContentProblem]:
    """New dangling or mistyped references in the files the proposal leaves as they are but
    whose targets it deletes or retypes."""
    problems = []
    for target in sorted(proposal):
        for referrer in sorted(state.claims.referrers.get(target, ())):
            if referrer in proposal:
                continue
            candidate = state.candidates.get(referrer)
            if candidate is None:
                continue
            for reference in candidate.parsed.references:
                if reference.key != target:
                    continue
                after = _reference_problem(state, proposal, reference)
                if after is None or after == _reference_problem(state, {}, reference):
                    continue
                lines = lines_for(candidate.parsed.kind, state._bytes_for_lines(referrer))
                line = lines.line_of(reference.location)
                problems.append(ContentProblem(referrer, line, Severity.ERROR, after))
    return problems
