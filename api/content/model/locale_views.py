"""What one locale sees of a snapshot: every document in the locale's version where it has
one, else in the next version of the locale's fallback chain, field by field.

A snapshot holds every version of every document (``pages_by_path``); a locale's view is
made from them on its first request (and kept with the snapshot), never loaded again. A
document's version for locale L is the first of L's chain that exists and the audience may
see (drafts only in preview); its front-matter fields that this version lacks are filled
from the later versions of the chain (``fallback_fields``); its body is its own, never
merged. A version that is not L's own takes L's URL (``/de-CH/blog/x``), so that a
locale's pages, lists and links all stay in that locale. On a site of one locale none of
this exists: the default view is the snapshot's ``published`` view, as ever.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from api.content.model.items import Page, Person
from api.content.model.views import ContentView
from api.content.source.locales import Locales
from api.content.source.parsed import page_facts
from api.content.source.paths import tag_slug

# A version's own fields, never filled from another locale's version.
NOT_INHERITED = frozenset({"slug", "translationKey", "type", "layout"})

Versions = dict[str, dict[str, Page]]  # document -> locale code -> the version in that locale


def document_of(page: Page) -> str:
    """The document a page is a version of (its default-locale file's path)."""
    return page.document or page.path


def translations_id(page: Page) -> str:
    """What a page's ``translations`` depend on: its document, or its ``translationKey``."""
    return f"key:{page.translation_key}" if page.translation_key else document_of(page)


def group_versions(pages: Iterable[Page]) -> Versions:
    """Every document's versions by locale. ``translationKey`` links versions whose file names
    differ: the group's document is its default-locale version's, else its first path's."""
    by_key: dict[str, list[Page]] = {}
    versions: Versions = {}
    for page in pages:
        if page.translation_key:
            by_key.setdefault(page.translation_key, []).append(page)
        else:
            versions.setdefault(document_of(page), {}).setdefault(page.locale or "", page)
    for linked in by_key.values():
        linked.sort(key=lambda page: page.path)
        documents = [document_of(page) for page in linked]
        home = next((d for d in documents if d in versions), documents[0])
        for page in linked:
            versions.setdefault(home, {}).setdefault(page.locale or "", page)
    return versions


def localized_page(versions: Sequence[Page], code: str, locales: Locales) -> Page:
    """The page locale ``code`` shows of a document: ``versions`` are its versions in the
    order of ``code``'s chain (the first is served), the fields it lacks filled from the rest,
    its URL ``code``'s."""
    served = versions[0]
    url = localized_url(served, code, locales)
    missing: list[tuple[str, Page]] = []
    fields = served.fields
    for later in versions[1:]:
        for key, value in later.fields.items():
            if key not in fields and key not in NOT_INHERITED:
                fields[key] = value
                missing.append((key, later))
    if not missing:
        return served if url == served.url else replace(served, url=url)
    facts = page_facts(fields)
    from_field = {key: page for key, page in missing}
    author = from_field.get("author", served).author_slug
    return replace(
        served,
        url=url,
        blob=marshal.dumps(fields),
        date=datetime.fromtimestamp(facts.timestamp, UTC) if facts.timestamp else None,
        title=facts.title,
        tags=facts.tags,
        tag_slugs=tuple(dict.fromkeys(tag_slug(tag) for tag in facts.tags if tag_slug(tag))),
        author_slug=author,
        embeds=facts.embeds,
        fallback_fields=tuple(key for key, _ in missing),
        sources=tuple(dict.fromkeys(page.path for _, page in missing)),
    )


def localized_url(page: Page, code: str, locales: Locales) -> str:
    """``page``'s URL in locale ``code``: its own when it is ``code``'s version, else the same
    path under ``code``'s prefix (``/blog/x`` in de-CH is ``/de-CH/blog/x``)."""
    if page.locale == code:
        return page.url
    path = page.url
    if page.locale and page.locale != locales.default:
        path = path[len(page.locale) + 1 :] or "/"
    if code == locales.default:
        return path
    return f"/{code}{path if path != '/' else ''}"


def localized_person(versions: Sequence[Person], code: str) -> Person:
    """The person locale ``code`` shows: the first version of the chain, fields filled from
    the rest (a translation carries what it translates: a bio, a title)."""
    served = versions[0]
    fields = dict(served.fields)
    missing = []
    for later in versions[1:]:
        for key, value in later.fields.items():
            if key not in fields and key not in NOT_INHERITED:
                fields[key] = value
                missing.append(key)
    if not missing:
        return served
    return replace(served, fields=fields, fallback_fields=tuple(missing))


def build_locale_view(
    pages: Iterable[Page] | Versions,
    people: Iterable[Person],
    code: str,
    locales: Locales,
    *,
    fallback: bool = True,
) -> ContentView:
    """The view of locale ``code`` over the versions an audience may see (``pages``, already
    without drafts where they must be left out, or those pages grouped by ``group_versions``);
    ``fallback=False`` keeps only the documents that have a version in ``code``."""
    grouped = pages if isinstance(pages, dict) else group_versions(pages)
    chain = locales.chain(code)
    shown = []
    for versions in grouped.values():
        page = _shown_in(versions, chain, locales, fallback)
        if page is not None:
            shown.append(page)
    view = ContentView.build(shown, localized_people(people, code, locales), locale=code)
    view.fallback = fallback  # made here, before anyone reads it
    return view


def derive_locale_view(
    view: ContentView,
    documents: Iterable[str],
    old: Versions,
    new: Versions,
    people: Iterable[Person] | None,
    locales: Locales,
) -> ContentView | None:
    """``view`` (locale ``view.locale``'s, made from the groups ``old``) with the ``documents``
    that changed shown as the groups ``new`` have them, and ``people`` (when they changed);
    ``None`` where a changed document's page is not the one the view holds (two documents
    claiming one URL): the view is then made afresh."""
    code = view.locale
    assert code is not None
    chain = locales.chain(code)
    removed, added = [], []
    for document in documents:
        before = old.get(document)
        was = _shown_in(before, chain, locales, view.fallback) if before else None
        held = None
        if was is not None:
            held = view.pages_by_url.get(was.url.lower())
            if held is None or held.path != was.path:
                return None
        after = new.get(document)
        now = _shown_in(after, chain, locales, view.fallback) if after else None
        if now is held:  # the very page (another version of its document changed)
            continue
        if held is not None:
            removed.append(held)
        if now is not None:
            added.append(now)
    authors = None if people is None else localized_people(people, code, locales)
    derived = view.derive(removed=removed, added=added, people=authors)
    derived.fallback = view.fallback
    return derived


def _shown_in(
    versions: Mapping[str, Page], chain: tuple[str, ...], locales: Locales, fallback: bool
) -> Page | None:
    """The page the locale whose chain is ``chain`` shows of one document's ``versions``
    (``None``: none)."""
    ordered = [versions[locale] for locale in chain if locale in versions]
    if not ordered or (not fallback and ordered[0].locale != chain[0]):
        return None
    return localized_page(ordered, chain[0], locales)


def localized_people(people: Iterable[Person], code: str, locales: Locales) -> list[Person]:
    """Every person locale ``code`` shows, in its chain's versions, by slug."""
    chain = locales.chain(code)
    persons: dict[str, dict[str, Person]] = {}
    for person in people:
        persons.setdefault(person.slug, {})[person.locale or ""] = person
    return sorted(
        (
            localized_person([found[locale] for locale in chain if locale in found], code)
            for found in persons.values()
            if any(locale in found for locale in chain)
        ),
        key=lambda person: person.slug,
    )


def translations_of(page: Page, versions: Mapping[str, Page], locales: Locales) -> list[dict]:
    """Every other version of ``page``'s document, in declared order: ``{"locale", "url"}``."""
    return [
        {"locale": code, "url": versions[code].url}
        for code in locales.codes
        if code in versions and code != page.locale
    ]
