"""A translation's gaps: the required fields it leaves out, which its fallback chain fills.

A translator writes what differs (``title``, the body) and leaves the rest to the versions
along the locale's chain, required fields included (a translated post need not repeat its
``date``). So on a site of several locales, a translation whose only errors are missing
top-level fields is a candidate all the same; it is served when, for each of those fields,
some version of its document further along its chain has it (``de-CH`` -> ``de`` -> ``en``),
and otherwise reported as the missing field it is, naming the chain it searched.
"""

from __future__ import annotations

from collections.abc import Mapping

from api.content.live.claims import NameClaims
from api.content.source.locales import Locales
from api.content.source.parsed import FileVersion

Finding = tuple[tuple[str | int, ...], str]


def is_translation(
    path: str, version: FileVersion, claims: NameClaims, locales: Locales | None
) -> bool:
    """Whether ``version`` is a page's or person's version in a locale other than the default."""
    if locales is None:
        return False
    identity = claims.identity(path, version)
    return identity is not None and identity.code not in (None, locales.default)


def acceptable(
    path: str, version: FileVersion, claims: NameClaims, locales: Locales | None
) -> bool:
    """Whether ``version`` may be a candidate: no errors, or a translation's gaps only."""
    parsed = version.parsed
    if not parsed.has_errors:
        return True
    return not parsed.has_errors_but_gaps and is_translation(path, version, claims, locales)


def unfilled(
    path: str,
    candidate: FileVersion,
    claims: NameClaims,
    candidates: Mapping[str, FileVersion],
    locales: Locales | None,
) -> list[Finding]:
    """Each gap of a translation that no version further along its chain fills."""
    gaps = candidate.parsed.gaps
    if not gaps or locales is None:
        return []
    identity = claims.identity(path, candidate)
    if identity is None or identity.code is None:
        return []
    by_locale: dict[str, FileVersion] = {}
    for other in sorted(claims.versions_of(path, candidate) - {path}):
        version = candidates.get(other)
        found = claims.identity(other, version) if version is not None else None
        if version is not None and found is not None and found.code is not None:
            by_locale.setdefault(found.code, version)
    chain = locales.chain(identity.code)
    further = [by_locale[code].parsed.data for code in chain[1:] if code in by_locale]
    searched = " -> ".join(chain)
    return [
        (
            (name,),
            f"missing required field '{name}': no version along its chain ({searched}) has it",
        )
        for name in gaps
        if not any(name in data for data in further)
    ]
