"""Every document's versions by locale, for one audience, carried from snapshot to snapshot.

Grouping the versions of 20,000 files takes 20-30 ms, and every post's answer on a site of
several locales needs its group (``translations``): made afresh for each snapshot, the first
answer after every edit paid for it, in every worker (issue 23's edit-visibility target). A
change of a few files changes a few groups, so the next snapshot's groups are this one's with
those groups made again (``derive``).

Only the plain case is derived: versions linked by ``translationKey`` choose their group's
home among several documents, which adding or removing a file of another group can change
(``a.md`` and ``b.de.md`` linked by a key move to ``b.md``'s group when a plain ``b.md``
comes). On a site with any such version, and where two versions claim one locale of a
document, ``derive`` answers ``None`` and the snapshot groups everything again, as
``group_versions`` always did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from api.content.model.items import Page
from api.content.model.locale_views import Versions, document_of, group_versions

EMPTY: Mapping[str, Page] = {}


class VersionGroups:
    """The versions an audience may see (``preview``: drafts too), by document and by path."""

    def __init__(self, versions: Versions, preview: bool, *, keyed: bool | None = None) -> None:
        self.versions = versions  # document -> locale -> version (``group_versions``)
        self.preview = preview
        if keyed is None:
            keyed = any(
                version.translation_key for group in versions.values() for version in group.values()
            )
        self.keyed = keyed  # some version is linked by ``translationKey``: never derived
        self._by_path: dict[str, Mapping[str, Page]] | None = None

    @classmethod
    def of(cls, pages: Iterable[Page], *, preview: bool) -> VersionGroups:
        shown = (page for page in pages if preview or not page.is_draft)
        return cls(group_versions(shown), preview)

    def of_path(self, path: str) -> Mapping[str, Page]:
        """The versions, by locale, of the document the file at ``path`` is a version of."""
        by_path = self._by_path
        if by_path is None:
            by_path = {
                version.path: group
                for group in self.versions.values()
                for version in group.values()
            }
            self._by_path = by_path
        return by_path.get(path, EMPTY)

    def derive(self, removed: Iterable[Page], added: Iterable[Page]) -> VersionGroups | None:
        """These groups with ``removed`` taken out and ``added`` put in, or ``None`` where only
        grouping everything again gives the same groups (see the module's docstring)."""
        removed = [page for page in removed if self.preview or not page.is_draft]
        added = [page for page in added if self.preview or not page.is_draft]
        if self.keyed or any(page.translation_key for page in (*removed, *added)):
            return None
        versions = self.versions.copy()
        changed: dict[str, dict[str, Page]] = {}

        def group_of(page: Page) -> dict[str, Page]:
            """The new group of ``page``'s document: a copy, made on its first change."""
            document = document_of(page)
            if document not in changed:
                changed[document] = dict(versions.get(document, EMPTY))
            return changed[document]

        for page in removed:
            group, locale = group_of(page), page.locale or ""
            if group.get(locale) is page:
                del group[locale]
        for page in added:
            group, locale = group_of(page), page.locale or ""
            if locale in group:
                return None  # two versions claim one locale: the first in path order wins
            group[locale] = page
        for document, group in changed.items():
            if group:
                versions[document] = group
            else:
                versions.pop(document, None)
        derived = VersionGroups(versions, self.preview, keyed=False)
        if self._by_path is not None:
            by_path = self._by_path.copy()
            for document in changed:
                for version in self.versions.get(document, EMPTY).values():
                    by_path.pop(version.path, None)
                group = versions.get(document)
                for version in (group or EMPTY).values():
                    by_path[version.path] = group  # type: ignore[assignment]
            derived._by_path = by_path
        return derived
