"""What deriving one snapshot from another changed: a frozen value, built once by the derivation.

Consumers of a change (the response cache's keys, the search index, purges, webhooks, event
streams) read it instead of anything written onto the new snapshot: a snapshot says what the
site is, a diff says how it came to be so.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.content.model.items import Page, Person

PagePair = tuple[Page | None, Page | None]  # (old, new); None where absent
PersonPair = tuple[Person | None, Person | None]


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """Every page and person whose object changed, as (old, new) pairs sorted by path, whether
    the site files (configuration, style) changed, and every path touched."""

    pages: tuple[PagePair, ...] = ()
    people: tuple[PersonPair, ...] = ()
    site_changed: bool = False
    touched: frozenset[str] = frozenset()  # the paths of the pages and people above
    site_translations: frozenset[str] = frozenset()  # data/config.de.json... that changed

    @classmethod
    def of(
        cls,
        removed: list[Page],
        added: list[Page],
        people: dict[str, PersonPair],
        *,
        site_changed: bool,
        site_translations: frozenset[str] = frozenset(),
    ) -> SnapshotDiff:
        """The diff of a derivation that took out ``removed`` and put in ``added`` pages (a page
        edited is in both) and changed ``people`` (path -> (old, new))."""
        before = {page.path: page for page in removed}
        after = {page.path: page for page in added}
        paths = before.keys() | after.keys()
        return cls(
            pages=tuple((before.get(path), after.get(path)) for path in sorted(paths)),
            people=tuple(people[path] for path in sorted(people)),
            site_changed=site_changed,
            touched=frozenset(paths | people.keys()),
            site_translations=site_translations,
        )

    def people_by_path(self) -> dict[str, PersonPair]:
        return {(old or new).path: (old, new) for old, new in self.people}  # type: ignore[union-attr]

    def page_paths(self) -> set[str]:
        """The paths of the pages changed (people aside)."""
        return {page.path for pair in self.pages for page in pair if page is not None}
